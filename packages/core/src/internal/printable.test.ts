import { describe, expect, it } from 'vitest';
import { OAuthError } from '../errors.js';
import { printable } from './printable.js';

const HOSTILE = [
  '\u001b[2J\u001b[H', // clear the screen
  '\u001b]0;pwned\u0007', // window title
  '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\', // OSC-8 link
  '\u001b[8mhidden\u001b[0m', // hidden text
  '\u009b31m', // C1 CSI
  'safe\u202eexe.txt', // right-to-left override
  'a\u200bb\u2066c\u2069', // zero-width and isolates
  'line\r\nbreak\u0000nul\u007fdel',
];

describe('printable', () => {
  it.each(HOSTILE)('leaves no control, C1 or bidi character in %j', (value) => {
    const text = printable(value);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters.
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('\\u');
  });

  it('keeps ordinary text (and non-Latin letters) as is, and cuts long values', () => {
    expect(printable('invalid_grant: the code expired — réessayez, 再試行')).toBe(
      'invalid_grant: the code expired — réessayez, 再試行',
    );
    expect(printable('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it("makes a provider's OAuthError safe to print: message and code", () => {
    const error = new OAuthError({
      error: 'invalid\u001b[2Jgrant',
      error_description: 'go to \u001b]8;;https://evil\u0007here',
    });
    expect(error.message).not.toContain('\u001b');
    expect(error.code).not.toContain('\u001b');
    expect(error.error).toBe('invalid\u001b[2Jgrant'); // the protocol field itself is kept as sent
  });
});
