import { writeSync } from 'node:fs';
import type { DeviceCodeInfo } from '../../device-flow.js';
import { deviceCodeText } from '../../internal/device-code-text.js';
import type { QrOption, TerminalInfo } from '../../internal/terminal-qr.js';

/**
 * The worker's `onDeviceCode`: the same text as `printDeviceCode`, written straight to fd 2. A worker's
 * `process.stderr` is forwarded through the calling thread's event loop, which is blocked until the
 * login ends, so the person would never see the code. The worker's stderr is never a terminal: `auto`
 * is decided from the calling thread's (`terminal`).
 */
export function writeDeviceCode(info: DeviceCodeInfo, qr: QrOption, terminal: TerminalInfo): void {
  writeSync(2, deviceCodeText(info, qr, terminal));
}
