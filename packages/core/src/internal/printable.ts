/**
 * Characters that must never reach a terminal or a log line from a remote party: C0 and C1 controls
 * (ESC starts the sequences that clear screens, retitle windows and fake OSC-8 links), DEL, and the
 * bidi and zero-width format characters that reorder or hide text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A remote value (a provider's `error_description`, a token's `kid` or `alg`, a content type) as it may
 * appear in an error message: unsafe characters written as `\uXXXX`, and cut to `max` characters, so a
 * hostile provider can neither drive the reader's terminal nor flood a log through Keyway's messages.
 */
export function printable(value: unknown, max = 120): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
