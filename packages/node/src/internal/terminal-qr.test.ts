import jsQR from 'jsqr';
import { encode } from 'uqr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printDeviceCode } from '../device-flow.js';
import { qrLines, renderTerminalQr } from './terminal-qr.js';

const URL_COMPLETE = 'https://auth.example.com/device?user_code=WDJB-MJHT';
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const HALF_BLOCKS: Record<string, [boolean, boolean]> = {
  ' ': [false, false],
  '▀': [true, false],
  '▄': [false, true],
  '█': [true, true],
};

/** The module matrix drawn by half-block lines (true: dark). */
function parseLines(lines: string[], size: number): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line.replace(ANSI, '')];
    expect(chars).toHaveLength(size);
    const pairs = chars.map((char) => HALF_BLOCKS[char] ?? expect.unreachable(`unexpected ${JSON.stringify(char)}`));
    rows.push(
      pairs.map(([top]) => top),
      pairs.map(([, bottom]) => bottom),
    );
  }
  return rows.slice(0, size);
}

/** Decodes a module matrix as a scanner would: rendered to pixels (4 per module, white margin), then jsQR. */
function decode(matrix: boolean[][]): string | undefined {
  const scale = 4;
  const margin = 4;
  const side = (matrix.length + 2 * margin) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [y, row] of matrix.entries()) {
    for (const [x, dark] of row.entries()) {
      for (let dy = 0; dark && dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          pixels.set([0, 0, 0, 255], (((y + margin) * scale + dy) * side + (x + margin) * scale + dx) * 4);
        }
      }
    }
  }
  return jsQR(pixels, side, side)?.data;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('renderTerminalQr', () => {
  it('draws the module matrix of uqr, row by row, in half blocks, black on white', () => {
    const { lines, width } = renderTerminalQr(URL_COMPLETE);
    const expected = encode(URL_COMPLETE, { ecc: 'L', border: 2 });
    expect(width).toBe(expected.size);
    expect(lines).toHaveLength(Math.ceil(expected.size / 2));
    for (const line of lines) {
      expect(line.startsWith('\u001b[30;47m') && line.endsWith('\u001b[0m')).toBe(true);
    }
    const drawn = parseLines(lines, expected.size);
    for (let y = 0; y < expected.size; y++) {
      expect(drawn[y], `row ${y}`).toEqual(expected.data[y]);
    }
  });

  it('decodes back to the URL', () => {
    const { lines, width } = renderTerminalQr(URL_COMPLETE);
    expect(decode(parseLines(lines, width))).toBe(URL_COMPLETE);
  });
});

describe('qrLines', () => {
  it('auto: only on a terminal wide enough', () => {
    const { width } = renderTerminalQr(URL_COMPLETE);
    expect(qrLines(URL_COMPLETE, 'auto', { isTTY: false, columns: 200 })).toEqual([]);
    expect(qrLines(URL_COMPLETE, 'auto', { isTTY: true, columns: width - 1 })).toEqual([]);
    expect(qrLines(URL_COMPLETE, 'auto', { isTTY: true })).toEqual([]);
    expect(qrLines(URL_COMPLETE, 'auto', { isTTY: true, columns: width })).toHaveLength(Math.ceil(width / 2));
  });

  it("auto: in a Jupyter notebook's output (not a terminal, width unknown)", () => {
    expect(qrLines(URL_COMPLETE, 'auto', { isTTY: false, notebook: true })).toEqual(
      renderTerminalQr(URL_COMPLETE).lines,
    );
    expect(qrLines(URL_COMPLETE, false, { isTTY: false, notebook: true })).toEqual([]);
  });

  it('true and false force it on and off', () => {
    expect(qrLines(URL_COMPLETE, true, { isTTY: false })).not.toEqual([]);
    expect(qrLines(URL_COMPLETE, false, { isTTY: true, columns: 200 })).toEqual([]);
  });
});

describe('printDeviceCode', () => {
  const info = {
    userCode: 'WDJB-MJHT',
    verificationUri: 'https://auth.example.com/device',
    verificationUriComplete: URL_COMPLETE,
    expiresIn: 600,
  };

  /** What printDeviceCode writes to stderr, with stderr made to look like `tty`. */
  function printed(
    tty: { isTTY: boolean; columns?: number },
    options?: Parameters<typeof printDeviceCode>[1],
    shown: Parameters<typeof printDeviceCode>[0] = info,
  ): string {
    const saved = { isTTY: process.stderr.isTTY, columns: process.stderr.columns };
    Object.assign(process.stderr, { isTTY: tty.isTTY, columns: tty.columns });
    let out = '';
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      printDeviceCode(shown, options);
    } finally {
      write.mockRestore();
      Object.assign(process.stderr, saved);
    }
    return out;
  }

  it('draws verification_uri_complete on a wide terminal (default auto), decodable', () => {
    const out = printed({ isTTY: true, columns: 120 });
    expect(out).toContain('enter the code: WDJB-MJHT');
    const lines = out.split('\n').filter((line) => line.startsWith('\u001b[30;47m'));
    const { lines: expected, width } = renderTerminalQr(URL_COMPLETE);
    expect(lines).toEqual(expected);
    expect(decode(parseLines(lines, width))).toBe(URL_COMPLETE);
  });

  it('draws verification_uri when there is no complete URI', () => {
    const { verificationUriComplete: _, ...plain } = info;
    const out = printed({ isTTY: false }, { qr: true }, plain);
    const lines = out.split('\n').filter((line) => line.startsWith('\u001b[30;47m'));
    expect(decode(parseLines(lines, renderTerminalQr(info.verificationUri).width))).toBe(info.verificationUri);
  });

  it('prints the text alone, without an exception, when the address is too long for a QR code', () => {
    const long = `https://auth.example.com/device?user_code=WDJB-MJHT&state=${'a'.repeat(3_000)}`;
    expect(() => renderTerminalQr(long)).toThrow(RangeError); // past version 40: qrLines catches it
    const out = printed({ isTTY: true, columns: 500 }, { qr: true }, { ...info, verificationUriComplete: long });
    expect(out).toBe(
      `\nTo sign in, open https://auth.example.com/device and enter the code: WDJB-MJHT\n(or open ${long})\n` +
        'The code expires in 10 minutes.\n\n',
    );
  });

  it('prints no QR when stderr is not a terminal (CI logs), unless forced', () => {
    const plain = printed({ isTTY: false });
    expect(plain).toContain('enter the code: WDJB-MJHT');
    expect(plain).not.toMatch(/[▀▄█]/);
    expect(plain).not.toContain('\u001b[');
    expect(printed({ isTTY: false }, { qr: true })).toContain(renderTerminalQr(URL_COMPLETE).lines[0]);
    expect(printed({ isTTY: true, columns: 200 }, { qr: false })).not.toMatch(/[▀▄█]/);
  });
});
