import {
  CallbackError,
  ConfigurationError,
  DeviceFlowError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  LoginRequiredError,
  OAuthError,
  RateLimitError,
  TokenValidationError,
} from '@keyway/core';
import { TokenStoreError } from '@keyway/token-store';
import { CorruptTokenFileError } from '@keyway/token-store/file';
import { describe, expect, it } from 'vitest';
import { InteractionRequiredError, LoginTimeoutError } from '../../errors.js';
import { SyncWorkerError } from '../errors.js';
import { KNOWN_ERRORS, reviveError } from './revive-error.js';
import { serializeError } from './serialize-error.js';

const BRANDS = Symbol.for('keyway.error.brands');

/** Worker to caller, as the bridge carries it: serialized, structured-cloned, revived. */
const roundTrip = (error: unknown): Error => reviveError(structuredClone(serializeError(error)));

const brandsOf = (error: unknown): unknown => (error as Record<symbol, unknown>)[BRANDS];

const apiStatuses = [400, 401, 403, 404, 409, 422, 429, 500, 418];

/** One error of every class the bridge knows (checked against the registry below). */
const samples: Error[] = [
  new KeywayError('Something failed.', { code: 'custom' }),
  new ConfigurationError('`timeout` must be a number.', { code: 'invalid_argument' }),
  new KeywayConnectionError(),
  new KeywayTimeoutError(250, { code: 'sync_timeout', message: 'The call did not finish within 250 ms.' }),
  new KeywayAbortError(),
  new InvalidResponseError('The token response is not JSON.', { status: 200 }),
  new OAuthError(
    { error: 'invalid_grant', error_description: 'expired', error_uri: 'https://e.test/e' },
    { status: 400 },
  ),
  new TokenValidationError('The nonce does not match.', { code: 'nonce_mismatch' }),
  new CallbackError('The provider refused.', { error: 'access_denied', error_description: 'no' }),
  new DeviceFlowError('The device code expired.', { code: 'expired_token' }),
  new LoginRequiredError('Log in again.'),
  ...apiStatuses.map((status) =>
    KeywayApiError.generate(
      status,
      { code: `problem_${status}`, title: 'Problem' },
      { 'x-request-id': `req_${status}` },
    ),
  ),
  new TokenStoreError('Redis is unreachable.', { code: 'backend_error' }),
  new CorruptTokenFileError('/home/u/.cache/keyway/tokens.json', '/home/u/.cache/keyway/tokens.json.corrupt-1', 'x'),
  new InteractionRequiredError('Run `keyway login` first.', { issuer: 'https://auth.example.com', clientId: 'cli' }),
  new LoginTimeoutError(60_000),
  new SyncWorkerError('The worker stopped.', { code: 'sync_worker_crashed' }),
];

describe('the error registry of the sync bridge', () => {
  it('holds every error class of the packages the bridge imports, found by brand', () => {
    expect([...KNOWN_ERRORS.keys()].sort()).toEqual([...new Set(samples.map((error) => error.name))].sort());
    for (const [brand, Class] of KNOWN_ERRORS) {
      expect(Class.brand).toBe(brand);
    }
  });
});

describe('serializeError + reviveError', () => {
  it('rebuild every known class: same class, brands, name, message, code and declared fields', () => {
    for (const original of samples) {
      const revived = roundTrip(original);
      expect(Object.getPrototypeOf(revived), original.name).toBe(Object.getPrototypeOf(original));
      expect(brandsOf(revived), original.name).toEqual(brandsOf(original));
      expect(Object.isFrozen(brandsOf(revived))).toBe(true);
      expect(revived.message, original.name).toBe(original.message);
      expect({ ...revived }, original.name).toEqual({ ...original });
      expect(JSON.stringify(revived), original.name).toBe(JSON.stringify(original));
      expect(KeywayError.is(revived), original.name).toBe(true);
    }
  });

  it("give the error the caller's stack, headed by its name and message", () => {
    const revived = roundTrip(new InvalidResponseError('Not JSON.', { status: 200 }));
    expect(revived.stack).toMatch(/^InvalidResponseError: Not JSON\.\n\s+at /);
    expect(revived.stack).toContain('revive-error.test.ts');
  });

  it('keep what the getters read: RateLimitError.retryAfter from the headers', () => {
    const revived = roundTrip(KeywayApiError.generate(429, undefined, { 'retry-after': '3' }));
    expect(revived).toBeInstanceOf(RateLimitError);
    expect((revived as RateLimitError).retryAfter).toBe(3);
  });

  it('rebuild a brand this thread does not know as its closest known class, keeping brands and fields', () => {
    // What @keyway/edge's EdgeAuthError is to @keyway/node, which does not import edge.
    class EdgeAuthError extends KeywayError {
      static override readonly brand: string = 'EdgeAuthError';
      static override readonly revivable: readonly string[] = ['reason', 'status', 'challenge', 'dpopNonce'];
      readonly reason = 'token_expired';
      readonly status = 401;
      readonly challenge = 'Bearer error="invalid_token"';
      readonly dpopNonce = undefined;
    }
    const revived = roundTrip(new EdgeAuthError('The token expired.', { code: 'invalid_token' }));
    expect(revived).toBeInstanceOf(KeywayError);
    expect(EdgeAuthError.is(revived)).toBe(true);
    expect(KeywayError.is(revived)).toBe(true);
    expect(brandsOf(revived)).toEqual(['EdgeAuthError', 'KeywayError']);
    expect(revived).toMatchObject({
      name: 'EdgeAuthError',
      code: 'invalid_token',
      message: 'The token expired.',
      reason: 'token_expired',
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });

    // A brand of a newer version below a known one: that class, the worker's brand list.
    class NewerTimeoutError extends KeywayTimeoutError {
      static override readonly brand: string = 'NewerTimeoutError';
    }
    const newer = roundTrip(new NewerTimeoutError(5));
    expect(newer).toBeInstanceOf(KeywayTimeoutError);
    expect(NewerTimeoutError.is(newer)).toBe(true);
    expect(newer).toMatchObject({ name: 'NewerTimeoutError', code: 'timeout', timeout: 5 });
  });

  it('rebuild causes, built-in errors with their code, and thrown non-errors', () => {
    const typeError = Object.assign(new TypeError('bad input'), { code: 'ERR_INVALID_ARG_TYPE' });
    const oauth = new OAuthError({ error: 'invalid_client' }, { status: 401, cause: typeError });
    const revived = roundTrip(new SyncWorkerError('stopped', { code: 'sync_worker_crashed', cause: oauth }));
    expect(SyncWorkerError.is(revived)).toBe(true);
    expect(revived.cause).toBeInstanceOf(OAuthError);
    expect((revived.cause as OAuthError).status).toBe(401);
    const inner = (revived.cause as Error).cause as Error & { code?: unknown };
    expect(inner).toBeInstanceOf(TypeError);
    expect(inner).toMatchObject({ message: 'bad input', code: 'ERR_INVALID_ARG_TYPE' });
    expect(KeywayError.is(inner)).toBe(false);

    const thrownString = roundTrip('plain string');
    expect(thrownString).toBeInstanceOf(Error);
    expect(thrownString.message).toBe('plain string');
  });

  it('send only the declared fields: never a stack, nor an undeclared field that could hold a secret', () => {
    const error = Object.assign(new ConfigurationError('Bad client options.'), { clientSecret: 's3cr3t-value' });
    const plain = Object.assign(new Error('boom'), { access_token: 'at-s3cr3t', status: 500 });
    for (const value of [error, plain]) {
      const serialized = JSON.stringify(serializeError(value));
      expect(serialized).not.toContain('s3cr3t');
      expect(serialized).not.toContain('at ');
      expect('clientSecret' in roundTrip(value)).toBe(false);
    }
    expect(serializeError(plain).fields).toEqual({});
  });
});
