/**
 * Characters that act on a terminal or a log rather than show: C0 controls other than LF (ESC opens
 * CSI/OSC sequences, BEL ends them, CR forges lines), DEL, C1 controls, the line and paragraph
 * separators and the bidi controls. Built from a string: a regex literal of control characters is
 * what the linter (rightly) flags as a likely mistake; here it is the point.
 */
const C0_BUT_LF = '\\u0000-\\u0009\\u000b-\\u001f';
const OTHERS = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
export const TERMINAL_CONTROLS = new RegExp(`[${C0_BUT_LF}${OTHERS}]`);

/** The same set with LF: for one-line texts such as error messages. */
export const LINE_CONTROLS = new RegExp(`[${C0_BUT_LF}\\u000a${OTHERS}]`);

/** Provider text made to attack a terminal or a log: clear the screen, set the title, copy to the clipboard, forge a line. */
export const HOSTILE_TEXT =
  '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;ZWNobyBwd25lZA==\u0007\r\n2026-01-01T00:00:00Z INFO all good\u202e';
