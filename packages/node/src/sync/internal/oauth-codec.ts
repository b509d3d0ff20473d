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
/** Deeper than any argument or result of OAuthClient; a cycle stops here and is left to the cloner. */
const MAX_DEPTH = 16;

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

/** Turns `value` into data that survives structured cloning (see the module comment). */
export function encodeSyncValue(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) {
    return value;
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
    return value.map((item) => encodeSyncValue(item, depth + 1));
  }
  if (!isPlainObject(value)) {
    return value; // CryptoKey, Date, typed arrays: cloned as they are (or refused by the bridge)
  }
  const encoded: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    encoded[key] = encodeSyncValue(item, depth + 1);
  }
  return Object.hasOwn(value, INSPECT) ? ({ [TAG]: 'TokenSet', value: encoded } satisfies Tagged) : encoded;
}

/** Rebuilds what {@link encodeSyncValue} made. */
export function decodeSyncValue(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => decodeSyncValue(item, depth + 1));
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
      return redactOnInspect(decodeSyncValue((tagged as { value: unknown }).value, depth + 1) as object);
    default: {
      const decoded: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        decoded[key] = decodeSyncValue(item, depth + 1);
      }
      return decoded;
    }
  }
}
