// The README's back-channel logout recipe, end to end: the mock signs users in through the code flow,
// and a logout there POSTs a logout token to the app's backchannel_logout_uri; the app's handler
// (the recipe's code) verifies it and clears exactly the logins it names.
import { completeAuthorization, createMockKeyway } from '@keyway/mocks';
import { MemoryTokenStore, type TokenStore } from '@keyway/token-store';
import { describe, expect, it } from 'vitest';
import { discover, type OAuthClient, type TokenSet, TokenValidationError } from '../src/index.js';

const REDIRECT = 'https://app.example.com/callback';
const LOGOUT_URI = 'https://app.example.com/backchannel-logout';

/** The recipe of packages/core/README.md ("Back-channel logout"), around one client and one store. */
function app(client: OAuthClient, logins: TokenStore) {
  return {
    async remember(tokens: TokenSet): Promise<void> {
      await logins.set(`login:${tokens.claims?.sid ?? tokens.claims?.sub}`, tokens);
    },
    async backchannelLogout(request: Request): Promise<Response> {
      const form = new URLSearchParams(await request.text());
      try {
        const { sub, sid } = await client.verifyLogoutToken(form.get('logout_token') ?? '');
        if (sid !== undefined) {
          await logins.delete(`login:${sid}`);
        } else {
          for (const key of (await logins.keys?.()) ?? []) {
            const login = await logins.get(key);
            if ((login?.claims as { sub?: string } | undefined)?.sub === sub) {
              await logins.delete(key);
            }
          }
        }
        return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
      } catch (error) {
        if (TokenValidationError.is(error)) {
          return new Response(null, { status: 400, headers: { 'cache-control': 'no-store' } });
        }
        throw error;
      }
    },
  };
}

describe('back-channel logout recipe', () => {
  it('a logout at the provider clears that session’s login and no other; a replay is refused with 400', async () => {
    const answers: number[] = [];
    const logoutTokens: string[] = [];
    let handler: ((request: Request) => Promise<Response>) | undefined;
    const mock = createMockKeyway({
      users: [{ sub: 'usr_ann' }, { sub: 'usr_bob' }],
      clients: [
        { clientId: 'app', clientSecret: 'app-secret', redirectUris: [REDIRECT], backchannelLogoutUri: LOGOUT_URI },
      ],
      // The provider's POST reaches the app's handler.
      outboundFetch: async (url, init) => {
        const request = new Request(url, init);
        logoutTokens.push(new URLSearchParams(await request.clone().text()).get('logout_token') ?? '');
        const response = await (handler ?? (() => Promise.resolve(new Response(null, { status: 503 }))))(request);
        answers.push(response.status);
        return response;
      },
    });
    const client = await discover(mock.issuer, {
      clientId: 'app',
      clientSecret: 'app-secret',
      redirectUri: REDIRECT,
      fetch: mock.fetch,
    });
    const logins = new MemoryTokenStore();
    const rp = app(client, logins);
    handler = (request) => rp.backchannelLogout(request);

    const signIn = async (sub: string) => {
      mock.signInAs(sub);
      const request = await client.createAuthorizationUrl({ scope: 'openid' });
      const tokens = await client.handleCallback(
        await completeAuthorization(request.url, { fetch: mock.fetch }),
        request,
      );
      await rp.remember(tokens);
      return tokens;
    };
    const ann = await signIn('usr_ann');
    const bob = await signIn('usr_bob');
    expect(ann.claims?.sid).toEqual(expect.any(String));
    expect(ann.claims?.sid).not.toBe(bob.claims?.sid);
    expect((await logins.keys()).sort()).toEqual([`login:${ann.claims?.sid}`, `login:${bob.claims?.sid}`].sort());

    // Ann signs out at the provider.
    await mock.fetch(client.endSessionUrl({ idTokenHint: ann.id_token ?? '' }));
    expect(answers).toEqual([200]);
    expect(await logins.get(`login:${ann.claims?.sid}`)).toBeUndefined();
    expect((await logins.get(`login:${bob.claims?.sid}`))?.access_token).toBe(bob.access_token);

    // The same logout token again (a replay): 400, and Bob's login stays.
    const replay = await rp.backchannelLogout(
      new Request(LOGOUT_URI, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutTokens[0] ?? '' }),
      }),
    );
    expect(replay.status).toBe(400);
    // An ID token is no logout token: 400.
    const forged = await rp.backchannelLogout(
      new Request(LOGOUT_URI, { method: 'POST', body: new URLSearchParams({ logout_token: bob.id_token ?? '' }) }),
    );
    expect(forged.status).toBe(400);
    expect((await logins.get(`login:${bob.claims?.sid}`))?.access_token).toBe(bob.access_token);
  });
});
