import { writeSync } from 'node:fs';
import type { DeviceCodeInfo } from '../../device-flow.js';
import { type Countdown, startCountdown } from '../../internal/countdown.js';
import { deviceCodeText } from '../../internal/device-code-text.js';
import type { QrOption, TerminalInfo } from '../../internal/terminal-qr.js';

/** What the worker shows a person during a device login, and how it tidies up after. */
interface DeviceCodeOutput {
  /** The worker's `onDeviceCode`: the code's text, then (in a terminal) the live countdown. */
  onDeviceCode(info: DeviceCodeInfo): void;
  /** Ends the countdown (erasing its line), if one runs. */
  stop(): void;
}

const toStderr = (text: string): void => {
  writeSync(2, text);
};

/**
 * The same text as `printDeviceCode` and the same countdown as `DeviceFlow`'s default printer, written
 * straight to fd 2 (`write`). A worker's `process.stderr` is forwarded through the calling thread's
 * event loop, which is blocked until the login ends, so the person would never see the code. The
 * worker's stderr is never a terminal: `auto` and the countdown go by the calling thread's (`terminal`).
 */
export function deviceCodeOutput(
  qr: QrOption,
  terminal: TerminalInfo,
  write: (text: string) => void = toStderr,
): DeviceCodeOutput {
  let countdown: Countdown | undefined;
  return {
    onDeviceCode(info) {
      write(deviceCodeText(info, qr, terminal));
      countdown?.stop();
      countdown = startCountdown(info.expiresIn, { isTTY: terminal.isTTY && terminal.notebook !== true, write });
    },
    stop() {
      countdown?.stop();
    },
  };
}
