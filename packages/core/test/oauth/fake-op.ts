/**
 * A tiny in-memory OpenID Provider for unit tests: real jose keys, a JWKS, discovery metadata and
 * per-route handlers the test sets. Its `fetch` is injected into the client (no global interception),
 * and every request is recorded so tests can check the wire.
 */
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { expect } from 'vitest';
import { KeywayAbortError, TokenValidationError } from '../../src/errors.js';
import type { Clock } from '../../src/oauth/clock.js';
import { setClock } from '../../src/oauth/clock.js';
import { clearJwksCache } from '../../src/oauth/jwks-cache.js';
import { OAuthClient } from '../../src/oauth/oauth-client.js';
import type { OAuthClientOptions } from '../../src/oauth/types.js';

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Headers;
  /** The form body (empty for GET). */
  body: URLSearchParams;
}

export type Handler = (call: RecordedCall) => Response | Promise<Response>;

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A clock whose `sleep` returns at once and moves time forward; every sleep is recorded. */
export interface FakeClock extends Clock {
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.now()): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) {
        throw new KeywayAbortError(undefined, { cause: signal.reason });
      }
      sleeps.push(ms);
      now += ms;
    },
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

let counter = 0;

export async function signingKey(alg: string, kid = `${alg.toLowerCase()}-${++counter}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'super-secret-value-123';
export const REDIRECT_URI = 'https://app.example.test/callback';

export class FakeOP {
  readonly issuer: string;
  readonly clock: FakeClock;
  metadata: Record<string, unknown>;
  keys: SigningKey[];
  /** Extra raw entries appended to the published JWKS. */
  extraJwks: unknown[] = [];
  readonly calls: RecordedCall[] = [];
  readonly routes = new Map<string, Handler>();

  private constructor(issuer: string, keys: SigningKey[], clock: FakeClock) {
    this.issuer = issuer;
    this.keys = keys;
    this.clock = clock;
    const endpoints = ['token', 'auth', 'par', 'device', 'introspect', 'revoke', 'userinfo', 'logout', 'jwks'];
    const at = Object.fromEntries(endpoints.map((name) => [name, `${issuer}/${name}`]));
    this.metadata = {
      issuer,
      authorization_endpoint: at.auth,
      token_endpoint: at.token,
      jwks_uri: at.jwks,
      pushed_authorization_request_endpoint: at.par,
      device_authorization_endpoint: at.device,
      introspection_endpoint: at.introspect,
      revocation_endpoint: at.revoke,
      userinfo_endpoint: at.userinfo,
      end_session_endpoint: at.logout,
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: [...new Set(keys.map((key) => key.alg))],
    };
    this.on('/jwks', () => json({ keys: [...this.keys.map((k) => k.publicJwk), ...this.extraJwks] }));
    this.on('/.well-known/openid-configuration', () => json(this.metadata));
  }

  static async create(options: { path?: string; algs?: string[]; clock?: FakeClock } = {}): Promise<FakeOP> {
    clearJwksCache();
    const issuer = `https://op${++counter}.example.test${options.path ?? ''}`;
    const keys = await Promise.all((options.algs ?? ['ES256']).map((alg) => signingKey(alg)));
    return new FakeOP(issuer, keys, options.clock ?? fakeClock());
  }

  /** Epoch seconds on the OP's (fake) clock. */
  now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** Sets the handler for a path under the issuer (e.g. `/token`). */
  on(path: string, handler: Handler): this {
    this.routes.set(new URL(`${this.issuer}${path}`).pathname, handler);
    return this;
  }

  /** Calls made to `path` (under the issuer). */
  callsTo(path: string): RecordedCall[] {
    const pathname = new URL(`${this.issuer}${path}`).pathname;
    return this.calls.filter((call) => call.url.pathname === pathname);
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const call: RecordedCall = {
      method: request.method,
      url,
      headers: request.headers,
      body: new URLSearchParams(text),
    };
    this.calls.push(call);
    const handler = url.origin === new URL(this.issuer).origin ? this.routes.get(url.pathname) : undefined;
    return handler ? handler(call) : json({ error: 'not_found' }, 404);
  };

  /** Default ID token claims for `CLIENT_ID`, subject `alice`. */
  claims(overrides: Record<string, unknown> = {}): JWTPayload {
    const now = this.now();
    return { iss: this.issuer, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 300, ...overrides };
  }

  /** Signs `payload` with `key` (default: the first key); `header` overrides the protected header. */
  async sign(payload: JWTPayload, header: Record<string, unknown> = {}, key = this.keys[0]!): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
  }

  /** An ID token with default claims plus `overrides` (a key set to `undefined` is dropped). */
  async idToken(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key?: SigningKey) {
    const claims = Object.fromEntries(Object.entries(this.claims(overrides)).filter(([, v]) => v !== undefined));
    return this.sign(claims, header, key);
  }

  /** A client for this OP with the fake fetch and clock injected. */
  client(options: Partial<OAuthClientOptions> = {}): OAuthClient {
    const client = new OAuthClient(this.metadata as never, {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      fetch: this.fetch,
      retry: { maxRetries: 2, initialDelay: 1, maxDelay: 2 },
      ...options,
    });
    setClock(client, this.clock);
    return client;
  }

  /** The redirect back to the client, as the OP would build it. */
  callback(params: Record<string, string | undefined>): URL {
    const url = new URL(REDIRECT_URI);
    for (const [name, value] of Object.entries({ iss: this.issuer, ...params })) {
      if (value !== undefined) {
        url.searchParams.set(name, value);
      }
    }
    return url;
  }
}

/** Awaits `promise`, which must reject; returns the error for assertions (typed as `T`). */
export async function rejection<T = Error & { code?: string; [k: string]: unknown }>(
  promise: Promise<unknown>,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a rejection');
}

/** The `code` of the `TokenValidationError` that `promise` must reject with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(TokenValidationError.is(error), String(error)).toBe(true);
  return (error as TokenValidationError).code;
}

/** The client id and secret of a `Basic` Authorization header, form-decoded (RFC 6749 §2.3.1). */
export function basicCredentials(header: string | null): [string, string] | undefined {
  if (!header?.startsWith('Basic ')) {
    return undefined;
  }
  const [id = '', secret = ''] = atob(header.slice(6)).split(':');
  const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return [decode(id), decode(secret)];
}
