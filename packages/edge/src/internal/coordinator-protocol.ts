/*
 * What a token source and its TokenCoordinator say to each other: one POST with a JSON body (the
 * credentials travel in the body, never in the URL), answered by the token set, a token-endpoint
 * failure to rethrow as the same typed error, or a refusal of the request itself.
 */
import {
  ConfigurationError,
  InvalidResponseError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  OAuthError,
  type ResponseHeaders,
  type RetryOptions,
  type TokenEndpointAuthMethod,
  type TokenSet,
} from '@keyway/core';
import { isRecord } from './is-record.js';

/** The URL of every request to the object: a Durable Object stub ignores the host. */
export const COORDINATOR_URL = 'https://token-coordinator.keyway.invalid/v1/token';

/** Bodies past this size are refused before they are parsed (a request is a few hundred bytes). */
export const MAX_REQUEST_BYTES = 32 * 1024;

/** The client's configuration and what the caller needs from the object. */
export interface CoordinatorRequest {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** A private JWK for `private_key_jwt` (a `CryptoKey` cannot travel). */
  privateKey?: Record<string, unknown>;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  scope?: string;
  resource?: string;
  /** The caller's skew, in seconds: the object renews its token that long before expiry. */
  skew: number;
  timeout?: number;
  retry?: RetryOptions | false;
  allowInsecureRequests?: boolean;
  /** An access token an API refused: renew unless the object already holds another one. */
  rejectedToken?: string;
  /** Renew whatever the object holds (one renewal for all callers that ask at once). */
  forceRefresh?: boolean;
}

/** A Keyway error as plain data: its brand list and the fields its `toJSON()` deems safe. */
interface SerializedFailure {
  brands: string[];
  code: string;
  message: string;
  [field: string]: unknown;
}

const BRANDS = Symbol.for('keyway.error.brands');

const STRING_FIELDS = ['clientSecret', 'tokenEndpointAuthMethod', 'scope', 'resource', 'rejectedToken'] as const;
const BOOLEAN_FIELDS = ['allowInsecureRequests', 'forceRefresh'] as const;

/** The field of a request that is not what it should be, for a 400 (never echoing its value). */
export class InvalidCoordinatorRequest extends Error {}

/**
 * Checks a parsed request body field by field: anything else than the documented shape is refused
 * with the name of the first bad field. Unknown fields are dropped.
 */
export function parseCoordinatorRequest(body: unknown): CoordinatorRequest {
  if (!isRecord(body)) {
    throw new InvalidCoordinatorRequest('The body must be a JSON object.');
  }
  for (const name of ['issuer', 'clientId'] as const) {
    if (typeof body[name] !== 'string' || body[name] === '') {
      throw new InvalidCoordinatorRequest(`\`${name}\` must be a non-empty string.`);
    }
  }
  const skew = body.skew;
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0 || skew > 86_400) {
    throw new InvalidCoordinatorRequest('`skew` must be a number of seconds from 0 to 86400.');
  }
  const request: CoordinatorRequest = { issuer: body.issuer as string, clientId: body.clientId as string, skew };
  for (const name of STRING_FIELDS) {
    if (body[name] !== undefined) {
      if (typeof body[name] !== 'string') {
        throw new InvalidCoordinatorRequest(`\`${name}\` must be a string.`);
      }
      (request as unknown as Record<string, unknown>)[name] = body[name];
    }
  }
  for (const name of BOOLEAN_FIELDS) {
    if (body[name] !== undefined) {
      if (typeof body[name] !== 'boolean') {
        throw new InvalidCoordinatorRequest(`\`${name}\` must be a boolean.`);
      }
      request[name] = body[name] as boolean;
    }
  }
  if (body.privateKey !== undefined) {
    if (!isRecord(body.privateKey)) {
      throw new InvalidCoordinatorRequest('`privateKey` must be a JWK object.');
    }
    request.privateKey = body.privateKey;
  }
  if (body.timeout !== undefined) {
    // Range and kind are core's to check (a ConfigurationError, as on the direct path).
    if (typeof body.timeout !== 'number') {
      throw new InvalidCoordinatorRequest('`timeout` must be a number.');
    }
    request.timeout = body.timeout;
  }
  if (body.retry !== undefined) {
    if (body.retry !== false && !isRecord(body.retry)) {
      throw new InvalidCoordinatorRequest('`retry` must be false or an object.');
    }
    request.retry = body.retry as RetryOptions | false;
  }
  return request;
}

/**
 * A thrown Keyway error as data the caller can rebuild: its brands, `code`, `message`, its safe JSON
 * form and the fields its classes declare safe to copy (`static revivable`). Undefined for anything
 * else (a defect of the object, not an answer of the issuer).
 */
export function serializeFailure(error: unknown): SerializedFailure | undefined {
  if (!KeywayError.is(error)) {
    return undefined;
  }
  const brands = (error as unknown as Record<symbol, unknown>)[BRANDS];
  const fields: Record<string, unknown> = { ...error.toJSON() };
  for (const field of revivableFields(error)) {
    fields[field] = (error as unknown as Record<string, unknown>)[field];
  }
  return {
    ...fields,
    brands: Array.isArray(brands) ? brands.filter((brand) => typeof brand === 'string') : ['KeywayError'],
    code: error.code,
    message: error.message,
  };
}

/** The own `static revivable` lists of the error's class chain (Keyway's brand protocol). */
function revivableFields(error: object): string[] {
  const fields: string[] = [];
  for (let ctor: unknown = error.constructor; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
    const own: unknown = Object.hasOwn(ctor, 'revivable') ? (ctor as { revivable?: unknown }).revivable : undefined;
    if (Array.isArray(own)) {
      fields.push(...own.filter((field): field is string => typeof field === 'string'));
    }
  }
  return fields;
}

type Revive = (failure: SerializedFailure) => KeywayError;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const status = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/**
 * The errors a client-credentials request can end in, by brand: rebuilt with their own constructors,
 * so the caller holds the class the direct path throws (`OAuthError` with its `error`, a status
 * subclass of `KeywayApiError`, a timeout with its `timeout`).
 */
const REVIVERS: Record<string, Revive> = {
  OAuthError: (f) =>
    new OAuthError(
      { error: text(f.error) ?? f.code, error_description: text(f.error_description), error_uri: text(f.error_uri) },
      withStatus({ code: f.code }, status(f.status)),
    ),
  KeywayApiError: (f) =>
    KeywayApiError.generate(
      status(f.status) ?? 500,
      f.body,
      isRecord(f.headers) ? (f.headers as ResponseHeaders) : {},
      f.message,
    ),
  InvalidResponseError: (f) => new InvalidResponseError(f.message, withStatus({ code: f.code }, status(f.status))),
  KeywayTimeoutError: (f) =>
    new KeywayTimeoutError(typeof f.timeout === 'number' ? f.timeout : 0, { code: f.code, message: f.message }),
  KeywayConnectionError: (f) => new KeywayConnectionError(f.message, { code: f.code }),
  ConfigurationError: (f) => new ConfigurationError(f.message, { code: f.code }),
  KeywayError: (f) => new KeywayError(f.message, { code: f.code }),
};

function withStatus<T extends object>(options: T, value: number | undefined): T & { status?: number } {
  return value === undefined ? options : { ...options, status: value };
}

/**
 * The error the object reported, as the caller's own class; undefined when the data is not one. The
 * object's message and every field the class declares safe are kept as they were sent.
 */
export function reviveFailure(failure: unknown): KeywayError | undefined {
  if (!isRecord(failure) || !Array.isArray(failure.brands)) {
    return undefined;
  }
  if (typeof failure.code !== 'string' || typeof failure.message !== 'string') {
    return undefined;
  }
  const brand = failure.brands.find(
    (name): name is string => typeof name === 'string' && Object.hasOwn(REVIVERS, name),
  );
  if (brand === undefined) {
    return undefined;
  }
  const error = REVIVERS[brand]!(failure as SerializedFailure);
  for (const field of ['message', ...revivableFields(error)]) {
    if (Object.hasOwn(failure, field)) {
      Object.defineProperty(error, field, {
        value: failure[field],
        writable: true,
        configurable: true,
        enumerable: field !== 'message',
      });
    }
  }
  return error;
}

/** A token set as the object sends it: at least an access token and its type. */
export function isTokenSet(value: unknown): value is TokenSet {
  return (
    isRecord(value) &&
    typeof value.access_token === 'string' &&
    value.access_token !== '' &&
    typeof value.token_type === 'string' &&
    (value.expires_at === undefined || (typeof value.expires_at === 'number' && Number.isFinite(value.expires_at)))
  );
}
