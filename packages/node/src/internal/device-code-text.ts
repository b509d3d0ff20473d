import type { DeviceCodeInfo } from '../device-flow.js';
import { type QrOption, qrLines, type TerminalInfo } from './terminal-qr.js';

/**
 * The text `printDeviceCode` (and the sync worker) writes: the address, the code, the expiry and, when
 * `qr` allows it, a QR code of the address with the code filled in (else of the plain address).
 */
export function deviceCodeText(info: DeviceCodeInfo, qr: QrOption, terminal: TerminalInfo): string {
  const qrCode = qrLines(info.verificationUriComplete ?? info.verificationUri, qr, terminal);
  const lines = [
    '',
    `To sign in, open ${info.verificationUri} and enter the code: ${info.userCode}`,
    ...(info.verificationUriComplete ? [`(or open ${info.verificationUriComplete})`] : []),
    ...(qrCode.length > 0 ? ['or scan this code with a phone:', '', ...qrCode, ''] : []),
    `The code expires in ${Math.round(info.expiresIn / 60)} minutes.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
