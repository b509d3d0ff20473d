import {
  DeviceFlowError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  OAuthError,
} from '../errors.js';
import type { TokenSet } from '../token-set.js';
import type { Clock } from './clock.js';
import { errorFromResponse } from './errors-map.js';
import type { DeviceAuthorizationResponse } from './types.js';

/**
 * Options of `OAuthClient.pollDeviceToken()`.
 *
 * @example
 * ```ts
 * import type { PollDeviceTokenOptions } from '@keyway/core';
 * const options: PollDeviceTokenOptions = { signal: AbortSignal.timeout(300_000) };
 * ```
 */
export interface PollDeviceTokenOptions {
  /** Stops polling with `KeywayAbortError`. */
  signal?: AbortSignal;
  /** Seconds between polls; overrides the server's `interval` (default 5). */
  interval?: number;
}

/** RFC 8628 §3.5: the default polling interval, in seconds. */
export const DEFAULT_DEVICE_INTERVAL = 5;

/** Reads a device authorization response (RFC 8628 §3.2). */
export async function processDeviceAuthorizationResponse(response: Response): Promise<DeviceAuthorizationResponse> {
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
  if (
    !strings ||
    typeof fields.expires_in !== 'number' ||
    fields.expires_in <= 0 ||
    !optional('verification_uri_complete', 'string') ||
    !optional('interval', 'number')
  ) {
    throw new InvalidResponseError('The device authorization response is malformed.', {
      code: 'invalid_device_response',
      status: response.status,
    });
  }
  return fields as DeviceAuthorizationResponse;
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
  device: Pick<DeviceAuthorizationResponse, 'expires_in' | 'interval'>,
  options: PollDeviceTokenOptions,
  poll: (signal: AbortSignal | undefined) => Promise<TokenSet>,
  clock: Clock,
): Promise<TokenSet> {
  const { signal } = options;
  let interval = (options.interval ?? device.interval ?? DEFAULT_DEVICE_INTERVAL) * 1000;
  let wait = interval;
  const deadline = clock.now() + device.expires_in * 1000;
  const expired = () =>
    new DeviceFlowError('The device code expired before it was approved.', { code: 'expired_token' });
  for (;;) {
    if (signal?.aborted) {
      throw new KeywayAbortError(undefined, { cause: signal.reason });
    }
    const remaining = deadline - clock.now();
    if (wait >= remaining) {
      // No poll can happen before the code runs out: wait it out (still cancellable), then say so.
      await clock.sleep(Math.max(0, remaining), signal);
      throw expired();
    }
    await clock.sleep(wait, signal);
    try {
      return await poll(signal);
    } catch (error) {
      if (OAuthError.is(error)) {
        switch (error.error) {
          case 'authorization_pending':
            wait = interval;
            continue;
          case 'slow_down':
            interval += 5_000;
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
