import { ConfigurationError } from '@keyway/core';
import type { AuthenticatedTokenSet, AuthenticateOptions } from '../authenticate.js';
import { checkIssuer, checkLoginNumbers } from '../internal/options.js';
import { redactTokenSet } from '../internal/redact.js';
import { currentProbe, type SessionProbe } from '../internal/session.js';
import { stderrTerminal, type TerminalInfo } from '../internal/terminal-qr.js';
import { OP_AUTHENTICATE } from './internal/protocol.js';
import { sharedBridge } from './internal/shared-bridge.js';

/** The options of `authenticate()` that are functions or objects with methods: they cannot reach the worker. */
const UNSUPPORTED = ['store', 'fetch', 'openBrowser', 'onDeviceCode', 'signal'] as const;

/**
 * Options of {@link authenticateSync}: the plain-data options of `authenticate()`, plus `syncTimeout`.
 *
 * Not supported (a function or a live object cannot cross to the worker thread; passing one throws
 * `ConfigurationError`): `store` (use `tokenFile`: a `FileTokenStore` at that path), `fetch`,
 * `openBrowser` (the platform opener is used), `onDeviceCode` (the code is written straight to stderr,
 * fd 2, by the worker) and `signal` (use `timeout` / `syncTimeout`).
 */
export interface AuthenticateSyncOptions extends Omit<AuthenticateOptions, (typeof UNSUPPORTED)[number]> {
  store?: never;
  fetch?: never;
  openBrowser?: never;
  onDeviceCode?: never;
  signal?: never;
  /**
   * Milliseconds the call may block in total. Default: the login `timeout` (300 000) plus 30 s. When it
   * runs out the call throws `KeywayTimeoutError` (code `sync_timeout`) and the worker is restarted.
   */
  syncTimeout?: number;
}

/**
 * What the worker receives: the options, which of the calling thread's streams are terminals (whether a
 * login may ask a person is decided from them), and that thread's stderr (for `qr: 'auto'`): the
 * worker's streams are never terminals.
 */
export type AuthenticatePayload = Omit<AuthenticateSyncOptions, 'syncTimeout'> & {
  tty: SessionProbe['tty'];
  terminal: TerminalInfo;
};

const DEFAULT_LOGIN_TIMEOUT = 300_000;
const MARGIN = 30_000;

/**
 * `authenticate()` for synchronous code: the same steps (`KEYWAY_TOKEN`, the stored token, a refresh,
 * an interactive login, or `InteractionRequiredError` where nobody can log in) run in a worker thread
 * while this thread blocks, and the token comes back with a ready `headers.Authorization`.
 *
 * It **blocks the event loop** (for scripts, config loaders and CLIs, never servers). Whether a login
 * may be interactive is decided as `authenticate()` decides it, from the calling thread's terminals,
 * unless `interactive` is given. A device code is written straight to stderr; the browser is opened with the
 * platform opener. `store`, `fetch`, `openBrowser`, `onDeviceCode` and `signal` are not supported.
 *
 * @example
 * ```ts
 * import { authenticateSync } from '@keyway/node';
 *
 * const token = authenticateSync({ issuer: 'https://auth.example.com', clientId: 'my-cli' }); // no await
 * const config = { apiUrl: 'https://api.example.com', headers: token.headers };
 * ```
 */
export function authenticateSync(options: AuthenticateSyncOptions): AuthenticatedTokenSet {
  const { syncTimeout, ...rest } = options;
  for (const name of UNSUPPORTED) {
    if ((rest as Record<string, unknown>)[name] !== undefined) {
      throw new ConfigurationError(
        `authenticateSync() does not support \`${name}\`: it runs authenticate() in a worker thread, which a function or a live object cannot reach. ` +
          'Use authenticate() for that (or `tokenFile` instead of `store`).',
        { code: 'unsupported_option' },
      );
    }
  }
  // No clientId: registered (once per issuer, kept in the token file) where the provider allows it.
  if (typeof rest.issuer !== 'string' || (rest.clientId !== undefined && typeof rest.clientId !== 'string')) {
    throw new ConfigurationError('authenticateSync() needs `issuer` (and `clientId`, when given, as a string).', {
      code: 'invalid_option',
    });
  }
  // Here, not in the worker: a NaN `timeout` would make the call's own deadline NaN (wait for ever).
  checkLoginNumbers(rest);
  checkIssuer(rest.issuer);
  if (syncTimeout !== undefined && !(typeof syncTimeout === 'number' && syncTimeout > 0)) {
    throw new ConfigurationError('syncTimeout must be a number of milliseconds > 0 (or Infinity).', {
      code: 'invalid_option',
    });
  }
  // The worker's streams are never terminals: ask this thread's.
  const payload: AuthenticatePayload = {
    ...rest,
    tty: currentProbe().tty,
    terminal: stderrTerminal(),
  };
  const deadline = syncTimeout ?? (rest.timeout ?? DEFAULT_LOGIN_TIMEOUT) + MARGIN;
  const tokens = sharedBridge().call(OP_AUTHENTICATE, payload, deadline) as AuthenticatedTokenSet;
  return redactTokenSet(tokens); // structured cloning dropped the inspect hooks
}
