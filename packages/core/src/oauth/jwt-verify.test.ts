import { createMockKeyway } from '@keyway/mocks';
import { base64url, exportJWK, importJWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SECRET, FakeOP, rejection, type SigningKey, signingKey } from '../../test/oauth/fake-op.js';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import { discover } from './discover.js';
import { MAX_JWT_LENGTH } from './jws.js';

const API = 'https://api.example.test/';
const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
let op: FakeOP;

beforeAll(async () => {
  op = await FakeOP.create({ algs: [...ALGS] });
});

function key(alg: string): SigningKey {
  return op.keys.find((k) => k.alg === alg) as SigningKey;
}

function claims() {
  const now = op.now();
  return { iss: op.issuer, aud: API, sub: 'alice', client_id: 'svc', jti: `j-${now}`, iat: now, exp: now + 300 };
}

function accessToken(signer: SigningKey, header: Record<string, unknown> = {}) {
  return op.sign(claims(), { typ: 'at+jwt', ...header }, signer);
}

const encode = (value: object) => base64url.encode(JSON.stringify(value));

async function refused(token: string | Promise<string>, code: string) {
  const error = await rejection(op.client().verifyAccessToken(await token, { audience: API }));
  expect(TokenValidationError.is(error), String(error)).toBe(true);
  expect(error.code).toBe(code);
}

describe('verifyAccessToken: signature algorithms', () => {
  it.each(ALGS)('accepts a %s access token', async (alg) => {
    const client = op.client();
    const token = await accessToken(key(alg));
    expect((await client.verifyAccessToken(token, { audience: API })).sub).toBe('alice');
    // Warm caches (JWKS, imported key, decoded header) give the same answer.
    expect((await client.verifyAccessToken(token, { audience: API })).sub).toBe('alice');
  });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('accepts a %s access token from @keyway/mocks', async (alg) => {
    const mock = createMockKeyway({ alg, issuer: `https://${alg.toLowerCase()}.verify.example.test` });
    const client = await discover(mock.issuer, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      fetch: mock.fetch,
    });
    const claims = await client.verifyAccessToken(await mock.mintAccessToken({ aud: 'x' }), { audience: 'x' });
    expect(claims).toMatchObject({ iss: mock.issuer, aud: 'x' });
  });

  it.each(ALGS)(
    'verifies the %s signature on every call: a tampered payload after a good token is refused',
    async (alg) => {
      const client = op.client();
      const token = await accessToken(key(alg));
      await client.verifyAccessToken(token, { audience: API });
      const [header, , signature] = token.split('.');
      const forged = `${header}.${encode({ ...claims(), sub: 'mallory' })}.${signature}`;
      const error = await rejection(client.verifyAccessToken(forged, { audience: API }));
      expect(error.code).toBe('invalid_signature');
    },
  );

  it.each(ALGS)('refuses a %s token signed by a key outside the JWKS under a published kid', async (alg) => {
    const impostor = await signingKey(alg, key(alg).kid);
    await refused(accessToken(impostor), 'invalid_signature');
  });

  it('refuses a truncated or empty signature as invalid, not as an error', async () => {
    const token = await accessToken(key('ES256'));
    await refused(token.slice(0, token.lastIndexOf('.') + 8), 'invalid_signature');
    await refused(token.slice(0, token.lastIndexOf('.') + 1), 'invalid_signature');
  });
});

describe('verifyAccessToken: the algorithm allow-list', () => {
  it('refuses alg none, with or without a signature', async () => {
    const body = encode(claims());
    await refused(`${encode({ alg: 'none', typ: 'at+jwt' })}.${body}.`, 'alg_not_allowed');
    const signed = await accessToken(key('ES256'));
    await refused(`${encode({ alg: 'none', typ: 'at+jwt' })}.${body}.${signed.split('.')[2]}`, 'alg_not_allowed');
  });

  it('refuses HS256 signed with the client secret', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(CLIENT_SECRET));
    await refused(token, 'alg_not_allowed');
  });

  it('refuses HS256 keyed with the public key (algorithm confusion)', async () => {
    const rsa = key('RS256');
    const secret = new TextEncoder().encode(JSON.stringify(rsa.publicJwk));
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })
      .sign(secret);
    await refused(token, 'alg_not_allowed');
  });

  it.each(['ES256K', 'RSA1_5', 'HS512', 'made-up'])('refuses alg %s', async (alg) => {
    const token = await accessToken(key('ES256'));
    const [, body, signature] = token.split('.');
    await refused(`${encode({ alg, kid: key('ES256').kid, typ: 'at+jwt' })}.${body}.${signature}`, 'alg_not_allowed');
  });

  it('binds a key to its alg: an RS256 key does not verify a PS256 signature it made', async () => {
    const rsa = key('RS256');
    const asPss = await importJWK(await exportJWK(rsa.privateKey), 'PS256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'PS256', kid: rsa.kid, typ: 'at+jwt' })
      .sign(asPss);
    await refused(token, 'unknown_kid');
  });

  it('binds a key to its type: a header naming another key type finds no key', async () => {
    for (const [signer, alg] of [
      ['RS256', 'ES256'],
      ['ES256', 'RS256'],
      ['EdDSA', 'ES256'],
      ['ES256', 'EdDSA'],
    ] as const) {
      const token = await accessToken(key(signer));
      const [, body, signature] = token.split('.');
      await refused(`${encode({ alg, kid: key(signer).kid, typ: 'at+jwt' })}.${body}.${signature}`, 'unknown_kid');
    }
  });

  it('refuses RSA keys shorter than 2048 bits', async () => {
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const short = await FakeOP.create();
    short.keys = [];
    short.extraJwks = [{ ...(await exportJWK(pair.publicKey)), kid: 'short', alg: 'RS256' }];
    const now = short.now();
    const input = `${encode({ alg: 'RS256', kid: 'short', typ: 'at+jwt' })}.${encode({
      iss: short.issuer,
      aud: API,
      sub: 'alice',
      client_id: 'svc',
      jti: 'j',
      iat: now,
      exp: now + 300,
    })}`;
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, new TextEncoder().encode(input));
    const token = `${input}.${base64url.encode(new Uint8Array(signature))}`;
    const error = await rejection(short.client().verifyAccessToken(token, { audience: API }));
    expect(error.code).toBe('unknown_kid');
  });
});

describe('verifyAccessToken: key material over an insecure channel', () => {
  it('refuses a plain-http jwks_uri on a non-loopback host before fetching it, unless allowInsecureRequests', async () => {
    const insecure = await FakeOP.create({ algs: ['ES256'] });
    const keysAt = 'http://keys.example.test/jwks';
    insecure.metadata.jwks_uri = keysAt;
    let fetched = 0;
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input instanceof Request ? input.url : input) === keysAt) {
        fetched++;
        return new Response(JSON.stringify({ keys: insecure.keys.map((k) => k.publicJwk) }), {
          headers: { 'content-type': 'application/json' },
        });
      }
      return insecure.fetch(input, init);
    };
    const now = insecure.now();
    const token = await insecure.sign(
      { iss: insecure.issuer, aud: API, sub: 'alice', client_id: 'svc', jti: 'j', iat: now, exp: now + 60 },
      { typ: 'at+jwt' },
    );
    for (const verify of [
      () => insecure.client({ fetch }).verifyAccessToken(token, { audience: API }),
      async () => {
        const client = insecure.client({ fetch });
        const request = await client.createAuthorizationUrl();
        insecure.on('/token', async () =>
          Response.json({
            access_token: 'at',
            token_type: 'Bearer',
            id_token: await insecure.idToken({ nonce: request.nonce }),
          }),
        );
        return client.handleCallback(insecure.callback({ code: 'c', state: request.state }), request);
      },
    ]) {
      const error = await rejection(verify());
      expect(ConfigurationError.is(error), String(error)).toBe(true);
      expect(error.code).toBe('insecure_request');
    }
    expect(fetched).toBe(0);
    const allowed = await insecure
      .client({ fetch, allowInsecureRequests: true })
      .verifyAccessToken(token, { audience: API });
    expect(allowed.sub).toBe('alice');
    expect(fetched).toBe(1);
  });

  it('refuses a jwks_uri that is not an http(s) URL', async () => {
    const odd = await FakeOP.create({ algs: ['ES256'] });
    const token = await odd.sign({ iss: odd.issuer }, { typ: 'at+jwt' });
    for (const uri of ['file:///etc/keys.json', 'javascript:alert(1)', 'not a url', 42]) {
      odd.metadata.jwks_uri = uri;
      const error = await rejection(odd.client().verifyAccessToken(token, { audience: API }));
      expect(ConfigurationError.is(error), String(uri)).toBe(true);
      expect(error.code).toBe('invalid_url');
    }
  });
});

describe('verifyAccessToken: size', () => {
  it(`refuses a JWT over ${MAX_JWT_LENGTH} characters before decoding it (jwt_too_large)`, async () => {
    const big = await op.sign({ ...claims(), pad: 'x'.repeat(MAX_JWT_LENGTH) }, { typ: 'at+jwt' }, key('ES256'));
    await refused(big, 'jwt_too_large');
    await refused(`${'a'.repeat(MAX_JWT_LENGTH)}.b.c`, 'jwt_too_large');
    // Just under the limit is decoded and verified as usual.
    const padded = await op.sign({ ...claims(), pad: 'x'.repeat(MAX_JWT_LENGTH / 2) }, { typ: 'at+jwt' }, key('ES256'));
    expect(padded.length).toBeLessThan(MAX_JWT_LENGTH);
    expect((await op.client().verifyAccessToken(padded, { audience: API })).sub).toBe('alice');
  });
});
