import type { DeviceAuthorizationResponse, OAuthClient, TokenSet } from '@keyway/core';
import { type ClientConfig, clientFor } from './internal/client.js';
import { type Countdown, startCountdown } from './internal/countdown.js';
import { createDeadline, raceDeadline } from './internal/deadline.js';
import { checkDeviceCodeInfo, deviceCodeText } from './internal/device-code-text.js';
import { checkLoginNumbers } from './internal/options.js';
import { type QrOption, stderrTerminal } from './internal/terminal-qr.js';

/**
 * What a person needs to approve a device login: where to go and which code to enter.
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
 */
export type DeviceFlowOptions = ClientConfig & {
  /** Space-separated scopes (default `openid offline_access`). */
  scope?: string;
  /** RFC 8707 resource indicator. */
  resource?: string;
  /**
   * `audience` of the device authorization request, for providers that name the API that way (Auth0).
   * (`authenticate()` sends it with later refreshes too.)
   */
  audience?: string;
  /** Shows the code to the person; default: prints the verification URI and user code to stderr. */
  onDeviceCode?: (info: DeviceCodeInfo) => void;
  /**
   * With the default `onDeviceCode`: also draw the verification URI as a QR code. `auto` (default) draws it
   * only when stderr is a terminal wide enough for it, or a Jupyter notebook's output; `true` always; `false` never.
   */
  qr?: QrOption;
  /** Milliseconds the person gets to approve (default 300 000; the code's own expiry also applies). */
  timeout?: number;
  /**
   * Seconds between polls, instead of the provider's `interval` (1 to 3600; `slow_down` still adds 5 s).
   * Default: the provider's.
   */
  interval?: number;
  signal?: AbortSignal;
};

/**
 * The device authorization grant (RFC 8628) for machines without a browser: asks for a user code,
 * shows it through `onDeviceCode`, then polls the token endpoint (honouring `interval` and `slow_down`)
 * until the person approved it on another device. Rejects with `DeviceFlowError` (`access_denied`,
 * `expired_token`), `LoginTimeoutError` or `KeywayAbortError`; with `InvalidResponseError` when the user
 * code or an address holds control characters (`invalid_device_response`) or an address is not http(s)
 * (`insecure_verification_uri`): nothing of it is shown. The constructor throws `ConfigurationError`
 * (`invalid_option`) for a `timeout` or `interval` out of range.
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
    checkLoginNumbers({ timeout: options.timeout, interval: options.interval });
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
    const { scope, resource, audience, onDeviceCode, qr, timeout, interval, signal, ...config } = this.#options;
    const deadline = createDeadline(timeout, signal);
    let countdown: Countdown | undefined;
    try {
      const client: OAuthClient = await raceDeadline(clientFor(config as ClientConfig), deadline);
      const device = await raceDeadline(
        client.deviceAuthorization({
          scope: scope ?? 'openid offline_access',
          ...(resource === undefined ? {} : { resource }),
          ...(audience === undefined ? {} : { extraParams: { audience } }),
          signal: deadline.signal,
        }),
        deadline,
      );
      const show = onDeviceCode ?? ((info: DeviceCodeInfo) => printDeviceCode(info, qr === undefined ? {} : { qr }));
      const info = deviceCodeInfo(device);
      checkDeviceCodeInfo(info);
      show(info);
      // With the default printer, a terminal shows the time left (erased when the wait is over).
      countdown = onDeviceCode === undefined ? startCountdown(info.expiresIn) : undefined;
      return await raceDeadline(
        client.pollDeviceToken(device, { signal: deadline.signal, ...(interval === undefined ? {} : { interval }) }),
        deadline,
      );
    } finally {
      countdown?.stop();
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
 * Options of {@link printDeviceCode}.
 */
export interface PrintDeviceCodeOptions {
  /**
   * Also draw `verificationUriComplete` (else `verificationUri`) as a QR code: `auto` (default) only when
   * stderr is a terminal wide enough for it or a Jupyter notebook's output (never in CI logs), `true` always,
   * `false` never.
   */
  qr?: QrOption;
}

/**
 * The default `onDeviceCode`: the address and the code on stderr (stdout stays for the program's output)
 * and, on a terminal wide enough, the address as a QR code to scan with a phone. Throws
 * `InvalidResponseError` for a code or address with control characters or an address that is not
 * http(s), instead of writing it.
 *
 * @example
 * ```ts
 * import { DeviceFlow, printDeviceCode } from '@keyway/node';
 *
 * const flow = new DeviceFlow({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-cli',
 *   onDeviceCode: (info) => {
 *     printDeviceCode(info, { qr: 'auto' });
 *     process.stderr.write('Waiting for approval...\n');
 *   },
 * });
 * ```
 */
export function printDeviceCode(info: DeviceCodeInfo, options: PrintDeviceCodeOptions = {}): void {
  process.stderr.write(deviceCodeText(info, options.qr ?? 'auto', stderrTerminal()));
}
