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

import { isRecord } from './internal/is-record.js';
import { printable } from './internal/printable.js';
import { parseRetryAfter } from './internal/retry-after.js';
import { requestSuffix } from './internal/sent-request.js';
import { serverMessage } from './internal/server-message.js';

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
 * The request an error is about, as it may be shown: its method and its URL cut to origin and path
 * (never the query, which may carry a code or a token). Absent when the error did not come from a request.
 */
interface RequestFields {
  /** `GET`, `POST`, ... */
  method?: string | undefined;
  /** Origin and path of the request URL, e.g. `https://api.keyway.dev/api/v1/validate`. */
  url?: string | undefined;
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

/**
 * The request never got an HTTP answer: DNS failure, refused connection, TLS failure, reset socket.
 * The message names the request (`GET https://host/path`) and, when the runtime gave one, the system
 * code (`ECONNREFUSED`, `ENOTFOUND`, ...).
 */
export class KeywayConnectionError extends KeywayError {
  static override readonly brand: string = 'KeywayConnectionError';
  static override readonly revivable: readonly string[] = ['method', 'url'] satisfies (keyof KeywayConnectionError)[];
  /** The method of the request that failed, when the error came from one. */
  readonly method: string | undefined;
  /** Origin and path of the request that failed (no query), when the error came from one. */
  readonly url: string | undefined;
  constructor(message = 'Connection error.', options: KeywayErrorOptions & RequestFields = {}) {
    const { method, url, ...rest } = options;
    super(message, { ...rest, code: rest.code ?? 'connection_error' });
    this.method = method;
    this.url = url;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method, url: this.url };
  }
}

/** The request (including reading its whole response body) took longer than the timeout. */
export class KeywayTimeoutError extends KeywayConnectionError {
  static override readonly brand: string = 'KeywayTimeoutError';
  static override readonly revivable: readonly string[] = ['timeout'] satisfies (keyof KeywayTimeoutError)[];
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;
  /** `options.message` replaces the default text (`Request timed out after <timeout> ms.`). */
  constructor(timeout: number, options: KeywayErrorOptions & RequestFields & { message?: string } = {}) {
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
  static override readonly revivable: readonly string[] = [
    'status',
    'method',
    'url',
  ] satisfies (keyof InvalidResponseError)[];
  /** HTTP status of the offending response, when there was one. */
  readonly status: number | undefined;
  /** The method of the request answered, when known. */
  readonly method: string | undefined;
  /** Origin and path of the request answered (no query), when known. */
  readonly url: string | undefined;
  constructor(message: string, options: KeywayErrorOptions & RequestFields & { status?: number } = {}) {
    const { method, url, status, ...rest } = options;
    super(message, { ...rest, code: rest.code ?? 'invalid_response' });
    this.status = status;
    this.method = method;
    this.url = url;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, method: this.method, url: this.url };
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
 * `code` equals `error`. When it came in an HTTP answer, the message ends with the request
 * (`(POST https://issuer/token)`), also in `method` and `url`.
 */
export class OAuthError extends KeywayError {
  static override readonly brand: string = 'OAuthError';
  static override readonly revivable: readonly string[] = [
    'error',
    'error_description',
    'error_uri',
    'status',
    'method',
    'url',
  ] satisfies (keyof OAuthError)[];
  readonly error: string;
  readonly error_description: string | undefined;
  readonly error_uri: string | undefined;
  /** HTTP status of the response, when the error came in one (not for callback errors). */
  readonly status: number | undefined;
  /** The method of the request answered, when the error came in an HTTP answer. */
  readonly method: string | undefined;
  /** Origin and path of the request answered (no query), when the error came in an HTTP answer. */
  readonly url: string | undefined;

  constructor(fields: OAuthErrorFields, options: KeywayErrorOptions & RequestFields & { status?: number } = {}) {
    const { method, url, status, ...rest } = options;
    // A provider's words, quoted safely: no control or bidi character reaches a terminal or a log.
    const description = fields.error_description ? `: ${printable(fields.error_description, 300)}` : '';
    super(`OAuth error ${printable(fields.error, 80)}${description}${requestSuffix({ method, url })}`, {
      ...rest,
      code: rest.code ?? printable(fields.error, 80),
    });
    this.error = fields.error;
    this.error_description = fields.error_description;
    this.error_uri = fields.error_uri;
    this.status = status;
    this.method = method;
    this.url = url;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      error: this.error,
      error_description: this.error_description,
      error_uri: this.error_uri,
      status: this.status,
      method: this.method,
      url: this.url,
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
 * An HTTP error status (4xx, 5xx) from the Keyway service or an OAuth endpoint. Use
 * `KeywayApiError.generate()` to build the status-specific subclass. The message says what the server
 * said (an RFC 9457 `title` and `detail`, or a short plain-text body), quoted safely, and names the
 * request: `404 Not Found: no such route (GET https://api.example.com/api/v1/validate)`.
 */
export class KeywayApiError extends KeywayError {
  static override readonly brand: string = 'KeywayApiError';
  static override readonly revivable: readonly string[] = [
    'status',
    'body',
    'headers',
    'requestId',
    'method',
    'url',
  ] satisfies (keyof KeywayApiError)[];
  /** HTTP status. */
  readonly status: number;
  /** The parsed body: an RFC 9457 problem object when the service sent one, else the text. */
  readonly body: unknown;
  /** Response headers, lower-cased. */
  readonly headers: ResponseHeaders;
  /** The service's `x-request-id`, for support requests. */
  readonly requestId: string | undefined;
  /** The method of the request answered, when known. */
  readonly method: string | undefined;
  /** Origin and path of the request answered (no query), when known. */
  readonly url: string | undefined;

  constructor(
    status: number,
    body: unknown,
    headers: ResponseHeaders,
    message?: string,
    options: KeywayErrorOptions & RequestFields = {},
  ) {
    const { method, url, ...rest } = options;
    super(message ?? `${KeywayApiError.describe(status, body)}${requestSuffix({ method, url })}`, {
      ...rest,
      code: rest.code ?? problemCode(body) ?? `http_${status}`,
    });
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.requestId = headers['x-request-id'];
    this.method = method;
    this.url = url;
  }

  /**
   * Builds the subclass that fits `status` (`message` replaces the one made from the body; `options`
   * may name the request, as `method` and `url`).
   */
  static generate(
    status: number,
    body: unknown,
    headers: ResponseHeaders,
    message?: string,
    options?: KeywayErrorOptions & RequestFields,
  ): KeywayApiError {
    const Subclass = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : KeywayApiError);
    return new Subclass(status, body, headers, message, options);
  }

  /** `404 Not found: <detail>` when the server said something usable (see `serverMessage`), else `404 status code`. */
  private static describe(status: number, body: unknown): string {
    const words = serverMessage(body);
    return words ? `${status} ${words}` : `${status} status code`;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId, method: this.method, url: this.url };
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

function problemCode(body: unknown): string | undefined {
  return isRecord(body) && typeof body.code === 'string' && body.code ? body.code : undefined;
}
