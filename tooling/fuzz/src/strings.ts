/**
 * String generators shared by the targets: plain, full-unicode and percent-garbage text, the
 * characters parsers split on, and header values that `Headers` accepts.
 */
import fc from 'fast-check';

/** Characters that parsers of keys, URLs, headers and JSON treat specially. */
export const SPECIAL_CHARS = [
  ':',
  '=',
  '%',
  '/',
  '?',
  '#',
  '&',
  ';',
  ',',
  '.',
  ' ',
  '\t',
  '\n',
  '\r',
  '\0',
  '"',
  '\\',
  '+',
  '@',
  '[',
  ']',
  '\u00a0',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u{1f511}',
  'é',
  'İ',
  'ß',
];

/** Percent-escapes, valid and not: `%`, `%4`, `%zz`, `%C3` (a lone UTF-8 lead byte), `%ED%A0%80` (a surrogate). */
export const percentGarbage = fc.oneof(
  fc.constantFrom(
    '%',
    '%4',
    '%zz',
    '%C3',
    '%ED%A0%80',
    '%00',
    '%25',
    '%2F',
    '%3A',
    '%3D',
    '%E2%80%A8',
    '%F0%9F',
    '%ff',
  ),
  fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`),
);

/** A string built from ASCII, full unicode, lone surrogates, the special characters and percent garbage. */
export const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(...SPECIAL_CHARS), percentGarbage), {
        maxLength: 12,
      })
      .map((parts) => parts.join('')),
  },
);

/** True when `Headers` accepts `value` as a header value (no NUL/CR/LF, Latin-1 only). */
export function isHeaderValue(value: string): boolean {
  try {
    new Headers({ 'x-probe': value });
    return true;
  } catch {
    return false;
  }
}

/** `value` without the characters a header value cannot hold (or '' when still not one). */
export function toHeaderValue(value: string): string {
  if (isHeaderValue(value)) {
    return value;
  }
  // Alone, a CR or LF passes (it is trimmed away); inside a value it does not.
  const kept = Array.from(value)
    .filter((c) => c !== '\r' && c !== '\n' && c !== '\0' && isHeaderValue(c))
    .join('');
  return isHeaderValue(kept) ? kept : '';
}

/** Header values `Headers` (and so `Request`) accepts, from any string. */
export function headerValue(from: fc.Arbitrary<string> = anyString): fc.Arbitrary<string> {
  return from.map(toHeaderValue);
}
