import { beforeEach, describe, expect, it } from 'vitest';
import { authorizationRequest, REDIRECT } from '../test/authorization.js';
import { completeAuthorization, createMockKeyway, type MockKeyway } from './index.js';

let mock: MockKeyway;

beforeEach(() => {
  mock = createMockKeyway();
});

const authorizationUrl = (fields: Record<string, string> = {}) =>
  authorizationRequest(mock, { scope: 'openid', state: 'st-1', ...fields });

describe('completeAuthorization', () => {
  it('resolves to the callback URL with a code the token endpoint redeems, without loading it', async () => {
    const { url, verifier } = await authorizationUrl();
    const callback = await completeAuthorization(url, { fetch: mock.fetch });
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('st-1');
    expect(callback.searchParams.get('iss')).toBe(mock.issuer);
    expect(mock.calls.map((call) => call.route)).toEqual(['authorize']); // the callback was not fetched
    const redeemed = await mock.fetch(`${mock.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('test-client:test-secret')}` },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(redeemed.status).toBe(200);
    expect(await redeemed.json()).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });
  });

  it('takes the URL as a string, and signs in whoever signInAs() names', async () => {
    mock.seed.user({ sub: 'usr_ann' });
    mock.signInAs('usr_ann');
    const { url, verifier } = await authorizationUrl();
    const callback = await completeAuthorization(url.href, { fetch: mock.fetch });
    const redeemed = await mock.fetch(`${mock.issuer}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'test-client',
        client_secret: 'test-secret',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    const { access_token } = (await redeemed.json()) as { access_token: string };
    const info = await mock.fetch(`${mock.issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(await info.json()).toMatchObject({ sub: 'usr_ann' });
  });

  it("resolves to the callback with the mock's refusal after denyAuthorization()", async () => {
    mock.denyAuthorization({ error: 'access_denied', description: 'The user said no' });
    const callback = await completeAuthorization((await authorizationUrl()).url, { fetch: mock.fetch });
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'The user said no',
      state: 'st-1',
      iss: mock.issuer,
    });
  });

  it('follows an end-session URL to its post_logout_redirect_uri', async () => {
    const url = new URL(`${mock.issuer}/oauth/logout`);
    url.search = new URLSearchParams({
      id_token_hint: await mock.mintIdToken(),
      post_logout_redirect_uri: 'https://app.test/bye',
      state: 's',
    }).toString();
    expect((await completeAuthorization(url, { fetch: mock.fetch })).href).toBe('https://app.test/bye?state=s');
  });

  it('rejects with the status and answer when the mock does not redirect', async () => {
    const { url } = await authorizationUrl({ client_id: 'nobody' });
    const error = await completeAuthorization(url, { fetch: mock.fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^https:\/\/keyway\.test\/oauth\/authorize answered 400 instead of a redirect: \{.*"error":"invalid_request".*Unknown client_id/,
    );
  });

  it('asks the fetch not to follow redirects, and resolves a relative Location against the URL', async () => {
    const seen: RequestInit[] = [];
    const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init ?? {});
      return new Response(null, { status: 303, headers: { location: '/cb?code=c' } });
    };
    const callback = await completeAuthorization('https://op.example/authorize?x=1', { fetch });
    expect(callback.href).toBe('https://op.example/cb?code=c');
    expect(seen).toEqual([{ redirect: 'manual' }]);
  });

  it("says what to do when the fetch hides the redirect (a browser's opaque redirect)", async () => {
    const opaque = { status: 0, type: 'opaqueredirect', headers: new Headers(), body: null } as unknown as Response;
    await expect(
      completeAuthorization(`${mock.issuer}/oauth/authorize`, { fetch: async () => opaque }),
    ).rejects.toThrow(
      'https://keyway.test/oauth/authorize answered 0 instead of a redirect (this fetch hides redirects: pass `fetch: mock.fetch`)',
    );
  });
});
