import type { StoredTokenSet } from '../types.js';

/** Parses a stored token set; `undefined` when the text is not one. Parse errors are dropped: they quote the text. */
export function decodeJson(text: string): StoredTokenSet | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as StoredTokenSet).access_token === 'string') {
      return value as StoredTokenSet;
    }
  } catch {
    // fall through
  }
  return undefined;
}
