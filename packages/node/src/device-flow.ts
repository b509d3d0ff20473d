import type { DeviceAuthorizationResponse, OAuthClient, TokenSet } from '@keyway/core';
import { type ClientConfig, clientFor } from './internal/client.js';
import { createDeadline, raceDeadline } from './internal/deadline.js';

/**
 * What a person needs to approve a device login: where to go and which code to enter.
 *
 * @example
 * ```ts
 * import type { DeviceCodeInfo } from '@keyway/node';
 *
 * const show = (info: DeviceCodeInfo) =>
 *   process.stderr.write(`Open ${info.verificationUri} and enter ${info.userCode}\n`);
 * ```
 */
export interface DeviceCodeInfo {
  /** The code to enter, e.g. `WDJB-MJHT`. */
  userCode: string;
  /** Where to enter it. */
  verificationUri: string;
  /** The same page with the code filled in, when the provider offers one. */
  verificationUriComplete?: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

/**
 * Options of {@link DeviceFlow}: the client (issuer plus `discover()` options) and the login's settings.
 *
 * @example
 * ```ts
 * import type { DeviceFlowOptions } from '@keyway/node';
 *
 * const options: DeviceFlowOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-cli',
 *   onDeviceCode: (info) => process.stderr.write(`Code: ${info.userCode}\n`),
 * };
 * ```
 */
export type DeviceFlowOptions = ClientConfig & {
  /** Space-separated scopes (default `openid offline_access`). */
  scope?: string;
  /** RFC 8707 resource indicator. */
  resource?: string;
  /** Shows the code to the person; default: prints the verification URI and user code to stderr. */
  onDeviceCode?: (info: DeviceCodeInfo) => void;
  /** Milliseconds the person gets to approve (default 300 000; the code's own expiry also applies). */
  timeout?: number;
  signal?: AbortSignal;
};

/**
 * The device authorization grant (RFC 8628) for machines without a browser: asks for a user code,
 * shows it through `onDeviceCode`, then polls the token endpoint (honouring `interval` and `slow_down`)
 * until the person approved it on another device. Rejects with `DeviceFlowError` (`access_denied`,
 * `expired_token`), `LoginTimeoutError` or `KeywayAbortError`.
 *
 * @example
 * ```ts
 * import { DeviceFlow } from '@keyway/node';
 *
 * const flow = new DeviceFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
 * const tokens = await flow.run(); // prints "Open https://auth.example.com/device and enter WDJB-MJHT"
 * ```
 */
export class DeviceFlow {
  readonly #options: DeviceFlowOptions;

  constructor(options: DeviceFlowOptions) {
    this.#options = options;
  }

  /**
   * Runs the flow: device authorization, `onDeviceCode`, polling. Resolves to the tokens.
   *
   * @example
   * ```ts
   * import { DeviceFlow } from '@keyway/node';
   *
   * const tokens = await new DeviceFlow({
   *   issuer: 'https://auth.example.com',
   *   clientId: 'my-cli',
   *   onDeviceCode: ({ verificationUriComplete, verificationUri, userCode }) =>
   *     process.stderr.write(`${verificationUriComplete ?? verificationUri} (${userCode})\n`),
   *   timeout: 120_000,
   * }).run();
   * ```
   */
  async run(): Promise<TokenSet> {
    const { scope, resource, onDeviceCode, timeout, signal, ...config } = this.#options;
    const deadline = createDeadline(timeout, signal);
    try {
      const client: OAuthClient = await raceDeadline(clientFor(config as ClientConfig), deadline);
      const device = await raceDeadline(
        client.deviceAuthorization({
          scope: scope ?? 'openid offline_access',
          ...(resource === undefined ? {} : { resource }),
          signal: deadline.signal,
        }),
        deadline,
      );
      (onDeviceCode ?? printDeviceCode)(deviceCodeInfo(device));
      return await raceDeadline(client.pollDeviceToken(device, { signal: deadline.signal }), deadline);
    } finally {
      deadline.dispose();
    }
  }
}

function deviceCodeInfo(device: DeviceAuthorizationResponse): DeviceCodeInfo {
  const info: DeviceCodeInfo = {
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    expiresIn: device.expires_in,
  };
  if (typeof device.verification_uri_complete === 'string') {
    info.verificationUriComplete = device.verification_uri_complete;
  }
  return info;
}

/**
 * The default `onDeviceCode`: the address and the code, on stderr (stdout stays for the program's output).
 *
 * @example
 * ```ts
 * import { DeviceFlow, printDeviceCode } from '@keyway/node';
 *
 * const flow = new DeviceFlow({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-cli',
 *   onDeviceCode: (info) => {
 *     printDeviceCode(info);
 *     process.stderr.write('Waiting for approval...\n');
 *   },
 * });
 * ```
 */
export function printDeviceCode(info: DeviceCodeInfo): void {
  const lines = [
    '',
    `To sign in, open ${info.verificationUri} and enter the code: ${info.userCode}`,
    ...(info.verificationUriComplete ? [`(or open ${info.verificationUriComplete})`] : []),
    `The code expires in ${Math.round(info.expiresIn / 60)} minutes.`,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
