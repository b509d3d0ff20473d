import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { completeAuthorization, createMockKeyway, type MockKeyway } from './index.js';

const LOGOUT_URI = 'https://rp.example.com/backchannel-logout';
const REDIRECT = 'https://rp.example.com/callback';

/** A mock whose outbound requests are recorded instead of sent. */
function setup(answer: () => Promise<Response> = async () => new Response(null, { status: 200 })) {
  const sent: Array<{ url: string; body: URLSearchParams; contentType: string | null }> = [];
  const mock = createMockKeyway({
    clients: [
      { clientId: 'rp', clientSecret: 'rp-secret', redirectUris: [REDIRECT], backchannelLogoutUri: LOGOUT_URI },
      { clientId: 'other', clientSecret: 'other-secret', redirectUris: [REDIRECT] },
    ],
    outboundFetch: async (url, init) => {
      sent.push({
        url,
        body: new URLSearchParams(init.body as URLSearchParams),
        contentType: new Headers(init.headers).get('content-type'),
      });
      return answer();
    },
  });
  return { mock, sent };
}

/** Signs the user in for `clientId` (code flow) and answers the ID token. */
async function signIn(mock: MockKeyway, clientId: string, secret: string): Promise<string> {
  const verifier = 'v'.repeat(43);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const code_challenge = btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const url = new URL(`${mock.issuer}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    nonce: 'nonce-123456',
    code_challenge,
    code_challenge_method: 'S256',
  }).toString();
  const code = (await completeAuthorization(url, { fetch: mock.fetch })).searchParams.get('code') ?? '';
  const res = await mock.fetch(`${mock.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    }),
  });
  return ((await res.json()) as { id_token: string }).id_token;
}

const logout = (mock: MockKeyway, idToken: string) =>
  mock.fetch(`${mock.issuer}/oauth/logout?${new URLSearchParams({ id_token_hint: idToken })}`);

describe('back-channel logout (OpenID Connect Back-Channel Logout 1.0)', () => {
  it('is advertised, and ID tokens of one sign-in session share a sid', async () => {
    const { mock } = setup();
    const metadata = (await (await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
    const first = decodeJwt(await signIn(mock, 'rp', 'rp-secret'));
    const second = decodeJwt(await signIn(mock, 'other', 'other-secret'));
    expect(first.sid).toEqual(expect.stringMatching(/^sid_/));
    expect(second.sid).toBe(first.sid);
  });

  it('POSTs a logout token to each client of the session that registered a URI, before answering', async () => {
    const { mock, sent } = setup();
    const idToken = await signIn(mock, 'rp', 'rp-secret');
    await signIn(mock, 'other', 'other-secret'); // no backchannelLogoutUri: nothing sent to it
    expect((await logout(mock, idToken)).status).toBe(200);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ url: LOGOUT_URI, contentType: 'application/x-www-form-urlencoded' });
    const token = sent[0]?.body.get('logout_token') ?? '';
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
    const { payload } = await jwtVerify(token, createLocalJWKSet(await mock.jwks()), {
      issuer: mock.issuer,
      audience: 'rp',
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'usr_test',
      sid: decodeJwt(idToken).sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      jti: expect.any(String),
    });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.exp).toBeGreaterThan(payload.iat ?? Number.POSITIVE_INFINITY);
  });

  it('ends the session: a second logout sends nothing, and the next sign-in has a new sid', async () => {
    const { mock, sent } = setup();
    const idToken = await signIn(mock, 'rp', 'rp-secret');
    await logout(mock, idToken);
    await logout(mock, idToken);
    expect(sent).toHaveLength(1);
    expect(decodeJwt(await signIn(mock, 'rp', 'rp-secret')).sid).not.toBe(decodeJwt(idToken).sid);
  });

  it('a receiver that fails or is unreachable does not fail the logout', async () => {
    const refused = setup(async () => new Response('nope', { status: 500 }));
    expect((await logout(refused.mock, await signIn(refused.mock, 'rp', 'rp-secret'))).status).toBe(200);
    expect(refused.sent).toHaveLength(1);

    const down = setup(() => Promise.reject(new TypeError('fetch failed')));
    expect((await logout(down.mock, await signIn(down.mock, 'rp', 'rp-secret'))).status).toBe(200);
  });

  it('sends nothing for a logout without an ID token hint, or after reset()', async () => {
    const { mock, sent } = setup();
    const idToken = await signIn(mock, 'rp', 'rp-secret');
    await mock.fetch(`${mock.issuer}/oauth/logout?client_id=rp`);
    mock.reset();
    await logout(mock, idToken);
    expect(sent).toHaveLength(0);
  });

  it('refuses an outboundFetch that is not a function', () => {
    expect(() => createMockKeyway({ outboundFetch: 'fetch' as never })).toThrow(
      new TypeError('@keyway/mocks: outboundFetch must be a fetch function.'),
    );
  });
});
