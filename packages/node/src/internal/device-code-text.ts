import { InvalidResponseError } from '@keyway/core';
import type { DeviceCodeInfo } from '../device-flow.js';
import { type QrOption, qrLines, type TerminalInfo } from './terminal-qr.js';
import { hasControlCharacters, safeText } from './terminal-text.js';
import { webUrl } from './web-url.js';

/**
 * Refuses a device code a person cannot be shown as it is: a user code or address with control
 * characters (terminal escapes, bidi overrides that make `ABCD` read `DCBA`), or an address that is not
 * http(s) (`javascript:`, `file:`). `InvalidResponseError`: `invalid_device_response`, or
 * `insecure_verification_uri` for the scheme. The messages name the field, never its value.
 */
export function checkDeviceCodeInfo(info: DeviceCodeInfo): void {
  const shown: Array<[string, string | undefined]> = [
    ['user_code', info.userCode],
    ['verification_uri', info.verificationUri],
    ['verification_uri_complete', info.verificationUriComplete],
  ];
  for (const [name, value] of shown) {
    if (value === undefined && name === 'verification_uri_complete') {
      continue;
    }
    if (typeof value !== 'string' || value === '' || hasControlCharacters(value)) {
      throw new InvalidResponseError(
        `The device authorization response's ${name} is empty or holds control characters; it is not shown.`,
        { code: 'invalid_device_response' },
      );
    }
    if (name !== 'user_code' && webUrl(value) === undefined) {
      throw new InvalidResponseError(
        `The device authorization response's ${name} is not an http(s) URL; it is not shown.`,
        { code: 'insecure_verification_uri' },
      );
    }
  }
}

/**
 * The text `printDeviceCode` (and the sync worker) writes: the address, the code, the expiry and, when
 * `qr` allows it, a QR code of the address with the code filled in (else of the plain address). Throws
 * as {@link checkDeviceCodeInfo} for a code that cannot be shown.
 */
export function deviceCodeText(info: DeviceCodeInfo, qr: QrOption, terminal: TerminalInfo): string {
  checkDeviceCodeInfo(info);
  const qrCode = qrLines(webUrl(info.verificationUriComplete ?? info.verificationUri)!.href, qr, terminal);
  const lines = [
    '',
    `To sign in, open ${safeText(info.verificationUri)} and enter the code: ${safeText(info.userCode)}`,
    ...(info.verificationUriComplete ? [`(or open ${safeText(info.verificationUriComplete)})`] : []),
    ...(qrCode.length > 0 ? ['or scan this code with a phone:', '', ...qrCode, ''] : []),
    `The code expires in ${Math.round(info.expiresIn / 60)} minutes.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
