import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { completeAuthorization, completeAuthorizationCallback, createMockKeyway } from './index.js';

const REDIRECT = 'https://app.example.com/callback?tenant=a&b="<x>"';
const CLIENT: oauth.Client = { client_id: 'test-client' };

/** A relying party as oauth4webapi (OpenID-certified) drives it: the authorization URL and its secrets. */
async function setup() {
  const mock = createMockKeyway();
  const issuer = new URL(mock.issuer);
  const opts = { [oauth.customFetch]: mock.fetch };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, opts));
  const client = {
    async createAuthorizationUrl({ extraParams = {} }: { scope: string; extraParams?: Record<string, string> }) {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: CLIENT.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state,
        nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...extraParams,
      }).toString();
      return { url, state, nonce, verifier };
    },
    async handleCallback(callback: Request, request: { state: string; nonce: string; verifier: string }) {
      const params = oauth.validateAuthResponse(as, CLIENT, new URLSearchParams(await callback.text()), request.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        CLIENT,
        oauth.ClientSecretBasic('test-secret'),
        params,
        REDIRECT,
        request.verifier,
        opts,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, response, {
        expectedNonce: request.nonce,
      });
      return { claims: oauth.getValidatedIdTokenClaims(tokens) };
    },
  };
  return { mock, client };
}

describe('response_mode=form_post (OAuth 2.0 Form Post Response Mode)', () => {
  it('answers a self-submitting form that POSTs code, state and iss to the redirect URI', async () => {
    const { mock, client } = await setup();
    const request = await client.createAuthorizationUrl({
      scope: 'openid',
      extraParams: { response_mode: 'form_post' },
    });
    const page = await mock.fetch(request.url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    // The redirect URI's quotes and brackets are escaped, so it cannot break out of the attribute.
    expect(html).toContain('action="https://app.example.com/callback?tenant=a&#38;b=&#34;&#60;x&#62;&#34;"');
    expect(html).toContain(`name="state" value="${request.state}"`);
    expect(html).toContain('onload="document.forms[0].submit()"');

    const message = await completeAuthorization(request.url, { fetch: mock.fetch }).catch(
      (error: Error) => error.message,
    );
    expect(message).toContain('use completeAuthorizationCallback()');
  });

  it('completeAuthorizationCallback resolves to the POST, which handleCallback(Request) redeems', async () => {
    const { mock, client } = await setup();
    expect(
      (await (await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`)).json()).response_modes_supported,
    ).toEqual(['query', 'form_post']);
    const request = await client.createAuthorizationUrl({
      scope: 'openid',
      extraParams: { response_mode: 'form_post' },
    });
    const callback = await completeAuthorizationCallback(request.url, { fetch: mock.fetch });
    expect(callback.method).toBe('POST');
    expect(callback.url).toBe(new URL(REDIRECT).href);
    expect(callback.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(await callback.clone().text());
    expect({ state: form.get('state'), iss: form.get('iss'), code: form.get('code')?.startsWith('ac_') }).toEqual({
      state: request.state,
      iss: mock.issuer,
      code: true,
    });
    const tokens = await client.handleCallback(callback, request);
    expect(tokens.claims).toMatchObject({ sub: 'usr_test', nonce: request.nonce });
  });

  it('sends errors the same way, and a query-mode authorization stays a GET', async () => {
    const { mock, client } = await setup();
    mock.denyAuthorization({ error: 'access_denied', description: 'no' });
    const denied = await client.createAuthorizationUrl({
      scope: 'openid',
      extraParams: { response_mode: 'form_post' },
    });
    const post = await completeAuthorizationCallback(denied.url, { fetch: mock.fetch });
    expect(new URLSearchParams(await post.text()).get('error')).toBe('access_denied');

    mock.denyAuthorization(null);
    const plain = await client.createAuthorizationUrl({ scope: 'openid' });
    const get = await completeAuthorizationCallback(plain.url, { fetch: mock.fetch });
    expect(get.method).toBe('GET');
    expect(new URL(get.url).searchParams.get('state')).toBe(plain.state);
  });

  it('refuses an unknown response_mode with invalid_request at the redirect URI', async () => {
    const { mock, client } = await setup();
    const request = await client.createAuthorizationUrl({
      scope: 'openid',
      extraParams: { response_mode: 'fragment' },
    });
    const back = await completeAuthorization(request.url, { fetch: mock.fetch });
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      error: 'invalid_request',
      error_description: 'response_mode fragment is not supported',
    });
  });
});
