import type { SerializedError } from './protocol.js';

// Read the brand protocol without importing @keyway/core: the worker's bootstrap must load even when
// the handler module (and with it core) does not, so that it can report why.
const BRANDS = Symbol.for('keyway.error.brands');

const MAX_CAUSE_DEPTH = 4;

/**
 * Turns any thrown value into plain data the calling thread can rebuild the same error from. A Keyway
 * error (of any package: it carries the brand list) sends its brands, `code`, and the fields its
 * classes declare safe in their own `static revivable`; any other error its name, message and `code`.
 * Never a stack, and a `cause` only as another serialized error.
 */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error) && (typeof value !== 'object' || value === null)) {
    return { brands: ['Error'], family: 'error', name: 'Error', message: String(value), fields: {} };
  }
  const error = value as Error & Record<PropertyKey, unknown>;
  const brands = error[BRANDS];
  const branded = Array.isArray(brands);
  const fields: Record<string, unknown> = {};
  for (const field of branded ? ['code', ...revivableFields(error)] : ['code']) {
    const fieldValue = error[field];
    if (fieldValue !== undefined && isCloneable(fieldValue)) {
      fields[field] = fieldValue;
    }
  }
  const name = typeof error.name === 'string' ? error.name : 'Error';
  return {
    brands: branded ? brands.filter((brand): brand is string => typeof brand === 'string') : [name],
    family: branded ? 'keyway' : 'error',
    name,
    message: typeof error.message === 'string' ? error.message : '',
    fields,
    cause: error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? serializeError(error.cause, depth + 1) : undefined,
  };
}

/** The own `static revivable` lists of the error's class chain, most derived first. */
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

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
