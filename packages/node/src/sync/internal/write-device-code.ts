import { writeSync } from 'node:fs';
import type { DeviceCodeInfo } from '../../device-flow.js';

/**
 * The worker's `onDeviceCode`: the same text as `printDeviceCode`, written straight to fd 2. A worker's
 * `process.stderr` is forwarded through the calling thread's event loop, which is blocked until the
 * login ends, so the person would never see the code.
 */
export function writeDeviceCode(info: DeviceCodeInfo): void {
  const lines = [
    '',
    `To sign in, open ${info.verificationUri} and enter the code: ${info.userCode}`,
    ...(info.verificationUriComplete ? [`(or open ${info.verificationUriComplete})`] : []),
    `The code expires in ${Math.round(info.expiresIn / 60)} minutes.`,
    '',
  ];
  writeSync(2, `${lines.join('\n')}\n`);
}
