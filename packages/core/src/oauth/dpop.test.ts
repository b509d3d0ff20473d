import { base64url, calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError, InvalidResponseError } from '../errors.js';

let keyPair: CryptoKeyPair;

beforeAll(async () => {
  keyPair = await generateKeyPair('ES256', { extractable: true });
});

/** Verifies a DPoP proof with the key it embeds, and checks that key is ours. */
async function readProof(proof: string | null) {
  const header = decodeProtectedHeader(proof ?? '');
  expect(header.typ).toBe('dpop+jwt');
  expect(header.jwk).toEqual(expect.objectContaining({ kty: 'EC', crv: 'P-256' }));
  expect(header.jwk).not.toHaveProperty('d');
  const { payload } = await jwtVerify(proof ?? '', keyPair.publicKey, { typ: 'dpop+jwt' });
  expect(await calculateJwkThumbprint(header.jwk as never)).toBe(
    await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)),
  );
  expect(payload.jti).toEqual(expect.any(String));
  expect(payload.iat).toEqual(expect.any(Number));
  return payload;
}

async function ath(token: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
}

/** A token endpoint that demands a nonce, like oidc-provider with requireNonce. */
function nonceDemandingToken(op: FakeOP, nonce = 'server-nonce-1') {
  op.on('/token', async (call) => {
    const proof = await readProof(call.headers.get('dpop'));
    if (proof.nonce !== nonce) {
      return json({ error: 'use_dpop_nonce', error_description: 'nonce required' }, 400, { 'dpop-nonce': nonce });
    }
    return json({ access_token: 'dpop-at', token_type: 'DPoP', expires_in: 60, refresh_token: 'rt' });
  });
  return op;
}

describe('DPoP (RFC 9449)', () => {
  it('sends a proof to the token endpoint and retries once with the nonce the server demands', async () => {
    const op = nonceDemandingToken(await FakeOP.create());
    const client = op.client({ dpop: keyPair });

    const tokens = await client.clientCredentials({ scope: 'api' });

    expect(tokens.token_type).toBe('DPoP');
    const calls = op.callsTo('/token');
    expect(calls).toHaveLength(2);
    const first = await readProof(calls[0]!.headers.get('dpop'));
    const second = await readProof(calls[1]!.headers.get('dpop'));
    expect(first).toMatchObject({ htm: 'POST', htu: `${op.issuer}/token` });
    expect(first.nonce).toBeUndefined();
    expect(first.ath).toBeUndefined();
    expect(second.nonce).toBe('server-nonce-1');
    expect(second.jti).not.toBe(first.jti);

    // The nonce is remembered: the next call needs no retry.
    await client.clientCredentials({ scope: 'api' });
    expect(op.callsTo('/token')).toHaveLength(3);
  });

  it('retries only once: a second use_dpop_nonce is an OAuthError', async () => {
    const op = await FakeOP.create();
    let n = 0;
    op.on('/token', () => json({ error: 'use_dpop_nonce' }, 400, { 'dpop-nonce': `n${++n}` }));
    const error = await rejection(op.client({ dpop: keyPair }).clientCredentials());
    expect(error).toMatchObject({ name: 'OAuthError', code: 'use_dpop_nonce' });
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('redeems a code with a proof (the nonce retry is the only resend)', async () => {
    const op = nonceDemandingToken(await FakeOP.create());
    const client = op.client({ dpop: keyPair });
    const request = await client.createAuthorizationUrl({ scope: 'api' });
    const tokens = await client.handleCallback(op.callback({ code: 'c', state: request.state }), request);
    expect(tokens.token_type).toBe('DPoP');
    expect(op.callsTo('/token').map((call) => call.body.get('code'))).toEqual(['c', 'c']);
  });

  it('calls userinfo with Authorization: DPoP and an ath-bound proof, retrying on a resource nonce challenge', async () => {
    const op = await FakeOP.create();
    op.on('/userinfo', async (call) => {
      const proof = await readProof(call.headers.get('dpop'));
      if (proof.nonce !== 'rs-nonce') {
        return new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'dpop-nonce': 'rs-nonce' },
        });
      }
      return json({ sub: 'alice', htm: proof.htm, htu: proof.htu, ath: proof.ath });
    });
    const client = op.client({ dpop: keyPair });

    const info = await client.userinfo('the-access-token', { expectedSubject: 'alice' });

    expect(info).toEqual({
      sub: 'alice',
      htm: 'GET',
      htu: `${op.issuer}/userinfo`,
      ath: await ath('the-access-token'),
    });
    const calls = op.callsTo('/userinfo');
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.headers.get('authorization'))).toEqual([
      'DPoP the-access-token',
      'DPoP the-access-token',
    ]);
    expect(calls[0]!.url.search).toBe('');
  });

  it('signs proofs for resource requests with dpopProof(), using the nonce the origin sent', async () => {
    const op = await FakeOP.create();
    const client = op.client({ dpop: keyPair });
    const url = 'https://api.example.test/things?page=2';

    const first = await readProof(await client.dpopProof('get', url, 'at-1'));
    client.rememberDpopNonce(url, new Response(null, { headers: { 'dpop-nonce': 'api-nonce' } }));
    const second = await readProof(await client.dpopProof('GET', url, 'at-1'));

    expect(first).toMatchObject({ htm: 'GET', htu: 'https://api.example.test/things', ath: await ath('at-1') });
    expect(first.nonce).toBeUndefined();
    expect(second.nonce).toBe('api-nonce');
  });

  it('generates a key pair with dpop: true', async () => {
    const op = await FakeOP.create();
    const proof = await op.client({ dpop: true }).dpopProof('POST', `${op.issuer}/token`);
    expect(decodeProtectedHeader(proof)).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt' });
  });

  it('refuses dpopProof() without a DPoP key', async () => {
    const op = await FakeOP.create();
    const error = await rejection(op.client().dpopProof('GET', 'https://api.example.test/'));
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error.code).toBe('dpop_not_enabled');
  });

  it('refuses a DPoP token type when no proof was sent', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'x', token_type: 'DPoP' }));
    const error = await rejection(op.client().clientCredentials());
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error.code).toBe('invalid_token_response');
  });
});
