import { UnsupportedRuntimeError } from '@keyway/mocks';
import { TokenStoreError } from '@keyway/token-store';
import { describe, expect, it } from 'vitest';
import {
  CallbackError,
  ConfigurationError,
  InternalServerError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  LoginRequiredError,
  NotFoundError,
  OAuthError,
  RateLimitError,
} from './errors.js';
import * as core from './index.js';

const BRANDS = Symbol.for('keyway.error.brands');

type ErrorClass = (abstract new (...args: never[]) => Error) & { brand: string; revivable: readonly string[] };

/** Every error class the root entry exports, found by its `brand` (not by a list kept here). */
const errorClasses = Object.entries(core as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error,
);

/**
 * Each class built with `code: undefined` and `cause: undefined` spelled out, and the code it must
 * still have. A class exported later without an entry here fails the first test.
 */
const unset = { code: undefined, cause: undefined };
const defaults: Record<string, [() => KeywayError, string]> = {
  KeywayError: [() => new KeywayError('x', unset), 'keyway_error'],
  ConfigurationError: [() => new ConfigurationError('x', unset), 'configuration_error'],
  KeywayConnectionError: [() => new KeywayConnectionError(undefined, unset), 'connection_error'],
  KeywayTimeoutError: [() => new KeywayTimeoutError(100, { ...unset, message: undefined }), 'timeout'],
  KeywayAbortError: [() => new core.KeywayAbortError(undefined, unset), 'aborted'],
  InvalidResponseError: [() => new core.InvalidResponseError('x', { ...unset, status: undefined }), 'invalid_response'],
  OAuthError: [() => new OAuthError({ error: 'invalid_grant' }, { ...unset, status: undefined }), 'invalid_grant'],
  TokenValidationError: [() => new core.TokenValidationError('x', unset), 'token_validation_failed'],
  CallbackError: [() => new CallbackError('x', { ...unset, error: 'access_denied' }), 'access_denied'],
  DeviceFlowError: [() => new core.DeviceFlowError('x', unset), 'device_flow_error'],
  LoginRequiredError: [() => new LoginRequiredError('x', unset), 'login_required'],
  KeywayApiError: [() => new KeywayApiError(418, { code: 'teapot' }, {}, undefined, unset), 'teapot'],
};
for (const [name, Class] of errorClasses) {
  if (Class.prototype instanceof KeywayApiError) {
    const ApiClass = Class as unknown as typeof KeywayApiError;
    defaults[name] = [() => new ApiClass(500, 'down', {}, undefined, unset), 'http_500'];
  }
}

describe('error constructors', () => {
  it('finds every exported error class', () => {
    expect(errorClasses.map(([name]) => name).sort()).toEqual(Object.keys(defaults).sort());
    expect(errorClasses.length).toBeGreaterThanOrEqual(20);
  });

  it('keep their default code when `code` (or `cause`) is given as undefined', () => {
    for (const [name, [make, code]] of Object.entries(defaults)) {
      const error = make();
      expect(error.code, name).toBe(code);
      expect(error.name, name).toBe(name);
      expect('cause' in error, name).toBe(false);
    }
    expect(new CallbackError('x', unset).code).toBe('callback_error');
    expect(new KeywayApiError(404, { code: 'not_found' }, {}).code).toBe('not_found');
  });

  it('still take an explicit code over the default', () => {
    expect(new ConfigurationError('x', { code: 'invalid_argument' }).code).toBe('invalid_argument');
    expect(new KeywayTimeoutError(5, { code: 'sync_timeout' }).code).toBe('sync_timeout');
    expect(new OAuthError({ error: 'invalid_grant' }, { code: 'refresh_refused' }).code).toBe('refresh_refused');
    expect(new KeywayApiError(404, { code: 'not_found' }, {}, undefined, { code: 'gone' }).code).toBe('gone');
  });
});

describe('the brand protocol', () => {
  it('stamps the brands of the class chain, most derived first, frozen and out of sight', () => {
    const error = KeywayApiError.generate(404, undefined, { 'x-request-id': 'req_1' });
    const brands = (error as unknown as Record<symbol, unknown>)[BRANDS];
    expect(brands).toEqual(['NotFoundError', 'KeywayApiError', 'KeywayError']);
    expect(Object.isFrozen(brands)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(error, BRANDS)?.enumerable).toBe(false);
    expect(Object.keys(JSON.parse(JSON.stringify(error))).sort()).toEqual(
      ['code', 'message', 'name', 'requestId', 'status'].sort(),
    );
  });

  it('is() reads the brand list: subclasses yes, siblings and parents no', () => {
    const notFound = KeywayApiError.generate(404, undefined, {});
    expect(KeywayError.is(notFound)).toBe(true);
    expect(KeywayApiError.is(notFound)).toBe(true);
    expect(NotFoundError.is(notFound)).toBe(true);
    expect(RateLimitError.is(notFound)).toBe(false);
    expect(NotFoundError.is(new KeywayApiError(404, undefined, {}))).toBe(false);
    expect(KeywayConnectionError.is(new KeywayTimeoutError(1))).toBe(true);
    for (const value of [null, undefined, 'KeywayError', 1, new Error('x'), { code: 'timeout' }]) {
      expect(KeywayError.is(value)).toBe(false);
    }
  });

  it('recognises errors of another copy of the packages by the brand list alone', () => {
    const foreign = Object.defineProperty(new Error('from a duplicate bundle'), BRANDS, {
      value: ['InternalServerError', 'KeywayApiError', 'KeywayError'],
    });
    expect(KeywayError.is(foreign)).toBe(true);
    expect(InternalServerError.is(foreign)).toBe(true);
    expect(NotFoundError.is(foreign)).toBe(false);
  });

  it("covers @keyway/token-store's errors, which do not import core", () => {
    const error = new TokenStoreError('Redis is unreachable.', { code: 'backend_error' });
    expect(KeywayError.is(error)).toBe(true);
    expect(TokenStoreError.is(error)).toBe(true);
    expect(ConfigurationError.is(error)).toBe(false);
    expect(TokenStoreError.is(new KeywayError('x'))).toBe(false);
    expect((error as unknown as Record<symbol, unknown>)[BRANDS]).toEqual(['TokenStoreError', 'KeywayError']);

    // Narrowed by KeywayError.is, the members of a KeywayError are there.
    expect(KeywayError.is(error) && error.toJSON()).toEqual({ name: 'TokenStoreError', code: 'backend_error' });
  });

  it("covers @keyway/mocks' UnsupportedRuntimeError, which does not import core", () => {
    const error = new UnsupportedRuntimeError('listen', 'listen() needs Node.js');
    expect(KeywayError.is(error)).toBe(true);
    expect(UnsupportedRuntimeError.is(error)).toBe(true);
    expect(UnsupportedRuntimeError.is(new KeywayError('x'))).toBe(false);
    expect(KeywayError.is(error) && error.toJSON()).toMatchObject({ code: 'unsupported_runtime', feature: 'listen' });
  });

  it('declares revivable fields that every instance has as own properties', () => {
    for (const [name, [make]] of Object.entries(defaults)) {
      const error = make();
      for (let ctor: unknown = error.constructor; ctor !== Error; ctor = Object.getPrototypeOf(ctor)) {
        const own = Object.hasOwn(ctor as object, 'revivable') ? (ctor as ErrorClass).revivable : [];
        for (const field of own) {
          expect(Object.hasOwn(error, field), `${name}.${field}`).toBe(true);
        }
      }
    }
    expect(KeywayApiError.revivable).toEqual(['status', 'body', 'headers', 'requestId', 'method', 'url']);
    expect(NotFoundError.revivable).toBe(KeywayApiError.revivable);
  });
});
