import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deviceCodeOutput } from './write-device-code.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const info = { userCode: 'WDJB-MJHT', verificationUri: 'https://auth.example.com/device', expiresIn: 600 };

describe('the sync worker’s device code output (fd 2)', () => {
  it('below the code, a countdown when the calling thread’s stderr is a terminal; erased at the end', () => {
    const written: string[] = [];
    const output = deviceCodeOutput(false, { isTTY: true, columns: 80 }, (text) => written.push(text));
    output.onDeviceCode(info);
    expect(written[0]).toContain('enter the code: WDJB-MJHT');
    expect(written[1]).toBe('\r\u001b[2KWaiting for approval: the code expires in 10:00');
    vi.advanceTimersByTime(2000);
    expect(written.at(-1)).toBe('\r\u001b[2KWaiting for approval: the code expires in 9:58');
    output.stop();
    expect(written.at(-1)).toBe('\r\u001b[2K');
    const count = written.length;
    vi.advanceTimersByTime(5000);
    expect(written).toHaveLength(count);
  });

  it('the text only in a pipe or a notebook', () => {
    for (const terminal of [{ isTTY: false }, { isTTY: true, notebook: true }]) {
      const written: string[] = [];
      const output = deviceCodeOutput(false, terminal, (text) => written.push(text));
      output.onDeviceCode(info);
      vi.advanceTimersByTime(3000);
      output.stop();
      expect(written).toHaveLength(1);
      expect(written[0]).toContain('The code expires in 10 minutes.');
    }
  });
});
