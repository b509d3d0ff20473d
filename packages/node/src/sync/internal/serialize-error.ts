import type { SerializedError } from './protocol.js';

// Read the brands without importing @keyway/core: the worker's bootstrap must load even when the
// handler module (and with it core) does not, so that it can report why.
const KEYWAY_BRANDS = Symbol.for('keyway.error.brands');
const TOKEN_STORE_BRAND = Symbol.for('keyway.token-store.error');

/**
 * Fields that may cross the thread boundary. Each is documented by its error class as safe to show
 * (HTTP status, problem body, response headers, request id, OAuth error fields, timeouts, file paths,
 * issuer and client id).
 */
const SAFE_FIELDS = [
  'code',
  'status',
  'body',
  'headers',
  'requestId',
  'timeout',
  'error',
  'error_description',
  'error_uri',
  'path',
  'movedTo',
  'issuer',
  'clientId',
] as const;

const MAX_CAUSE_DEPTH = 4;

/** Turns any thrown value into plain data the calling thread can rebuild the same error class from. */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error) && (typeof value !== 'object' || value === null)) {
    return { brands: ['Error'], family: 'error', name: 'Error', message: String(value), fields: {} };
  }
  const error = value as Error & Record<PropertyKey, unknown>;
  const keywayBrands = error[KEYWAY_BRANDS];
  const family = Array.isArray(keywayBrands) ? 'keyway' : error[TOKEN_STORE_BRAND] === true ? 'token-store' : 'error';
  const fields: Record<string, unknown> = {};
  for (const field of SAFE_FIELDS) {
    const fieldValue = error[field];
    if (fieldValue !== undefined && isCloneable(fieldValue)) {
      fields[field] = fieldValue;
    }
  }
  const name = typeof error.name === 'string' ? error.name : 'Error';
  return {
    brands: Array.isArray(keywayBrands) ? keywayBrands.filter((brand) => typeof brand === 'string') : [name],
    family,
    name,
    message: typeof error.message === 'string' ? error.message : '',
    fields,
    cause: error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? serializeError(error.cause, depth + 1) : undefined,
  };
}

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
