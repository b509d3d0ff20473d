import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { basicCredentials, CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import type { TokenSet } from '../token-set.js';
import { createClientCredentialsClient } from './client-credentials-client.js';
import type { TokenEndpointAuthMethod } from './types.js';

const FAST_RETRY = { maxRetries: 2, initialDelay: 1, maxDelay: 2 };

function lightClient(op: FakeOP, options: Record<string, unknown> = {}) {
  return createClientCredentialsClient({
    issuer: op.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    fetch: op.fetch,
    retry: FAST_RETRY,
    ...options,
  });
}

/** What a call came to: the tokens (without `expires_at`, which each client stamps with its own clock) or the error. */
async function outcome(call: Promise<TokenSet>): Promise<unknown> {
  try {
    const { expires_at: _stamped, ...tokens } = await call;
    return { tokens };
  } catch (error) {
    const { name, code, message, status } = error as Error & { code?: string; status?: number };
    return { name, code, message, status };
  }
}

// Each answer of the token endpoint, read by OAuthClient.clientCredentials() and by the light client.
const answers: Record<string, () => Response> = {
  'a Bearer token': () => json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 300, scope: 'api' }),
  'a lower-case bearer type and expires_in as a string': () =>
    json({ access_token: 'at-2', token_type: 'bearer', expires_in: '60' }),
  'a DPoP-bound token for a request without a proof': () => json({ access_token: 'at', token_type: 'DPoP' }),
  'an unsupported token_type': () => json({ access_token: 'at', token_type: 'mac' }),
  'no access_token': () => json({ token_type: 'Bearer' }),
  'a negative expires_in': () => json({ access_token: 'at', token_type: 'Bearer', expires_in: -5 }),
  'expires_in not a number': () => json({ access_token: 'at', token_type: 'Bearer', expires_in: 'soon' }),
  'a body that is not JSON': () => new Response('<html>ok</html>', { status: 200 }),
  'a JSON array': () => json([]),
  'a 400 invalid_scope': () => json({ error: 'invalid_scope', error_description: 'no such scope' }, 400),
  'a 401 invalid_client with a challenge': () =>
    json({ error: 'invalid_client' }, 401, { 'www-authenticate': 'Basic realm="op"' }),
  'a 500 every time (retried, then reported)': () => json({ error: 'server_error' }, 500),
  'a 404 page': () => new Response('no such page', { status: 404 }),
  'a redirect': () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/token' } }),
  'a body past maxResponseBytes': () => json({ access_token: 'x'.repeat(4096), token_type: 'Bearer' }),
};

describe('createClientCredentialsClient reads every answer as OAuthClient.clientCredentials() does', () => {
  it.each(Object.keys(answers))('%s', async (name) => {
    const op = await FakeOP.create();
    op.on('/token', answers[name]!);
    const options = { maxResponseBytes: 2048 };
    const params = { scope: 'api', resource: 'https://api.example.com' };
    const expected = await outcome(op.client(options).clientCredentials(params));
    const full = op.callsTo('/token').map((call) => [...call.body].sort());
    op.calls.length = 0;
    expect(await outcome(lightClient(op, options).clientCredentials(params))).toEqual(expected);
    // The same requests, as many of them (retries included), with the same form fields.
    expect(op.callsTo('/token').map((call) => [...call.body].sort())).toEqual(full);
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    'never lets a server that echoes the request put the %s secret in an error',
    async (method) => {
      const op = await FakeOP.create();
      op.on('/token', (call) =>
        json(
          {
            error: 'invalid_client',
            error_description: `got ${call.headers.get('authorization')} and ${call.body.get('client_secret')}`,
          },
          401,
        ),
      );
      const error = await rejection(lightClient(op, { tokenEndpointAuthMethod: method }).clientCredentials());
      expect(error.name).toBe('OAuthError');
      expect(error.message).toContain('[redacted]');
      expect(JSON.stringify(error)).not.toContain(CLIENT_SECRET);
      expect(error.message).not.toContain(CLIENT_SECRET);
      const sent = op.callsTo('/token')[0]!.headers.get('authorization')?.split(' ')[1];
      if (sent !== undefined) {
        expect(error.message).not.toContain(sent);
      }
    },
  );

  it('stamps expires_at from expires_in at receipt, and drops an id_token it does not verify', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer', expires_in: 120, id_token: 'a.b.c' }));
    const before = Math.floor(Date.now() / 1000);
    const tokens = await lightClient(op).clientCredentials();
    expect(tokens.expires_at).toBeGreaterThanOrEqual(before + 120);
    expect(tokens.expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
    expect(tokens).not.toHaveProperty('id_token');
  });
});

describe('createClientCredentialsClient: client authentication', () => {
  const methods: [TokenEndpointAuthMethod, (call: { headers: Headers; body: URLSearchParams }) => unknown][] = [
    ['client_secret_basic', (call) => basicCredentials(call.headers.get('authorization'))],
    ['client_secret_post', (call) => [call.body.get('client_id'), call.body.get('client_secret')]],
  ];
  it.each(methods)('%s sends what OAuthClient sends', async (method, credentials) => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
    // A secret with every character form encoding treats specially.
    const clientSecret = "s3cr+t:/ é-_.!~*'()%";
    await op.client({ tokenEndpointAuthMethod: method, clientSecret }).clientCredentials();
    await lightClient(op, { tokenEndpointAuthMethod: method, clientSecret }).clientCredentials();
    const [full, light] = op.callsTo('/token');
    expect(credentials(light!)).toEqual([CLIENT_ID, clientSecret]);
    expect(light!.headers.get('authorization')).toBe(full!.headers.get('authorization'));
    expect([...light!.body].sort()).toEqual([...full!.body].sort());
  });

  it('private_key_jwt: a one-minute assertion about the client, for the issuer, signed by its key', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'client-key-1' };
    const client = lightClient(op, { clientSecret: undefined, privateKey: jwk });
    await client.clientCredentials();
    await client.clientCredentials();
    const [first, second] = op.callsTo('/token');
    expect(first!.body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(first!.body.get('client_id')).toBe(CLIENT_ID);
    expect(first!.headers.get('authorization')).toBeNull();
    const assertion = first!.body.get('client_assertion')!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'ES256', kid: 'client-key-1' });
    const { payload } = await jwtVerify(assertion, publicKey, {
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: op.issuer,
    });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(second!.body.get('client_assertion')).not.toBe(assertion);
  });

  it.each([
    ['RS256', 'RS256', {}],
    ['PS384', 'PS384', {}],
    ['ES384', 'ES384', {}],
    ['EdDSA', 'EdDSA', { crv: 'Ed25519' }],
  ] as const)(
    'private_key_jwt with a %s key: the header names the algorithm the key signs with',
    async (alg, expected, generate) => {
      const op = await FakeOP.create();
      op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...generate });
      // A JWK without `alg` (its key type says RS256 or EdDSA), and one that names it.
      const jwk = await exportJWK(privateKey);
      const inputs = [alg === 'RS256' || alg === 'EdDSA' ? jwk : { ...jwk, alg }, { key: privateKey, kid: 'k-2' }];
      for (const privateKeyInput of inputs) {
        op.calls.length = 0;
        await lightClient(op, { clientSecret: undefined, privateKey: privateKeyInput }).clientCredentials();
        const assertion = op.callsTo('/token')[0]!.body.get('client_assertion')!;
        expect(decodeProtectedHeader(assertion).alg).toBe(expected);
        await jwtVerify(assertion, publicKey, { issuer: CLIENT_ID, subject: CLIENT_ID, audience: op.issuer });
      }
    },
  );

  it('private_key_jwt refuses a public, short, symmetric or mismatched key before sending it', async () => {
    const op = await FakeOP.create();
    const rsa1024 = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const ec = await generateKeyPair('ES256', { extractable: true });
    const careless = [
      await exportJWK(ec.publicKey),
      await exportJWK(rsa1024.privateKey),
      { kty: 'oct', k: 'c2VjcmV0', d: 'x', alg: 'HS256' },
      { ...(await exportJWK(ec.privateKey)), alg: 'ES384' },
      { key: ec.publicKey },
    ];
    const refusals = [];
    for (const privateKey of careless) {
      const error = await rejection(lightClient(op, { clientSecret: undefined, privateKey }).clientCredentials());
      refusals.push([error.name, error.code]);
      expect(error.message).not.toContain(String((privateKey as { d?: string }).d ?? 'no-d'));
    }
    expect(refusals).toEqual(careless.map(() => ['ConfigurationError', 'invalid_private_key']));
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('client_secret_jwt: an HS256 assertion over the secret', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
    await lightClient(op, { tokenEndpointAuthMethod: 'client_secret_jwt' }).clientCredentials();
    const assertion = op.callsTo('/token')[0]!.body.get('client_assertion')!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'HS256' });
    await jwtVerify(assertion, new TextEncoder().encode(CLIENT_SECRET), { issuer: CLIENT_ID, audience: op.issuer });
  });
});

describe('createClientCredentialsClient: options and the provider', () => {
  it('refuses bad options as OAuthClient does, before anything is sent', async () => {
    const op = await FakeOP.create();
    expect(() => createClientCredentialsClient({ issuer: '', clientId: CLIENT_ID })).toThrow(ConfigurationError);
    expect(() => createClientCredentialsClient({ issuer: op.issuer, clientId: 7 as never })).toThrow(
      ConfigurationError,
    );
    const error = await rejection(
      Promise.resolve().then(() => lightClient(op, { tokenEndpointAuthMethod: 'client_secret_jwk' })),
    );
    expect(error.code).toBe('invalid_auth_method');
    const missing = await rejection(
      Promise.resolve().then(() =>
        lightClient(op, { clientSecret: undefined, tokenEndpointAuthMethod: 'client_secret_post' }),
      ),
    );
    expect(missing.code).toBe('missing_client_secret');
    const timeout = await rejection(Promise.resolve().then(() => lightClient(op, { timeout: Number.NaN })));
    expect(timeout.code).toBe('invalid_option');
    expect(op.calls).toHaveLength(0);
  });

  it('refuses a plain-http token endpoint on a non-loopback host without sending the secret', async () => {
    const op = await FakeOP.create();
    op.metadata.token_endpoint = 'http://op.example.test/token';
    const error = await rejection(lightClient(op).clientCredentials());
    expect(error.code).toBe('insecure_request');
    expect(op.calls.map((call) => call.url.pathname)).toEqual(['/.well-known/openid-configuration']);
  });

  it('a provider without a token endpoint is a ConfigurationError missing_endpoint', async () => {
    const op = await FakeOP.create();
    delete op.metadata.token_endpoint;
    expect((await rejection(lightClient(op).clientCredentials())).code).toBe('missing_endpoint');
  });

  it('discovers once per client, and does not refresh', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
    const client = lightClient(op);
    await Promise.all([client.clientCredentials(), client.clientCredentials()]);
    await client.clientCredentials();
    expect(op.callsTo('/.well-known/openid-configuration')).toHaveLength(1);
    expect(op.callsTo('/token')).toHaveLength(3);
    expect((await rejection(client.refresh('rt'))).code).toBe('unsupported_grant');
  });
});
