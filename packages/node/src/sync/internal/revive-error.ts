import {
  AuthenticationError,
  BadRequestError,
  CallbackError,
  ConfigurationError,
  ConflictError,
  DeviceFlowError,
  InternalServerError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  LoginRequiredError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
  TokenValidationError,
  UnprocessableEntityError,
} from '@keyway/core';
import { TokenStoreError, type TokenStoreErrorCode } from '@keyway/token-store';
import { CorruptTokenFileError } from '@keyway/token-store/file';
import { InteractionRequiredError, LoginTimeoutError } from '../../errors.js';
import { SyncWorkerError } from '../errors.js';
import type { SerializedError } from './protocol.js';

type Fields = Record<string, unknown>;
type SyncErrorFactory = (message: string, fields: Fields, cause: unknown) => Error;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const headersOf = (value: unknown): Record<string, string> =>
  typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};

/** `{ code, cause }` without undefined members: constructors spread options over their defaults. */
function options(fields: Fields, cause: unknown): { code?: string; cause?: unknown } {
  const code = str(fields.code);
  return { ...(code === undefined ? {} : { code }), ...(cause === undefined ? {} : { cause }) };
}

function apiError(
  Class: new (...args: ConstructorParameters<typeof KeywayApiError>) => KeywayApiError,
): SyncErrorFactory {
  return (message, fields, cause) =>
    new Class(num(fields.status) ?? 0, fields.body, headersOf(fields.headers), message, {
      ...options(fields, cause),
    });
}

function simple(
  Class: new (message: string, options: { code?: string; cause?: unknown }) => KeywayError,
): SyncErrorFactory {
  return (message, fields, cause) => new Class(message, options(fields, cause));
}

/**
 * How to rebuild each error class on the calling thread, by brand. The worker runs the same
 * @keyway/core as the caller, so the caller gets the very class it imports: `instanceof` holds.
 */
const FACTORIES = new Map<string, SyncErrorFactory>([
  ['KeywayApiError', apiError(KeywayApiError)],
  ['BadRequestError', apiError(BadRequestError)],
  ['AuthenticationError', apiError(AuthenticationError)],
  ['PermissionDeniedError', apiError(PermissionDeniedError)],
  ['NotFoundError', apiError(NotFoundError)],
  ['ConflictError', apiError(ConflictError)],
  ['UnprocessableEntityError', apiError(UnprocessableEntityError)],
  ['RateLimitError', apiError(RateLimitError)],
  ['InternalServerError', apiError(InternalServerError)],
  [
    'KeywayTimeoutError',
    (message, fields, cause) =>
      new KeywayTimeoutError(num(fields.timeout) ?? 0, { ...options(fields, cause), message }),
  ],
  ['KeywayConnectionError', simple(KeywayConnectionError)],
  ['KeywayAbortError', simple(KeywayAbortError)],
  ['ConfigurationError', simple(ConfigurationError)],
  ['TokenValidationError', simple(TokenValidationError)],
  ['DeviceFlowError', simple(DeviceFlowError)],
  ['LoginRequiredError', (message, _fields, cause) => new LoginRequiredError(message, { cause })],
  [
    'InvalidResponseError',
    (message, fields, cause) =>
      new InvalidResponseError(message, { ...options(fields, cause), status: num(fields.status) }),
  ],
  [
    'OAuthError',
    (_message, fields, cause) =>
      new OAuthError(
        {
          error: str(fields.error) ?? 'server_error',
          error_description: str(fields.error_description),
          error_uri: str(fields.error_uri),
        },
        { ...options(fields, cause), status: num(fields.status) },
      ),
  ],
  [
    'CallbackError',
    (message, fields, cause) =>
      new CallbackError(message, {
        ...options(fields, cause),
        error: str(fields.error),
        error_description: str(fields.error_description),
      }),
  ],
  // @keyway/node's own errors (authenticate()).
  [
    'InteractionRequiredError',
    (message, fields, cause) =>
      new InteractionRequiredError(message, {
        ...options(fields, cause),
        issuer: str(fields.issuer) ?? '',
        clientId: str(fields.clientId) ?? '',
      }),
  ],
  [
    'LoginTimeoutError',
    (_message, fields, cause) => new LoginTimeoutError(num(fields.timeout) ?? 0, options(fields, cause)),
  ],
  ['SyncWorkerError', simple(SyncWorkerError)],
  ['KeywayError', simple(KeywayError)],
]);

const BUILTIN_ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  URIError,
  EvalError,
};

/** Rebuilds, on the calling thread, the error the worker threw: same class, same safe fields. */
export function reviveError(serialized: SerializedError): Error {
  const cause = serialized.cause ? reviveError(serialized.cause) : undefined;
  let error: Error;
  if (serialized.family === 'keyway') {
    // The most derived class this side knows: a brand from a newer package falls back to its parent.
    const brand = serialized.brands.find((candidate) => FACTORIES.has(candidate)) ?? 'KeywayError';
    error = FACTORIES.get(brand)!(serialized.message, serialized.fields, cause);
  } else if (serialized.family === 'token-store') {
    const { path, movedTo } = serialized.fields;
    error =
      serialized.name === 'CorruptTokenFileError' && typeof path === 'string' && typeof movedTo === 'string'
        ? new CorruptTokenFileError(path, movedTo, '')
        : new TokenStoreError(serialized.message, {
            code: (str(serialized.fields.code) ?? 'backend_error') as TokenStoreErrorCode,
            ...(cause === undefined ? {} : { cause }),
          });
  } else {
    const Builtin = BUILTIN_ERRORS[serialized.name] ?? Error;
    error = new Builtin(serialized.message);
    if (cause !== undefined) {
      defineField(error, 'cause', cause);
    }
    if (serialized.fields.code !== undefined) {
      defineField(error, 'code', serialized.fields.code);
    }
  }
  // Constructors that compose their message (timeouts, OAuth errors) get the worker's exact text back.
  if (error.message !== serialized.message) {
    defineField(error, 'message', serialized.message);
  }
  if (error.name !== serialized.name) {
    defineField(error, 'name', serialized.name);
  }
  return error;
}

function defineField(target: object, key: string, value: unknown): void {
  const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false;
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}
