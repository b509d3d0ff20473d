import { randomBytes } from 'node:crypto';
import {
  ConfigurationError,
  InternalServerError,
  InvalidResponseError,
  KeywayConnectionError,
  KeywayTimeoutError,
  NotFoundError,
  TokenValidationError,
} from '@keyway/core';
import { base64url } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  closedPort,
  codeFlow,
  expectError,
  newClient,
  newEdgeVerifier,
  newSecret,
  newVerifier,
  secretScan,
  useHostileOp,
} from '../src/index.ts';

const op = useHostileOp();
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the wall clock (Date only; timers stay real) past the 30 s JWKS cooldown. */
function pastCooldown() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 31_000);
}

const INSECURE_JWKS = 'http://jwks.example.test/jwks';

describe('JWKS: rotation and refetch limits', () => {
  it('accepts a token under a new kid after a refetch once the cooldown has passed (rotation)', async () => {
    const { verifier, net } = newVerifier(op);
    await verifier.verify(await op.accessToken());
    pastCooldown();
    op.scenario = { published: ['next'] };
    const claims = await verifier.verify(await op.accessToken({ key: 'next' }));
    expect(claims.sub).toBe('alice');
    expect(op.count('jwks')).toBe(2);
    expect(net.requests.filter((r) => r.url.pathname === '/jwks')).toHaveLength(2);
  });

  it('does not refetch for an unknown kid within the cooldown of the last fetch', async () => {
    const { verifier } = newVerifier(op);
    await verifier.verify(await op.accessToken());
    op.scenario = { published: ['rs', 'next'] };
    await expectError(verifier.verify(await op.accessToken({ key: 'next' })), TokenValidationError, 'unknown_kid');
    expect(op.count('jwks')).toBe(1);
  });

  it('costs at most one refetch for a flood of 100 tokens with random kids', async () => {
    const { verifier } = newVerifier(op);
    const tokens = await Promise.all(
      Array.from({ length: 100 }, () => op.accessToken({ header: { kid: base64url.encode(randomBytes(8)) } })),
    );
    const results = await Promise.allSettled(tokens.map((token) => verifier.verify(token)));
    expect(results.every((r) => r.status === 'rejected' && TokenValidationError.is(r.reason))).toBe(true);
    expect(new Set(results.map((r) => (r as PromiseRejectedResult).reason.code))).toEqual(new Set(['unknown_kid']));
    expect(op.count('jwks')).toBeLessThanOrEqual(2);
  });

  it('costs exactly one refetch for a flood of 100 random kids arriving after the cooldown', async () => {
    const { verifier } = newVerifier(op);
    await verifier.verify(await op.accessToken());
    pastCooldown();
    for (let i = 0; i < 100; i++) {
      await expectError(
        verifier.verify(await op.accessToken({ header: { kid: `random-${i}` } })),
        TokenValidationError,
        'unknown_kid',
      );
    }
    expect(op.count('jwks')).toBe(2);
  });

  it('refetches a JWKS that failed once the cooldown has passed, and then verifies', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: [{ status: 500, body: 'down' }] };
    await expect(verifier.verify(await op.accessToken())).rejects.toThrow();
    pastCooldown();
    const claims = await verifier.verify(await op.accessToken());
    expect(claims.sub).toBe('alice');
    expect(op.count('jwks')).toBe(2);
  });
});

describe('JWKS: outages are typed and cooled down', () => {
  it('reports a JWKS 500 as InternalServerError with status and headers', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { status: 500, body: '<h1>Internal Server Error</h1>', headers: { 'x-request-id': 'r-1' } } };
    const error = await expectError<InternalServerError>(
      verifier.verify(await op.accessToken()),
      InternalServerError,
      'http_500',
    );
    expect(error.status).toBe(500);
    expect(error.headers['x-request-id']).toBe('r-1');
  });

  it('does not refetch a failing JWKS during the cooldown: later verifications fail at once with the same class', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { status: 500, body: 'down' } };
    for (let i = 0; i < 3; i++) {
      await expectError(verifier.verify(await op.accessToken()), InternalServerError, 'http_500');
    }
    expect(op.count('jwks')).toBe(1);
  });

  it('reports a refused JWKS connection as KeywayConnectionError and does not retry it during the cooldown', async () => {
    const port = await closedPort();
    op.scenario = { metadata: { jwks_uri: `http://127.0.0.1:${port}/jwks` } };
    const { verifier, net } = newVerifier(op);
    for (let i = 0; i < 3; i++) {
      const error = await expectError(
        verifier.verify(await op.accessToken()),
        KeywayConnectionError,
        'connection_error',
      );
      expect(KeywayTimeoutError.is(error)).toBe(false);
    }
    expect(net.countHost(`127.0.0.1:${port}`)).toBe(1);
  });

  it('reports a JWKS 404 as NotFoundError', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { status: 404, body: 'no such page' } };
    const error = await expectError<NotFoundError>(verifier.verify(await op.accessToken()), NotFoundError, 'http_404');
    expect(error.status).toBe(404);
  });

  it('reports a JWKS that is not JSON as InvalidResponseError invalid_jwks', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { body: '<html>keys</html>', headers: { 'content-type': 'text/html' } } };
    await expectError(verifier.verify(await op.accessToken()), InvalidResponseError, 'invalid_jwks');
  });

  it('reports a JWKS whose "keys" is not an array as invalid_jwks', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { body: { keys: 'rs-1' } } };
    await expectError(verifier.verify(await op.accessToken()), InvalidResponseError, 'invalid_jwks');
  });

  it('reports a JWKS endpoint that hangs after its headers as KeywayTimeoutError', async () => {
    const { verifier } = newVerifier(op, { timeout: 300 });
    op.scenario = { jwks: { hang: 'after-headers' } };
    await expectError(verifier.verify(await op.accessToken()), KeywayTimeoutError, 'timeout');
  });

  it('refuses a JWKS larger than maxResponseBytes (response_too_large)', async () => {
    const { verifier } = newVerifier(op, { maxResponseBytes: 1024 });
    op.scenario = { jwks: { hugeBody: { bytes: 4096 } } };
    await expectError(verifier.verify(await op.accessToken()), InvalidResponseError, 'response_too_large');
  });

  it('refuses a JWKS endpoint that redirects (unexpected_redirect)', async () => {
    const { verifier, net } = newVerifier(op);
    op.scenario = { jwks: { redirect: 'http://keys.example.test/jwks' } };
    await expectError(verifier.verify(await op.accessToken()), InvalidResponseError, 'unexpected_redirect');
    expect(net.countHost('keys.example.test')).toBe(0);
  });
});

describe('JWKS: which keys count', () => {
  it('does not use a key published for encryption only (use: enc)', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { body: { keys: [{ ...op.keys.rs.jwk, use: 'enc' }] } } };
    await expectError(verifier.verify(await op.accessToken()), TokenValidationError, 'unknown_kid');
  });

  it('does not use a key bound to another algorithm (alg RS512) for an RS256 token', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { jwks: { body: { keys: [{ ...op.keys.rs.jwk, alg: 'RS512' }] } } };
    await expectError(verifier.verify(await op.accessToken()), TokenValidationError, 'unknown_kid');
  });

  it('does not use a 1024-bit RSA key', async () => {
    const { verifier } = newVerifier(op);
    op.scenario = { published: ['weak'] };
    await expectError(verifier.verify(await op.accessToken({ key: 'weak' })), TokenValidationError, 'unknown_kid');
  });

  it('refuses an HS256 token whose kid names a symmetric (oct) key the JWKS publishes', async () => {
    const { verifier } = newVerifier(op);
    const k = newSecret('oct');
    op.scenario = { jwks: { body: { keys: [{ kty: 'oct', kid: 'sym', k: base64url.encode(k) }, op.keys.rs.jwk] } } };
    await expectError(
      verifier.verify(await op.accessToken({ hmac: k, header: { kid: 'sym' } })),
      TokenValidationError,
      'alg_not_allowed',
    );
  });

  it('refuses to verify ID tokens when the provider publishes no jwks_uri (missing_endpoint)', async () => {
    op.scenario = { metadata: { jwks_uri: undefined } };
    const { client } = newClient(op);
    await expectError(codeFlow(client), ConfigurationError, 'missing_endpoint');
  });
});

describe('JWKS: plain http to a non-loopback host', () => {
  const fakeJwks = () => ({ 'jwks.example.test': () => Response.json({ keys: [op.keys.rs.jwk, op.keys.es.jwk] }) });

  it('createAccessTokenVerifier refuses an http: jwks_uri without sending a request (insecure_request)', async () => {
    op.scenario = { metadata: { jwks_uri: INSECURE_JWKS } };
    const { verifier, net } = newVerifier(op, {}, fakeJwks());
    await expectError(verifier.verify(await op.accessToken()), ConfigurationError, 'insecure_request');
    expect(net.countHost('jwks.example.test')).toBe(0);
  });

  it('OAuthClient refuses an http: jwks_uri for ID tokens without sending a request (insecure_request)', async () => {
    op.scenario = { metadata: { jwks_uri: INSECURE_JWKS } };
    const { client, net } = newClient(op, {}, fakeJwks());
    await expectError(codeFlow(client), ConfigurationError, 'insecure_request');
    expect(net.countHost('jwks.example.test')).toBe(0);
  });

  it('OAuthClient.verifyAccessToken refuses an http: jwks_uri without sending a request (insecure_request)', async () => {
    op.scenario = { metadata: { jwks_uri: INSECURE_JWKS } };
    const { client, net } = newClient(op, {}, fakeJwks());
    await expectError(
      client.verifyAccessToken(await op.accessToken(), { audience: 'https://api.conformance.test' }),
      ConfigurationError,
      'insecure_request',
    );
    expect(net.countHost('jwks.example.test')).toBe(0);
  });

  it('edge createVerifier refuses an http: jwks_uri without sending a request (insecure_request)', async () => {
    op.scenario = { metadata: { jwks_uri: INSECURE_JWKS } };
    const { verifier, net } = newEdgeVerifier(op, {}, fakeJwks());
    await expectError(verifier.verify(await op.accessToken()), ConfigurationError, 'insecure_request');
    expect(net.countHost('jwks.example.test')).toBe(0);
  });

  it('fetches an http: jwks_uri when allowInsecureRequests is set, and verifies', async () => {
    op.scenario = { metadata: { jwks_uri: INSECURE_JWKS } };
    const { verifier, net } = newVerifier(op, { allowInsecureRequests: true }, fakeJwks());
    const claims = await verifier.verify(await op.accessToken());
    expect(claims.sub).toBe('alice');
    expect(net.countHost('jwks.example.test')).toBe(1);
  });
});

secretScan();
