import { ConfigurationError, redactOnInspect } from '@keyway/core';

/**
 * What the OAuth twin's arguments and results become on their way between the threads. Structured
 * cloning drops a `URL` (it throws), a `Request` and a `Response`, and the non-enumerable inspect hook
 * that redacts a token set: each is sent as a tagged plain object and rebuilt on the other side.
 *
 * - `URL` -> its `href`, rebuilt as a `URL`.
 * - `Request` -> its URL, method and headers. A body cannot be read while the calling thread is
 *   blocked (reading one needs the event loop), so a `Request` with a body is refused with
 *   `ConfigurationError` `unsupported_argument` (a `form_post` callback: pass the form fields as the
 *   query of a URL, `new URL('?' + formBody, callbackUrl)`).
 * - `Response` -> its status and headers (all `rememberDpopNonce()` reads), rebuilt without a body.
 * - A token set (an object carrying core's redaction hook) -> rebuilt with core's `redactOnInspect`.
 * - An `AbortSignal` is refused: nothing can fire it while the thread blocks.
 */
const TAG = '@keyway/node:sync';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type Tagged =
  | { [TAG]: 'URL'; href: string }
  | { [TAG]: 'Request'; url: string; method: string; headers: [string, string][] }
  | { [TAG]: 'Response'; status: number; statusText: string; headers: [string, string][] }
  | { [TAG]: 'TokenSet'; value: unknown };

function unsupported(message: string): never {
  throw new ConfigurationError(message, { code: 'unsupported_argument' });
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Turns `value` into data that survives structured cloning (see the module comment). Each object is
 * encoded once (`seen`): shared and cyclic references stay shared and cyclic, never walked again.
 */
export function encodeSyncValue(value: unknown, seen: Map<object, unknown> = new Map()): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (seen.has(value)) {
    return seen.get(value);
  }
  if (value instanceof URL) {
    return { [TAG]: 'URL', href: value.href } satisfies Tagged;
  }
  if (value instanceof Request) {
    if (value.body !== null) {
      unsupported(
        'A synchronous call cannot read a Request body (that needs the event loop it blocks). For a form_post callback, ' +
          "pass the form fields as a URL's query instead: new URL('?' + formBody, callbackUrl).",
      );
    }
    return { [TAG]: 'Request', url: value.url, method: value.method, headers: [...value.headers] } satisfies Tagged;
  }
  if (value instanceof Response) {
    return {
      [TAG]: 'Response',
      status: value.status,
      statusText: value.statusText,
      headers: [...value.headers],
    } satisfies Tagged;
  }
  if (value instanceof AbortSignal) {
    unsupported(
      'Synchronous calls take no `signal`: nothing can fire it while the thread is blocked. Use `syncTimeout`.',
    );
  }
  if (Array.isArray(value)) {
    const encoded: unknown[] = [];
    seen.set(value, encoded);
    for (const item of value) {
      encoded.push(encodeSyncValue(item, seen));
    }
    return encoded;
  }
  if (!isPlainObject(value)) {
    return value; // CryptoKey, Date, typed arrays: cloned as they are (or refused by the bridge)
  }
  const encoded: Record<string, unknown> = {};
  const result = Object.hasOwn(value, INSPECT) ? ({ [TAG]: 'TokenSet', value: encoded } satisfies Tagged) : encoded;
  seen.set(value, result);
  for (const [key, item] of Object.entries(value)) {
    encoded[key] = encodeSyncValue(item, seen);
  }
  return result;
}

/** Rebuilds what {@link encodeSyncValue} made (each object once, as there). */
export function decodeSyncValue(value: unknown, seen: Map<object, unknown> = new Map()): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (seen.has(value)) {
    return seen.get(value);
  }
  if (Array.isArray(value)) {
    const decoded: unknown[] = [];
    seen.set(value, decoded);
    for (const item of value) {
      decoded.push(decodeSyncValue(item, seen));
    }
    return decoded;
  }
  if (!isPlainObject(value)) {
    return value;
  }
  const tagged = value as Partial<Tagged>;
  switch (tagged[TAG]) {
    case 'URL':
      return new URL((tagged as { href: string }).href);
    case 'Request': {
      const { url, method, headers } = tagged as Extract<Tagged, { [TAG]: 'Request' }>;
      return new Request(url, { method, headers });
    }
    case 'Response': {
      const { status, statusText, headers } = tagged as Extract<Tagged, { [TAG]: 'Response' }>;
      return new Response(null, { status, statusText, headers });
    }
    case 'TokenSet':
      return redactOnInspect(decodeSyncValue((tagged as { value: unknown }).value, seen) as object);
    default: {
      const decoded: Record<string, unknown> = {};
      seen.set(value, decoded);
      for (const [key, item] of Object.entries(value)) {
        decoded[key] = decodeSyncValue(item, seen);
      }
      return decoded;
    }
  }
}
