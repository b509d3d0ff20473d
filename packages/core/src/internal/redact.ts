const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type InspectFn = (value: unknown, options?: unknown) => string;

/**
 * Makes `console.log(value)` and `util.inspect(value)` print `value` as `<label> {...}` with the string
 * `fields` redacted (their length kept). The hook is a non-enumerable symbol: JSON, spreading,
 * `structuredClone` and every store see the plain object, secrets included. Returns the same object.
 */
export function redactFieldsOnInspect<T extends object>(value: T, label: string, fields: readonly string[]): T {
  if (Object.isExtensible(value) && !Object.hasOwn(value, INSPECT)) {
    function inspectRedacted(this: Record<string, unknown>, _depth: number, options: unknown, inspect?: InspectFn) {
      const shown: Record<string, unknown> = { ...this };
      for (const name of fields) {
        const secret = shown[name];
        if (typeof secret === 'string') {
          shown[name] = `[redacted: ${secret.length} chars]`;
        }
      }
      return typeof inspect === 'function' ? `${label} ${inspect(shown, options)}` : shown;
    }
    Object.defineProperty(value, INSPECT, { value: inspectRedacted, enumerable: false, configurable: true });
  }
  return value;
}
