import {
  DeviceFlowError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  OAuthError,
} from '../errors.js';
import { numberOption } from '../internal/options.js';
import { isLoopbackHost } from '../internal/url.js';
import type { TokenSet } from '../token-set.js';
import { type Clock, sleepOn } from './clock.js';
import { errorFromResponse } from './errors-map.js';
import type { DeviceAuthorization } from './types.js';

/**
 * Options of `OAuthClient.pollDeviceToken()`.
 */
export interface PollDeviceTokenOptions {
  /** Stops polling with `KeywayAbortError`. */
  signal?: AbortSignal;
  /**
   * Seconds between polls; overrides the server's `interval`. An explicit choice may go down to
   * 1 second; the server's value is held between 5 and 60 s.
   */
  interval?: number;
}

/** RFC 8628 §3.5: the default polling interval, in seconds, and the floor of a server's value. */
const DEFAULT_DEVICE_INTERVAL = 5;
/** The longest wait between polls a server can ask for (seconds): a hostile `interval` cannot stall a login. */
const MAX_DEVICE_INTERVAL = 60;
/** The shortest interval a caller may choose (seconds): polling never runs faster than once a second. */
const MIN_CALLER_INTERVAL = 1;
/** The longest device-code lifetime honoured (seconds); a larger `expires_in` is cut to it. */
const MAX_DEVICE_LIFETIME = 3600;

/**
 * The verification URI must be https: (or plain http: on a loopback host, or when the client allows
 * insecure requests): the user types their code into it, and a `javascript:` or `file:` URI shown
 * or opened by a CLI is an attack on the user (RFC 8628 §5.4).
 */
function checkVerificationUri(value: unknown, name: string, allowInsecure: boolean, status: number): void {
  if (value === undefined && name === 'verification_uri_complete') {
    return;
  }
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    throw new InvalidResponseError(`The device authorization response has no valid ${name}.`, {
      code: 'invalid_device_response',
      status,
    });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (allowInsecure || isLoopbackHost(url.hostname)))) {
    throw new InvalidResponseError(`The device authorization response's ${name} is not an https: URL.`, {
      code: 'insecure_verification_uri',
      status,
    });
  }
}

/** Reads a device authorization response (RFC 8628 §3.2). */
export async function processDeviceAuthorizationResponse(
  response: Response,
  allowInsecure = false,
): Promise<DeviceAuthorization> {
  if (response.status !== 200) {
    throw await errorFromResponse(response, 'The device authorization endpoint');
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const strings = ['device_code', 'user_code', 'verification_uri'].every(
    (name) => typeof fields[name] === 'string' && fields[name] !== '',
  );
  const optional = (name: string, type: string) => fields[name] === undefined || typeof fields[name] === type;
  const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
  if (
    !strings ||
    !finite(fields.expires_in) ||
    (fields.expires_in as number) <= 0 ||
    !optional('verification_uri_complete', 'string') ||
    !(fields.interval === undefined || (finite(fields.interval) && (fields.interval as number) >= 0))
  ) {
    throw new InvalidResponseError('The device authorization response is malformed.', {
      code: 'invalid_device_response',
      status: response.status,
    });
  }
  checkVerificationUri(fields.verification_uri, 'verification_uri', allowInsecure, response.status);
  checkVerificationUri(fields.verification_uri_complete, 'verification_uri_complete', allowInsecure, response.status);
  return fields as DeviceAuthorization;
}

/**
 * The first wait between polls, in ms: the caller's `interval` (validated, at least 1 s), else the
 * server's held between 5 and 60 s (RFC 8628 §3.5: 5 when absent; a hostile server can neither make
 * the client hammer its token endpoint nor stall it).
 */
function pollInterval(server: unknown, caller: unknown): number {
  if (caller !== undefined) {
    return numberOption(caller, 'interval', DEFAULT_DEVICE_INTERVAL, { min: MIN_CALLER_INTERVAL, max: 3600 }) * 1000;
  }
  const seconds = typeof server === 'number' && Number.isFinite(server) ? server : DEFAULT_DEVICE_INTERVAL;
  return Math.min(Math.max(seconds, DEFAULT_DEVICE_INTERVAL), MAX_DEVICE_INTERVAL) * 1000;
}

/**
 * Polls the token endpoint per RFC 8628 §3.4–3.5 until the user approves: waits `interval` seconds
 * (default 5) before each poll, keeps polling on `authorization_pending`, adds 5 s to every later
 * wait on `slow_down`, backs off exponentially on connection errors, and stops at `expires_in`.
 *
 * Errors: `DeviceFlowError` `access_denied` / `expired_token` (also when the code ran out locally),
 * `KeywayAbortError` when `signal` fires, `OAuthError` for any other refusal.
 */
export async function pollDevice(
  device: Pick<DeviceAuthorization, 'expires_in' | 'interval'>,
  options: PollDeviceTokenOptions,
  poll: (signal: AbortSignal | undefined) => Promise<TokenSet>,
  clock: Clock,
): Promise<TokenSet> {
  const { signal } = options;
  let interval = pollInterval(device.interval, options.interval);
  let wait = interval;
  const lifetime = typeof device.expires_in === 'number' && device.expires_in > 0 ? device.expires_in : 0;
  const deadline = clock.now() + Math.min(lifetime, MAX_DEVICE_LIFETIME) * 1000;
  const expired = () =>
    new DeviceFlowError('The device code expired before it was approved.', { code: 'expired_token' });
  for (;;) {
    if (signal?.aborted) {
      throw new KeywayAbortError(undefined, { cause: signal.reason });
    }
    const remaining = deadline - clock.now();
    if (wait >= remaining) {
      // No poll can happen before the code runs out: wait it out (still cancellable), then say so.
      await sleepOn(clock, Math.max(0, remaining), signal);
      throw expired();
    }
    await sleepOn(clock, wait, signal);
    try {
      return await poll(signal);
    } catch (error) {
      if (OAuthError.is(error)) {
        switch (error.error) {
          case 'authorization_pending':
            wait = interval;
            continue;
          case 'slow_down':
            // RFC 8628 §3.5: five more seconds for this and every later poll (held at the ceiling).
            interval = Math.min(interval + 5_000, Math.max(interval, MAX_DEVICE_INTERVAL * 1000));
            wait = interval;
            continue;
          case 'access_denied':
            throw new DeviceFlowError('The user denied the device authorization.', { code: 'access_denied' });
          case 'expired_token':
            throw expired();
        }
      }
      if (KeywayConnectionError.is(error) && !signal?.aborted) {
        wait = Math.min(wait * 2, 60_000);
        continue;
      }
      throw error;
    }
  }
}
