import type { StoredTokenSet } from '../types.js';

/** How the string-valued backends (KV, Web Storage) keep a value with its expiry beside it. */
interface Envelope {
  v: StoredTokenSet;
  /** Expiry in epoch milliseconds. */
  e?: number;
}

export function encodeRecord(value: StoredTokenSet, expiresAt: number | undefined): string {
  const envelope: Envelope = expiresAt === undefined ? { v: value } : { v: value, e: expiresAt };
  return JSON.stringify(envelope);
}

/** The record, or `undefined` when the text is not one (foreign or damaged data). */
export function decodeRecord(text: string): { value: StoredTokenSet; expiresAt: number | undefined } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return undefined;
  }
  const { v, e } = parsed as Partial<Envelope>;
  if (typeof v !== 'object' || v === null || typeof v.access_token !== 'string') {
    return undefined;
  }
  if (e !== undefined && typeof e !== 'number') {
    return undefined;
  }
  return { value: v, expiresAt: e };
}
