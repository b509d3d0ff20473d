/**
 * The error hierarchy of every Keyway package.
 *
 * One base class with a stable string `code`; checks use `static is()`, which works across
 * duplicate copies of this module (two bundles, two versions) because it reads a `Symbol.for` brand
 * rather than relying on `instanceof`. No message, `toString()`, `inspect` or JSON form carries a
 * secret: callers never pass raw token-endpoint bodies, tokens or client secrets into an error.
 *
 * The brand protocol, shared by the error classes of every Keyway package:
 * - a class names itself in an own `static brand` (its exported name) and lists in an own
 *   `static revivable` the fields it adds that are safe to copy to another thread or process;
 * - an instance carries, under `Symbol.for('keyway.error.brands')`, a frozen array of the brands of
 *   its class chain, most derived first, always ending with `'KeywayError'`;
 * - `X.is(value)` is true when that array includes `X.brand`.
 * `@keyway/token-store` and `@keyway/mocks` do not import core: their error roots stamp the same
 * array themselves (a few lines each), so `KeywayError.is()` is true for their errors too.
 */

import { printable } from './internal/printable.js';
import { parseRetryAfter } from './internal/retry-after.js';

const BRANDS = Symbol.for('keyway.error.brands');

type Branded = { [BRANDS]?: unknown };

/** The brands of `target`'s class chain (own `static brand` of each), most derived first. */
function brandsOf(target: unknown): readonly string[] {
  const brands: string[] = [];
  for (let ctor = target; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
    const brand = (ctor as { brand?: unknown }).brand;
    if (typeof brand === 'string' && Object.hasOwn(ctor, 'brand')) {
      brands.push(brand);
    }
  }
  return Object.freeze(brands);
}

/** Options accepted by every Keyway error constructor. */
export interface KeywayErrorOptions {
  /** A stable machine-readable code, e.g. `timeout` or `nonce_mismatch`. */
  code?: string;
  /** The underlying error, when one exists. Never a raw response body. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by Keyway.
 *
 * @example
 * ```ts
 * import { KeywayError } from '@keyway/core';
 *
 * try {
 *   await Promise.reject(new KeywayError('boom', { code: 'example' }));
 * } catch (error) {
 *   if (KeywayError.is(error)) console.log(error.code);
 * }
 * ```
 */
export class KeywayError extends Error {
  /** Brand shared by every copy of this class, whatever bundle it came from. */
  static readonly brand: string = 'KeywayError';
  /**
   * The fields this class adds (not its parents') that are safe to copy to another thread or process:
   * never a secret. With `code` and `message` they are all an error needs to be rebuilt elsewhere
   * (the sync bridge of `@keyway/node` does so).
   */
  static readonly revivable: readonly string[] = [];
  /** A stable machine-readable code. */
  readonly code: string;

  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.brand;
    this.code = options.code ?? 'keyway_error';
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target), enumerable: false });
  }

  /**
   * True when `value` is an instance of this class (or a subclass), even when it was created by
   * another copy of the Keyway packages. `KeywayError.is()` is true for the errors of every Keyway
   * package, `TokenStoreError` and `UnsupportedRuntimeError` included (they follow the same brand
   * protocol without extending this class).
   */
  static is<T extends abstract new (...args: never[]) => KeywayError>(
    this: T & { readonly brand: string },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) {
      return false;
    }
    const brands = (value as Branded)[BRANDS];
    return Array.isArray(brands) && brands.includes(this.brand);
  }

  /** A JSON form with no secrets: name, code and message (and subclass fields that are safe). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** The caller's mistake: bad options, plain `http:` to a non-loopback host, a missing endpoint. */
export class ConfigurationError extends KeywayError {
  static override readonly brand: string = 'ConfigurationError';
  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'configuration_error' });
  }
}

/** The request never got an HTTP answer: DNS failure, refused connection, reset socket. */
export class KeywayConnectionError extends KeywayError {
  static override readonly brand: string = 'KeywayConnectionError';
  constructor(message = 'Connection error.', options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'connection_error' });
  }
}

/** The request (including reading its whole response body) took longer than the timeout. */
export class KeywayTimeoutError extends KeywayConnectionError {
  static override readonly brand: string = 'KeywayTimeoutError';
  static override readonly revivable: readonly string[] = ['timeout'] satisfies (keyof KeywayTimeoutError)[];
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;
  /** `options.message` replaces the default text (`Request timed out after <timeout> ms.`). */
  constructor(timeout: number, options: KeywayErrorOptions & { message?: string } = {}) {
    const { message, ...rest } = options;
    super(message ?? `Request timed out after ${timeout} ms.`, { ...rest, code: rest.code ?? 'timeout' });
    this.timeout = timeout;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeout: this.timeout };
  }
}

/** The caller's `AbortSignal` fired. */
export class KeywayAbortError extends KeywayError {
  static override readonly brand: string = 'KeywayAbortError';
  constructor(message = 'The operation was aborted.', options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'aborted' });
  }
}

/**
 * The server's answer breaks the protocol: not JSON, missing or mistyped fields, an unusable JWKS,
 * an oversized body, an unexpected redirect, discovery metadata for another issuer.
 */
export class InvalidResponseError extends KeywayError {
  static override readonly brand: string = 'InvalidResponseError';
  static override readonly revivable: readonly string[] = ['status'] satisfies (keyof InvalidResponseError)[];
  /** HTTP status of the offending response, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, options: KeywayErrorOptions & { status?: number } = {}) {
    super(message, { ...options, code: options.code ?? 'invalid_response' });
    this.status = options.status;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/** Fields of an RFC 6749 error response. */
export interface OAuthErrorFields {
  error: string;
  error_description?: string | undefined;
  error_uri?: string | undefined;
}

/**
 * The authorization server said no, with an RFC 6749 error (`invalid_grant`, `invalid_client`, ...).
 * `code` equals `error`.
 */
export class OAuthError extends KeywayError {
  static override readonly brand: string = 'OAuthError';
  static override readonly revivable: readonly string[] = [
    'error',
    'error_description',
    'error_uri',
    'status',
  ] satisfies (keyof OAuthError)[];
  readonly error: string;
  readonly error_description: string | undefined;
  readonly error_uri: string | undefined;
  /** HTTP status of the response, when the error came in one (not for callback errors). */
  readonly status: number | undefined;

  constructor(fields: OAuthErrorFields, options: KeywayErrorOptions & { status?: number } = {}) {
    // A provider's words, quoted safely: no control or bidi character reaches a terminal or a log.
    const description = fields.error_description ? `: ${printable(fields.error_description, 300)}` : '';
    super(`OAuth error ${printable(fields.error, 80)}${description}`, {
      ...options,
      code: options.code ?? printable(fields.error, 80),
    });
    this.error = fields.error;
    this.error_description = fields.error_description;
    this.error_uri = fields.error_uri;
    this.status = options.status;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      error: this.error,
      error_description: this.error_description,
      error_uri: this.error_uri,
      status: this.status,
    };
  }
}

/** A token (ID token, JWT access token, token response) failed a validation rule. */
export class TokenValidationError extends KeywayError {
  static override readonly brand: string = 'TokenValidationError';
  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'token_validation_failed' });
  }
}

/**
 * An authorization callback was refused: the provider returned an error, `state` did not match or was
 * already used, or the RFC 9207 `iss` parameter was wrong or missing.
 */
export class CallbackError extends KeywayError {
  static override readonly brand: string = 'CallbackError';
  static override readonly revivable: readonly string[] = [
    'error',
    'error_description',
  ] satisfies (keyof CallbackError)[];
  /** The provider's `error` parameter, when the callback carried one. */
  readonly error: string | undefined;
  readonly error_description: string | undefined;
  constructor(
    message: string,
    options: KeywayErrorOptions & { error?: string | undefined; error_description?: string | undefined } = {},
  ) {
    super(message, {
      ...options,
      code: options.code ?? (options.error === undefined ? 'callback_error' : printable(options.error, 80)),
    });
    this.error = options.error;
    this.error_description = options.error_description;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, error_description: this.error_description };
  }
}

/** The device flow ended without tokens: `access_denied`, `expired_token`, or the code ran out. */
export class DeviceFlowError extends KeywayError {
  static override readonly brand: string = 'DeviceFlowError';
  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'device_flow_error' });
  }
}

/**
 * The refresh token is gone or was refused: the user has to log in again. A token source that
 * throws it has removed the stored token set for its key (and only that one).
 *
 * @example
 * ```ts
 * import { LoginRequiredError } from '@keyway/core';
 *
 * const error: unknown = new LoginRequiredError('No refresh token is stored for this key: log in again.');
 * if (LoginRequiredError.is(error)) console.log(error.code); // 'login_required'
 * ```
 */
export class LoginRequiredError extends KeywayError {
  static override readonly brand: string = 'LoginRequiredError';
  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'login_required' });
  }
}

/** Headers as a plain, lower-cased record (safe to log: these are response headers). */
export type ResponseHeaders = Record<string, string>;

/**
 * The Keyway service answered with a non-2xx status. Use `KeywayApiError.generate()` to build the
 * status-specific subclass.
 */
export class KeywayApiError extends KeywayError {
  static override readonly brand: string = 'KeywayApiError';
  static override readonly revivable: readonly string[] = [
    'status',
    'body',
    'headers',
    'requestId',
  ] satisfies (keyof KeywayApiError)[];
  /** HTTP status. */
  readonly status: number;
  /** The parsed body: an RFC 9457 problem object when the service sent one, else the text. */
  readonly body: unknown;
  /** Response headers, lower-cased. */
  readonly headers: ResponseHeaders;
  /** The service's `x-request-id`, for support requests. */
  readonly requestId: string | undefined;

  constructor(
    status: number,
    body: unknown,
    headers: ResponseHeaders,
    message?: string,
    options: KeywayErrorOptions = {},
  ) {
    super(message ?? KeywayApiError.describe(status, body), {
      ...options,
      code: options.code ?? problemCode(body) ?? `http_${status}`,
    });
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.requestId = headers['x-request-id'];
  }

  /** Builds the subclass that fits `status` (`message` replaces the one made from the body). */
  static generate(status: number, body: unknown, headers: ResponseHeaders, message?: string): KeywayApiError {
    const Subclass = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : KeywayApiError);
    return new Subclass(status, body, headers, message);
  }

  private static describe(status: number, body: unknown): string {
    if (isRecord(body)) {
      const detail = [body.title, body.detail].filter((part) => typeof part === 'string' && part).join(': ');
      if (detail) {
        return `${status} ${printable(detail, 300)}`;
      }
    }
    return `${status} status code`;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId };
  }
}

/** 400 */
export class BadRequestError extends KeywayApiError {
  static override readonly brand: string = 'BadRequestError';
}
/** 401 */
export class AuthenticationError extends KeywayApiError {
  static override readonly brand: string = 'AuthenticationError';
}
/** 403 */
export class PermissionDeniedError extends KeywayApiError {
  static override readonly brand: string = 'PermissionDeniedError';
}
/** 404 */
export class NotFoundError extends KeywayApiError {
  static override readonly brand: string = 'NotFoundError';
}
/** 409 */
export class ConflictError extends KeywayApiError {
  static override readonly brand: string = 'ConflictError';
}
/** 422 */
export class UnprocessableEntityError extends KeywayApiError {
  static override readonly brand: string = 'UnprocessableEntityError';
}
/** 429; `retryAfter` in seconds when the service sent `Retry-After`. */
export class RateLimitError extends KeywayApiError {
  static override readonly brand: string = 'RateLimitError';
  get retryAfter(): number | undefined {
    const seconds = parseRetryAfter(this.headers['retry-after']);
    return seconds === undefined ? undefined : seconds / 1000;
  }
}
/** 5xx */
export class InternalServerError extends KeywayApiError {
  static override readonly brand: string = 'InternalServerError';
}

const STATUS_CLASSES: Record<number, typeof KeywayApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problemCode(body: unknown): string | undefined {
  return isRecord(body) && typeof body.code === 'string' && body.code ? body.code : undefined;
}
