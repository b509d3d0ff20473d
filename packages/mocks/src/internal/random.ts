const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random id with a readable prefix, e.g. `ptk_3fZ...`; Web Crypto only, so it runs everywhere. */
export function randomId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const byte of bytes) {
    out += ALPHABET[byte % ALPHABET.length];
  }
  return `${prefix}${out}`;
}

/** An RFC 8628 user code: 8 consonants in two groups of four (no vowels, so no words). */
export function randomUserCode(): string {
  const letters = 'BCDFGHJKLMNPQRSTVWXZ';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const chars = Array.from(bytes, (byte) => letters[byte % letters.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}
