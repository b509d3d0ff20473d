// JWT access-token verification (RFC 9068), per token, in one run: @keyway/core's
// `client.verifyAccessToken()` against the floor (crypto.subtle.verify on a pre-imported key), jose's
// jwtVerify (a local JWKS and a pre-imported key) and oauth4webapi's validateJwtAccessToken. Every
// contender verifies the signature against the same key; all but the floor also check the claims.
// ID tokens go through the same verifier in core (verifyJwt + claim checks), so the numbers carry over.
// KEYWAY_BENCH_BASELINE=/path/to/an/older/core/dist/index.js adds that build of core as a contender, to
// compare a change with what it replaces in one run (see README.md).
import { discover } from '@keyway/core';
import { createMockKeyway } from '@keyway/mocks';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';

const AUDIENCE = 'https://api.example.com/';

const WEB_CRYPTO_ALGORITHMS = {
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verify: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
};

const baseline = process.env.KEYWAY_BENCH_BASELINE ? await import(process.env.KEYWAY_BENCH_BASELINE) : undefined;

/**
 * Microseconds of this process's CPU time (every thread: Web Crypto runs on libuv's pool) per call of
 * `fn`, run `n` times one after the other. CPU time, not wall time: other processes on a shared
 * machine do not count.
 */
async function timePerOp(fn, n) {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await fn();
  }
  const { user, system } = process.cpuUsage(before);
  return (user + system) / n;
}

async function contenders(alg) {
  // One issuer per algorithm: core caches a JWKS per jwks_uri for the whole process, and each mock has
  // its own keys.
  const mock = createMockKeyway({ alg, issuer: `https://${alg.toLowerCase()}.keyway.test` });
  const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
  const jwks = await mock.jwks();
  const [jwk] = jwks.keys;
  const issuer = mock.issuer;

  // @keyway/core: discovery and JWKS through the mock's in-process fetch (no sockets), cached after the first call.
  const clientOptions = { clientId: 'test-client', clientSecret: 'test-secret', fetch: mock.fetch };
  const client = await discover(issuer, clientOptions);
  const baselineClient = baseline ? await baseline.discover(issuer, clientOptions) : undefined;

  // The floor: Web Crypto on a key imported once; split, base64url-decode, verify. No claim checks.
  const spec = WEB_CRYPTO_ALGORITHMS[alg];
  const cryptoKey = await crypto.subtle.importKey('jwk', jwk, spec.import, false, ['verify']);
  const encoder = new TextEncoder();
  const raw = async () => {
    const dot = token.lastIndexOf('.');
    const ok = await crypto.subtle.verify(
      spec.verify,
      cryptoKey,
      Buffer.from(token.slice(dot + 1), 'base64url'),
      encoder.encode(token.slice(0, dot)),
    );
    if (!ok) {
      throw new Error('raw verify failed');
    }
  };

  const joseOptions = { issuer, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] };
  const localJwks = createLocalJWKSet(jwks);

  const as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await mock.fetch(`${issuer}/.well-known/openid-configuration`),
  );
  const jwksCache = {};
  const o4wOptions = { [oauth.customFetch]: mock.fetch, [oauth.jwksCache]: jwksCache };
  const request = new Request(`${AUDIENCE}things`, { headers: { authorization: `Bearer ${token}` } });

  return [
    { name: 'raw Web Crypto (floor)', fn: raw },
    { name: '@keyway/core verifyAccessToken', fn: () => client.verifyAccessToken(token, { audience: AUDIENCE }) },
    ...(baselineClient
      ? [
          {
            name: '@keyway/core baseline build',
            fn: () => baselineClient.verifyAccessToken(token, { audience: AUDIENCE }),
          },
        ]
      : []),
    { name: 'jose jwtVerify + local JWKS', fn: () => jwtVerify(token, localJwks, joseOptions) },
    { name: 'jose jwtVerify + imported key', fn: () => jwtVerify(token, cryptoKey, joseOptions) },
    {
      name: 'oauth4webapi validateJwtAccessToken',
      fn: () => oauth.validateJwtAccessToken(as, request, AUDIENCE, o4wOptions),
    },
  ];
}

/**
 * For each algorithm: µs per verification of each contender (median of `rounds`, contenders
 * interleaved in every round so machine noise hits them alike) and the ratio to the floor.
 */
export async function benchVerify({ algorithms = ['RS256', 'ES256', 'EdDSA'], n = 1_000, rounds = 7 } = {}) {
  const results = [];
  for (const alg of algorithms) {
    const rows = await contenders(alg);
    for (const row of rows) {
      try {
        await row.fn(); // correctness and caches (JWKS, imported keys) before timing
      } catch (error) {
        // A contender that cannot verify this algorithm (an older core refused EdDSA access tokens).
        row.unsupported = error?.code ?? error?.name ?? 'error';
        continue;
      }
      await timePerOp(row.fn, Math.ceil(n / 5));
      row.samples = [];
    }
    for (let round = 0; round < rounds; round++) {
      for (const row of rows) {
        if (!row.unsupported) {
          row.samples.push(await timePerOp(row.fn, n));
        }
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const floor = median(rows[0].samples);
    results.push({
      alg,
      rows: rows.map((row) =>
        row.unsupported
          ? { name: row.name, unsupported: row.unsupported }
          : { name: row.name, micros: median(row.samples), ratio: median(row.samples) / floor },
      ),
    });
  }
  return results;
}
