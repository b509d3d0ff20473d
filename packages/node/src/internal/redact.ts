import { redactOnInspect, type TokenSet } from '@keyway/core';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type InspectFn = (value: unknown, options?: unknown) => string;

/**
 * The one redaction of what `authenticate()` and `authenticateSync()` return: core's `redactOnInspect`
 * for the token set (its tokens print as `[redacted: n chars]`), and the same kind of hook on
 * `headers`, whose `Authorization` carries the access token. Only `console.log` / `util.inspect` are
 * affected: JSON and spreading keep every value. Returns the same object.
 */
export function redactTokenSet<T extends TokenSet & { headers?: Record<string, string> }>(tokens: T): T {
  const headers = tokens.headers;
  if (typeof headers === 'object' && headers !== null && Object.isExtensible(headers)) {
    Object.defineProperty(headers, INSPECT, {
      enumerable: false,
      configurable: true,
      value(this: Record<string, string>, _depth: number, options: unknown, inspect?: InspectFn) {
        const shown = {
          ...this,
          ...(typeof this.Authorization === 'string' ? { Authorization: 'Bearer [redacted]' } : {}),
        };
        return typeof inspect === 'function' ? inspect(shown, options) : shown;
      },
    });
  }
  return redactOnInspect(tokens);
}
