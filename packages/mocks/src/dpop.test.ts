import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { authorizationCode, authorizationRequest, REDIRECT } from '../test/authorization.js';
import {
  completeAuthorization,
  createDpopProof,
  createMockKeyway,
  type DpopKey,
  generateDpopKey,
  type MockKeyway,
} from './index.js';

// DPoP (RFC 9449), checked as oidc-provider checks it: the interop suite runs the same client flows
// against both, so an answer here must be the one a real provider gives.
let mock: MockKeyway;
/** What the public client asks for in these tests' code flows. */
const PUBLIC_REQUEST = { client_id: 'test-public-client', scope: 'openid offline_access' };
const basic = `Basic ${btoa('test-client:test-secret')}`;

/** A proof by `key` for one request (RFC 9449 section 4.2). */
function proof(
  key: DpopKey,
  method: string,
  url: string,
  extra: { nonce?: string; accessToken?: string; jti?: string; iat?: number } = {},
): Promise<string> {
  return createDpopProof(key, { method, url, ...extra });
}

const tokenUrl = () => `${mock.issuer}/oauth/token`;
const userinfoUrl = () => `${mock.issuer}/oauth/userinfo`;

async function token(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await mock.fetch(tokenUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
}

const clientCredentials = (headers: Record<string, string>) =>
  token({ grant_type: 'client_credentials', scope: 'api' }, { authorization: basic, ...headers });

async function userinfo(accessToken: string, scheme: string, dpop?: string) {
  const res = await mock.fetch(userinfoUrl(), {
    headers: { authorization: `${scheme} ${accessToken}`, ...(dpop ? { dpop } : {}) },
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
}

/** A code for the public client, bound to `jkt` through `dpop_jkt` when given. */
async function code(jkt?: string) {
  const granted = await authorizationCode(mock, { ...PUBLIC_REQUEST, ...(jkt ? { dpop_jkt: jkt } : {}) });
  return { grant_type: 'authorization_code', client_id: 'test-public-client', ...granted };
}

beforeEach(() => {
  mock = createMockKeyway();
});

describe('DPoP-bound tokens (RFC 9449)', () => {
  it('advertises its DPoP algorithms in the metadata', async () => {
    const metadata = await (await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`)).json();
    expect(metadata.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256', 'EdDSA']));
  });

  it('binds a client-credentials token: token_type DPoP, cnf.jkt in the JWT and in introspection', async () => {
    const key = await generateDpopKey();

    const { status, body } = await clientCredentials({ dpop: await proof(key, 'POST', tokenUrl()) });

    expect(status).toBe(200);
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token ?? '')).toMatchObject({ cnf: { jkt: key.jkt } });
    const introspection = await mock.fetch(`${mock.issuer}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.access_token ?? '' }),
    });
    expect(await introspection.json()).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('refuses a proof for another URL or method, a replayed one, a stale one and a malformed one', async () => {
    const key = await generateDpopKey();
    const refused = async (dpop: string) => {
      const { status, body } = await clientCredentials({ dpop });
      return [status, body.error];
    };
    const invalid = [400, 'invalid_dpop_proof'];

    expect(await refused(await proof(key, 'POST', `${mock.issuer}/oauth/other`))).toEqual(invalid);
    expect(await refused(await proof(key, 'GET', tokenUrl()))).toEqual(invalid);
    expect(await refused(await proof(key, 'POST', tokenUrl(), { iat: Math.floor(Date.now() / 1000) - 600 }))).toEqual(
      invalid,
    );
    expect(await refused('not-a-jwt')).toEqual(invalid);
    const once = await proof(key, 'POST', tokenUrl(), { jti: 'jti-1' });
    expect((await clientCredentials({ dpop: once })).status).toBe(200);
    expect(await refused(once)).toEqual(invalid);
  });

  it('with dpopNonce asks for its nonce first (use_dpop_nonce + DPoP-Nonce), then accepts the proof', async () => {
    mock = createMockKeyway({ dpopNonce: true });
    const key = await generateDpopKey();

    const first = await clientCredentials({ dpop: await proof(key, 'POST', tokenUrl()) });
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce') ?? '';
    expect(nonce).not.toBe('');

    const second = await clientCredentials({ dpop: await proof(key, 'POST', tokenUrl(), { nonce }) });
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('DPoP');

    const at = second.body.access_token ?? '';
    const resource = await userinfo(at, 'DPoP', await proof(key, 'GET', userinfoUrl(), { accessToken: at }));
    expect(resource.status).toBe(401);
    expect(resource.challenge).toMatch(/^DPoP .*error="use_dpop_nonce"/);
  });

  it('serves userinfo for a bound token only with the DPoP scheme and a proof by its key carrying ath', async () => {
    const key = await generateDpopKey();
    const other = await generateDpopKey();
    const redeemed = await token(await code(), { dpop: await proof(key, 'POST', tokenUrl()) });
    const at = redeemed.body.access_token ?? '';
    expect(redeemed.body.token_type).toBe('DPoP');

    const ok = await userinfo(at, 'DPoP', await proof(key, 'GET', userinfoUrl(), { accessToken: at }));
    expect(ok).toMatchObject({ status: 200, body: { sub: 'usr_test' } });

    const asBearer = await userinfo(at, 'Bearer');
    expect(asBearer).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(asBearer.challenge).toMatch(/^DPoP /);
    expect(await userinfo(at, 'DPoP')).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(await userinfo(at, 'DPoP', await proof(other, 'GET', userinfoUrl(), { accessToken: at }))).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
    expect(await userinfo(at, 'DPoP', await proof(key, 'GET', userinfoUrl(), { accessToken: 'x' }))).toMatchObject({
      status: 401,
      body: { error: 'invalid_dpop_proof' },
    });
  });

  it("redeems a code with dpop_jkt only under that key, and binds a public client's refresh token", async () => {
    const key = await generateDpopKey();
    const other = await generateDpopKey();

    const mismatch = await token(await code(key.jkt), { dpop: await proof(other, 'POST', tokenUrl()) });
    expect(mismatch.body.error).toBe('invalid_grant');
    const keyless = await token(await code(key.jkt));
    expect(keyless.body.error).toBe('invalid_grant');

    const redeemed = await token(await code(key.jkt), { dpop: await proof(key, 'POST', tokenUrl()) });
    expect(redeemed.body.token_type).toBe('DPoP');
    const refresh = {
      grant_type: 'refresh_token',
      client_id: 'test-public-client',
      refresh_token: redeemed.body.refresh_token ?? '',
    };
    expect((await token(refresh, { dpop: await proof(other, 'POST', tokenUrl()) })).body.error).toBe('invalid_grant');
    expect((await token(refresh)).body.error).toBe('invalid_grant');
    const refreshed = await token(refresh, { dpop: await proof(key, 'POST', tokenUrl()) });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token ?? '')).toMatchObject({ cnf: { jkt: key.jkt } });
  });

  describe('a DPoP proof on the pushed authorization request (RFC 9449 section 10.1)', () => {
    const parUrl = () => `${mock.issuer}/oauth/par`;

    /** Pushes the public client's request with a proof by `key` (and `dpop_jkt` when given), then authorizes. */
    async function pushedCode(key: DpopKey, fields: Record<string, string> = {}) {
      const request = await authorizationRequest(mock, { ...PUBLIC_REQUEST, ...fields });
      const verifier = request.verifier;
      const pushed = await mock.fetch(parUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(key, 'POST', parUrl()) },
        body: request.url.searchParams,
      });
      const body = (await pushed.json()) as Record<string, string>;
      if (pushed.status !== 201) {
        return { status: pushed.status, error: body.error };
      }
      const url = new URL(`${mock.issuer}/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: 'test-public-client',
        request_uri: body.request_uri ?? '',
      }).toString();
      const location = await completeAuthorization(url, { fetch: mock.fetch });
      return {
        status: pushed.status,
        redeem: {
          grant_type: 'authorization_code',
          client_id: 'test-public-client',
          code: location.searchParams.get('code') ?? '',
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        },
      };
    }

    it('binds the code to the proof key, as dpop_jkt would', async () => {
      const key = await generateDpopKey();
      const other = await generateDpopKey();

      const first = await pushedCode(key);
      expect(first.status).toBe(201);
      const stolen = await token(first.redeem ?? {}, { dpop: await proof(other, 'POST', tokenUrl()) });
      expect(stolen.body.error).toBe('invalid_grant');

      const keyless = await pushedCode(key);
      expect((await token(keyless.redeem ?? {})).body.error).toBe('invalid_grant');

      const own = await pushedCode(key);
      const redeemed = await token(own.redeem ?? {}, { dpop: await proof(key, 'POST', tokenUrl()) });
      expect(redeemed.status).toBe(200);
      expect(redeemed.body.token_type).toBe('DPoP');
      expect(decodeJwt(redeemed.body.access_token ?? '')).toMatchObject({ cnf: { jkt: key.jkt } });
    });

    it('accepts a matching dpop_jkt and refuses one naming another key with invalid_request', async () => {
      const key = await generateDpopKey();
      const other = await generateDpopKey();

      expect((await pushedCode(key, { dpop_jkt: key.jkt })).status).toBe(201);
      expect(await pushedCode(key, { dpop_jkt: other.jkt })).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('asks for the nonce first when nonces are required, and checks the proof like the token endpoint', async () => {
      mock = createMockKeyway({ dpopNonce: true });
      const key = await generateDpopKey();

      const res = await mock.fetch(parUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(key, 'POST', parUrl()) },
        body: new URLSearchParams({ client_id: 'test-public-client', response_type: 'code' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'use_dpop_nonce' });
      expect(res.headers.get('dpop-nonce')).toEqual(expect.any(String));

      const wrongUrl = await mock.fetch(parUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(key, 'POST', tokenUrl()) },
        body: new URLSearchParams({ client_id: 'test-public-client', response_type: 'code' }),
      });
      expect(await wrongUrl.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    });
  });
});
