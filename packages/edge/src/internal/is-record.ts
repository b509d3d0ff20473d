/**
 * Whether a parsed JSON value is an object with fields (not `null`, not an array). Core has the same
 * internal helper; it is not part of core's public API, so edge keeps this one copy of its own.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
