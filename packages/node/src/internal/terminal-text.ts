/**
 * Text from a provider, a token or a token file (a user code, a verification URI, `sub`, an issuer, an
 * `error_description`) goes through here before it reaches a terminal, a pipe or a log. Our own text is
 * written around it, newlines and all.
 */

/**
 * The characters that can act on a terminal instead of being shown, or hide or reorder what is: C0
 * controls (ESC opens CSI and OSC sequences that clear the screen, set the title or plant hyperlinks;
 * BEL ends them; CR and LF forge lines), DEL, C1 controls (U+009B and U+009D are one-character CSI and
 * OSC to some terminals), the line and paragraph separators, the bidi controls (embeddings, overrides,
 * isolates, LRM, RLM, ALM) and the zero-width characters. The same set, written the same way, as the
 * messages of `@keyway/core` (its internal `printable()`), so that a person sees one notation.
 */
const C0 = '\\u0000-\\u001f';
const OTHERS = '\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2069\\ufeff';
const UNSAFE = new RegExp(`[${C0}${OTHERS}]`, 'g');
const UNSAFE_TEST = new RegExp(`[${C0}${OTHERS}]`);
/** `JSON.stringify` escapes C0 controls inside strings; the raw ones in its output are its own layout. */
const UNSAFE_IN_JSON = new RegExp(`[${OTHERS}]`, 'g');

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every such character shown as a `\uXXXX` escape (`\u001b`, `\u000a`, `\u202e`) instead
 * of acting on the terminal: safe to print, and a person sees that something odd was there.
 */
export function safeText(text: unknown): string {
  return String(text).replace(UNSAFE, escaped);
}

/** True when `text` holds a character {@link safeText} would escape. */
export function hasControlCharacters(text: string): boolean {
  return UNSAFE_TEST.test(text);
}

/**
 * `JSON.stringify(value, null, space)` with DEL, C1, separators, bidi and zero-width characters written
 * as `\uXXXX` too (`JSON.stringify` escapes only C0): the same JSON value, and no byte of it acts on a
 * terminal.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, escaped);
}
