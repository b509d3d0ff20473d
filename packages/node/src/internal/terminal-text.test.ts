import { describe, expect, it } from 'vitest';
import { BEL, ESC, HOSTILE, HOSTILE_SHOWN, TERMINAL_CONTROLS } from '../../test/helpers.js';
import { hasControlCharacters, safeJson, safeText } from './terminal-text.js';

describe('safeText', () => {
  it('shows escape sequences instead of running them', () => {
    expect(safeText(`a${ESC}[2Jb`)).toBe('a\\u001b[2Jb');
    expect(safeText(`${ESC}]0;pwned${BEL}`)).toBe('\\u001b]0;pwned\\u0007');
    expect(safeText(`${ESC}]8;;http://evil${ESC}\\click${ESC}]8;;${ESC}\\`)).toBe(
      '\\u001b]8;;http://evil\\u001b\\click\\u001b]8;;\\u001b\\',
    );
    // C1: U+009B is a one-character CSI, U+009D an OSC.
    expect(safeText('\u009b2J\u009d0;t\u009c')).toBe('\\u009b2J\\u009d0;t\\u009c');
    expect(safeText('del\u007f')).toBe('del\\u007f');
  });

  it('turns the hostile sample of the other tests into the text they expect on screen', () => {
    expect(safeText(HOSTILE)).toBe(HOSTILE_SHOWN);
  });

  it('shows line breaks, tabs and NUL of outside text, so it cannot forge lines', () => {
    expect(safeText('usr\nLogged in as admin\r\t\u0000')).toBe('usr\\u000aLogged in as admin\\u000d\\u0009\\u0000');
    expect(safeText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('shows the bidi controls that reorder or hide text', () => {
    const all = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    expect(safeText(`user${all}`)).toBe(
      'user\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
  });

  it('shows the zero-width characters that hide text, as @keyway/core does', () => {
    expect(safeText('WD\u200bJB\u200c\u200d\u2060\ufeff')).toBe('WD\\u200bJB\\u200c\\u200d\\u2060\\ufeff');
  });

  it('leaves ordinary text alone: letters of any script, emoji, punctuation, backslashes', () => {
    const plain = 'José Ñúñez 山田 🔑 https://auth.example.com/device?user_code=WDJB-MJHT C:\\Users';
    expect(safeText(plain)).toBe(plain);
    expect(hasControlCharacters(plain)).toBe(false);
    expect(safeText(undefined)).toBe('undefined');
  });

  it('hasControlCharacters tells the same characters apart', () => {
    for (const char of [ESC, BEL, '\n', '\u0085', '\u009b', '\u007f', '\u202e', '\u2066', '\u200f']) {
      expect(hasControlCharacters(`a${char}b`), JSON.stringify(char)).toBe(true);
    }
  });
});

describe('safeJson', () => {
  const hostile = {
    sub: `usr_${ESC}[2J\u202eevil\u009b`,
    list: [`${ESC}]0;t${BEL}`, 'del\u007f', 'ls\u2028'],
    plain: 'José',
  };

  it('is the same JSON value, with no character that acts on a terminal', () => {
    for (const space of [undefined, 2]) {
      const text = safeJson(hostile, space);
      expect(JSON.parse(text)).toEqual(hostile);
      expect(text).not.toMatch(TERMINAL_CONTROLS);
      expect(text).toContain('\\u202e');
      expect(text).toContain('\\u001b');
      expect(text).toContain('José');
    }
    // Pretty printing keeps its own line breaks.
    expect(safeJson({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });
});
