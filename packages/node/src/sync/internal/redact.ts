const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const SECRETS = ['access_token', 'refresh_token', 'id_token'] as const;

/**
 * Puts back what structured cloning dropped: `util.inspect` / `console.log` show the token set with its
 * tokens and `Authorization` header redacted (JSON and spreading keep them, as `authenticate()`'s do).
 */
export function withRedactedInspect<T extends object>(tokens: T): T {
  Object.defineProperty(tokens, INSPECT, {
    enumerable: false,
    configurable: true,
    value(
      this: Record<string, unknown>,
      _depth: number,
      options: unknown,
      inspect?: (value: unknown, options?: unknown) => string,
    ) {
      const shown: Record<string, unknown> = { ...this };
      if (typeof shown.headers === 'object' && shown.headers !== null) {
        shown.headers = { ...shown.headers, Authorization: 'Bearer [redacted]' };
      }
      for (const name of SECRETS) {
        if (typeof shown[name] === 'string') {
          shown[name] = `[redacted: ${(shown[name] as string).length} chars]`;
        }
      }
      return typeof inspect === 'function' ? `TokenSet ${inspect(shown, options)}` : shown;
    },
  });
  return tokens;
}
