import { createMockKeyway, type MockKeyway, type MockKeywayOptions } from '@keyway/mocks';

/**
 * A fresh mock under an issuer of its own. @keyway/core caches each JWKS per `jwks_uri` for the whole
 * isolate (refetching an unknown `kid` at most every 30 s), so two mocks at one issuer URL with
 * different keys would see each other's key set.
 */
export function newMock(name: string, options: MockKeywayOptions = {}): MockKeyway {
  return createMockKeyway({ issuer: `https://${name}.keyway.test`, ...options });
}

/** What a case hands back to the test: a JSON-serialisable description of what happened. */
export type Detail = Record<string, unknown>;

/** One case: runs inside the runtime under test and describes its result. */
export type Case = () => Promise<Detail>;

/** What the Worker answers for `/case/<name>`. */
export type CaseResult = { ok: true; detail: Detail } | { ok: false; error: string; code: string | null };

/**
 * Awaits a promise that must reject, returning the rejection. A promise that resolves is the
 * failure worth reporting, so it throws.
 */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** The JOSE header of a compact JWS, decoded with nothing but the runtime's own `atob`. */
export function joseHeader(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[0] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as Record<string, unknown>;
}

/** The same JWT with one character of its signature changed. */
export function tamper(jwt: string): string {
  const last = jwt.at(-2) === 'A' ? 'B' : 'A';
  return `${jwt.slice(0, -2)}${last}${jwt.at(-1)}`;
}
