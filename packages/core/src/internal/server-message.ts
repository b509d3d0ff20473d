import { printable } from './printable.js';

/** The longest server message quoted in an error: a sentence, not a page. */
const MAX_MESSAGE = 300;
/** The longest plain-text body kept as an error's `body`. */
const MAX_TEXT_BODY = 2_000;

/** Error bodies: a JSON value (a problem+json object) when the server sent one, else the text, cut short. */
export function parseErrorBody(text: string | undefined): unknown {
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text.length > MAX_TEXT_BODY ? `${text.slice(0, MAX_TEXT_BODY)}…` : text;
  }
}

/**
 * What the server said about its error, ready for a message: an RFC 9457 problem's `title` and
 * `detail`, an RFC 6749 `error` and `error_description`, or a short plain-text body (a page of
 * markup says nothing useful). Quoted with `printable()`, so no control or bidi character reaches a
 * terminal, and bounded, so a huge body cannot flood a log. `undefined` when it said nothing usable.
 */
export function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const fields = body as Record<string, unknown>;
    const parts = [fields.title, fields.detail].filter((part) => typeof part === 'string' && part);
    if (parts.length === 0 && typeof fields.error === 'string' && fields.error) {
      parts.push(fields.error);
      if (typeof fields.error_description === 'string' && fields.error_description) {
        parts.push(fields.error_description);
      }
    }
    return parts.length > 0 ? printable(parts.join(': '), MAX_MESSAGE) : undefined;
  }
  const text = typeof body === 'string' ? body.trim() : '';
  if (text && !text.startsWith('<') && text.length <= MAX_MESSAGE) {
    return printable(text, MAX_MESSAGE);
  }
  return undefined;
}
