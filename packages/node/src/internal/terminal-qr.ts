import { encode } from 'uqr';
import { isCi, isNotebook } from './session.js';

/** `qr` option of the device flow: always, never, or only on a terminal wide enough (`auto`). */
export type QrOption = boolean | 'auto';

/** What `auto` looks at: is the output a terminal, and how wide is it; or a notebook's output. */
export interface TerminalInfo {
  isTTY: boolean;
  columns?: number | undefined;
  /** The output is a Jupyter notebook's (not a terminal, but shown to a person, wide and in colour). */
  notebook?: boolean | undefined;
}

/** Light quiet zone around the symbol, in modules (scanners need one; 2 is enough on a screen). */
const BORDER = 2;
/** Black on a white background, whatever the terminal's colours: a dark theme would invert the code otherwise. */
const START = '\u001b[30;47m';
const END = '\u001b[0m';

/**
 * The QR code of `text` for a terminal: two module rows per line with half blocks (`▀`, `▄`, `█`, ` `),
 * dark modules drawn in black on a white background. The lines are `size` columns wide.
 */
export function renderTerminalQr(text: string): { lines: string[]; width: number } {
  const { data, size } = encode(text, { ecc: 'L', border: BORDER });
  const lines: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let line = '';
    for (let x = 0; x < size; x++) {
      const top = data[y]?.[x] === true;
      const bottom = data[y + 1]?.[x] === true;
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ';
    }
    lines.push(`${START}${line}${END}`);
  }
  return { lines, width: size };
}

/**
 * The terminal QR of `text` when `qr` (and, for `auto`, the terminal) allows it, else no lines. Text past
 * what a QR code holds (about 2,900 bytes) gets no lines either: the address is printed anyway.
 */
export function qrLines(text: string, qr: QrOption, terminal: TerminalInfo): string[] {
  const notebook = terminal.notebook === true && !terminal.isTTY;
  if (qr === false || (qr === 'auto' && !terminal.isTTY && !notebook)) {
    return [];
  }
  let rendered: { lines: string[]; width: number };
  try {
    rendered = renderTerminalQr(text);
  } catch {
    // uqr throws RangeError('Data too long') beyond version 40.
    return [];
  }
  const { lines, width } = rendered;
  // An unknown width (not a terminal, forced on; a notebook) is taken as wide enough.
  if (qr === 'auto' && !notebook && (terminal.columns ?? 0) < width) {
    return [];
  }
  return lines;
}

/** The calling thread's stderr, for `auto`. */
export function stderrTerminal(): TerminalInfo {
  return {
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    notebook: isNotebook(process.env) && !isCi(),
  };
}
