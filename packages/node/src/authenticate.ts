import { createTokenSource, type FetchLike, LoginRequiredError, type OAuthClient, type TokenSet } from '@keyway/core';
import { type TokenStore, tokenKey } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';
import { CodeFlow } from './code-flow.js';
import { DEFAULT_SCOPE } from './default-scope.js';
import { type DeviceCodeInfo, DeviceFlow } from './device-flow.js';
import { InteractionRequiredError } from './errors.js';
import { clientFor } from './internal/client.js';
import { LEGACY_INFO_FIELDS, type LoginInfo, writeLoginInfo } from './internal/login-info.js';
import { checkIssuer, checkLoginNumbers } from './internal/options.js';
import { redactTokenSet } from './internal/redact.js';
import { registeredClient, storedRegistration } from './internal/registration.js';
import { browserReach, currentProbe, detectSession, type SessionProbe } from './internal/session.js';

/**
 * Options of {@link authenticate} and {@link login}. Everything but the optional functions and `store`
 * is plain data, so the options can cross to a worker thread.
 */
export interface AuthenticateOptions {
  /** The provider's issuer URL (discovery runs against it). */
  issuer: string;
  /**
   * The registered client id (a public native client, usually). Left out: where the provider
   * advertises a `registration_endpoint`, a public native client is registered at the first login
   * (RFC 7591 / RFC 8252) and remembered in the store for this issuer; later runs reuse it and never
   * register again while it is stored. Without one, `ConfigurationError` `missing_client_id`.
   */
  clientId?: string;
  /** Only for confidential clients; a CLI is normally a public client. */
  clientSecret?: string;
  /** Space-separated scopes (default `openid offline_access`: `offline_access` asks for a refresh token). */
  scope?: string;
  /** RFC 8707 resource indicator: the API the access token is for. Part of the store key. */
  resource?: string;
  /**
   * The API the access token is for, for providers that take an `audience` parameter (Auth0): sent in
   * the authorization request, the device authorization request and refreshes. Part of the store key;
   * with both `audience` and `resource`, both are sent and the key holds `audience`.
   */
  audience?: string;
  /** Where tokens are kept; default a `FileTokenStore` at its default path (`~/.cache/keyway/tokens.json`). */
  store?: TokenStore;
  /** The token file, when `store` is not given (default: `KEYWAY_TOKEN_FILE`, else the store's default path). */
  tokenFile?: string;
  /**
   * How to log in when a login is needed: `browser` (code flow, loopback redirect), `device` (device
   * flow), or `auto` (default): the browser only where a browser can reach the loopback redirect (a
   * desktop session: macOS, Windows, Linux with `DISPLAY` or `WAYLAND_DISPLAY`; not over SSH, not in a
   * container or WSL without a browser bridge such as `BROWSER`, not in a Jupyter kernel), else the
   * device flow when the provider offers it.
   */
  flow?: 'auto' | 'browser' | 'device';
  /**
   * May a person be asked to log in? `true` always, `false` never ({@link InteractionRequiredError}).
   * Default: never in CI, a batch job (SLURM, PBS/Torque, LSF, Grid Engine), a Kubernetes pod or systemd
   * service without a terminal, or cron; otherwise `authenticate` asks only at a terminal (stderr, and
   * stdin or stdout, are terminals) or in a Jupyter kernel, and `login` (an explicit request) asks
   * without a terminal too.
   */
  interactive?: boolean;
  /** Opens the authorization URL; default the platform opener (`xdg-open`, `open`, `rundll32`), detached, no shell. */
  openBrowser?: (url: string) => Promise<void>;
  /** Shows the device code; default: prints the verification URI and user code to stderr. */
  onDeviceCode?: (info: DeviceCodeInfo) => void;
  /**
   * With the default `onDeviceCode`: also draw the verification URI as a QR code. `auto` (default) only
   * when stderr is a terminal wide enough for it or a Jupyter notebook's output (never in CI logs), `true`
   * always, `false` never.
   */
  qr?: boolean | 'auto';
  /** Port of the loopback redirect on 127.0.0.1 (default 0: any free port). */
  redirectPort?: number;
  /** Milliseconds a person gets to finish an interactive login (default 300 000, at most 2^31 - 1). */
  timeout?: number;
  /** Device flow: seconds between polls instead of the provider's `interval` (1 to 3600). */
  interval?: number;
  /** Cancels a pending login with `KeywayAbortError`. */
  signal?: AbortSignal;
  /** A `fetch` implementation (default the global one). */
  fetch?: FetchLike;
  /** Seconds before expiry at which a cached token counts as expired (default 30). */
  skew?: number;
  /**
   * Ignore `KEYWAY_TOKEN` (default false). When `KEYWAY_TOKEN` is set, `authenticate` returns it as is,
   * without looking at the store or the network: the way to hand a token to scripts and CI jobs.
   */
  ignoreEnvToken?: boolean;
}

/**
 * A token set with a ready `Authorization` header. `console.log` and `util.inspect` show it with the
 * tokens (and the header) redacted; JSON and spreading keep them.
 */
export type AuthenticatedTokenSet = TokenSet & {
  headers: { Authorization: string };
};

export { DEFAULT_SCOPE };

/**
 * Returns a usable access token, doing only as much as needed:
 *
 * 1. `KEYWAY_TOKEN` when set (unless `ignoreEnvToken`): returned as is.
 * 2. The stored token set, while it is valid for longer than `skew`: no request at all.
 * 3. A refresh with the stored refresh token (one refresh across processes, through the store's lock).
 * 4. An interactive login: the browser (code flow with a loopback redirect on 127.0.0.1) or the device
 *    flow, then stored for next time.
 * 5. In a session that cannot ask a person (no terminal, CI, a batch job, a service, cron,
 *    `interactive: false`; see `interactive`): {@link InteractionRequiredError} (`interaction_required`),
 *    at once, whose message says why and names the three ways to provide a token.
 *
 * A `timeout`, `interval`, `redirectPort` or `skew` that is not a number in range (`NaN`, negative,
 * `Infinity`, past 2^31 - 1 ms) rejects with `ConfigurationError` (`invalid_option`) before anything runs.
 *
 * @example
 * ```ts
 * import { authenticate } from '@keyway/node';
 *
 * const token = await authenticate({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
 * const response = await fetch('https://api.example.com/me', { headers: token.headers });
 * ```
 */
export async function authenticate(options: AuthenticateOptions): Promise<AuthenticatedTokenSet> {
  return authenticateIn(currentProbe(), options);
}

/** {@link authenticate} in the session `probe` describes (the sync worker passes its caller's terminals). */
export async function authenticateIn(
  probe: SessionProbe,
  options: AuthenticateOptions,
): Promise<AuthenticatedTokenSet> {
  checkLoginNumbers(options);
  checkIssuer(options.issuer);
  const envToken = options.ignoreEnvToken ? undefined : process.env.KEYWAY_TOKEN;
  if (envToken) {
    return withHeaders({ access_token: envToken, token_type: 'Bearer' });
  }
  const store = storeFor(options);
  const identified = await withStoredClient(options, store);
  if (identified === undefined) {
    // No client registered for this issuer yet: no login can be stored either.
    refuseUnlessInteractive(probe, options, store);
    return loginIn(probe, { ...options, interactive: true });
  }
  const { source } = tokenSourceFor(identified, store);
  try {
    return withHeaders(await source.getToken());
  } catch (error) {
    if (!LoginRequiredError.is(error)) {
      throw error;
    }
    refuseUnlessInteractive(probe, identified, store, error);
  }
  return loginIn(probe, { ...identified, interactive: true });
}

/** Options with a client id: as given, or that of the registration stored for the issuer (`undefined`: none). */
type Identified = AuthenticateOptions & { clientId: string };

async function withStoredClient(options: AuthenticateOptions, store: TokenStore): Promise<Identified | undefined> {
  if (options.clientId !== undefined) {
    return options as Identified;
  }
  const registered = await storedRegistration(store, options.issuer);
  return registered === undefined ? undefined : { ...options, ...registered };
}

/** An implicit login goes on only where a person can answer it (`interactive` overrides). */
function refuseUnlessInteractive(
  probe: SessionProbe,
  options: AuthenticateOptions,
  store: TokenStore,
  cause?: unknown,
): void {
  const session = detectSession(probe);
  const interactive = options.interactive ?? (session.kind === 'terminal' || session.kind === 'notebook');
  if (!interactive) {
    throw interactionRequired(options, store, options.interactive === false ? NOT_INTERACTIVE : session.reason, cause);
  }
}

/**
 * Runs an interactive login now (browser or device flow, as `flow` says) and stores the result,
 * whatever is cached: what `keyway login` does.
 *
 * @example
 * ```ts
 * import { login } from '@keyway/node';
 *
 * const tokens = await login({ issuer: 'https://auth.example.com', clientId: 'my-cli', flow: 'device' });
 * process.stderr.write(`Signed in as ${tokens.claims?.sub}\n`);
 * ```
 */
export async function login(options: AuthenticateOptions): Promise<AuthenticatedTokenSet> {
  return loginIn(currentProbe(), options);
}

/** {@link login} in the session `probe` describes. */
export async function loginIn(probe: SessionProbe, options: AuthenticateOptions): Promise<AuthenticatedTokenSet> {
  checkLoginNumbers(options);
  checkIssuer(options.issuer);
  const store = storeFor(options);
  if (options.interactive !== true) {
    // An explicit login runs without a terminal (its output may be piped), but not where nobody will answer.
    const session = detectSession(probe);
    if (options.interactive === false || session.kind === 'automated') {
      throw interactionRequired(options, store, options.interactive === false ? NOT_INTERACTIVE : session.reason);
    }
  }
  const identified: Identified =
    options.clientId === undefined
      ? { ...options, ...(await registeredClient({ issuer: options.issuer, store, fetch: options.fetch })) }
      : (options as Identified);
  return loginAs(probe, identified, store);
}

/** The login itself, for a known client. */
async function loginAs(probe: SessionProbe, options: Identified, store: TokenStore): Promise<AuthenticatedTokenSet> {
  const flow = await chooseFlow(options, probe);
  const config = {
    issuer: options.issuer,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const common = {
    ...config,
    scope: options.scope ?? DEFAULT_SCOPE,
    ...(options.resource === undefined ? {} : { resource: options.resource }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const tokens =
    flow === 'device'
      ? await new DeviceFlow({
          ...common,
          ...(options.onDeviceCode === undefined ? {} : { onDeviceCode: options.onDeviceCode }),
          ...(options.qr === undefined ? {} : { qr: options.qr }),
          ...(options.interval === undefined ? {} : { interval: options.interval }),
        }).run()
      : await new CodeFlow({
          ...common,
          ...(options.openBrowser === undefined ? {} : { openBrowser: options.openBrowser }),
          ...(options.redirectPort === undefined ? {} : { redirectPort: options.redirectPort }),
        }).run();
  // Straight to the store: the token set as the provider sent it, the login's info beside it.
  const key = loginKey(options);
  await store.set(key, tokens);
  await writeLoginInfo(store, key, loginInfoOf(options), tokens);
  return withHeaders(tokens);
}

/**
 * The store key of a login: the same in `authenticate`, `login` and the `keyway` CLI (the scope
 * defaults to {@link DEFAULT_SCOPE}).
 *
 * @example
 * ```ts
 * import { loginKey } from '@keyway/node';
 * import { FileTokenStore } from '@keyway/token-store/file';
 *
 * await new FileTokenStore().delete(loginKey({ issuer: 'https://auth.example.com', clientId: 'my-cli' }));
 * ```
 */
export function loginKey(
  options: Pick<AuthenticateOptions, 'issuer' | 'resource' | 'audience' | 'scope'> & { clientId: string },
): string {
  // `audience` wins over `resource`; a resource-only login keeps the key it always had.
  const audience = options.audience ?? options.resource;
  return tokenKey({
    issuer: options.issuer,
    clientId: options.clientId,
    ...(audience === undefined ? {} : { audience }),
    scope: options.scope ?? DEFAULT_SCOPE,
  });
}

/** What a login's info (stored beside its tokens) says about the options it was made with. */
function loginInfoOf(options: AuthenticateOptions): LoginInfo {
  return {
    issuer: options.issuer,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  };
}

/** The store `authenticate` uses for these options. */
function storeFor(options: Pick<AuthenticateOptions, 'store' | 'tokenFile'>): TokenStore {
  if (options.store) {
    return options.store;
  }
  const path = options.tokenFile ?? (process.env.KEYWAY_TOKEN_FILE || undefined);
  return new FileTokenStore(path === undefined ? {} : { path });
}

function tokenSourceFor(options: Identified, store: TokenStore) {
  // Discovery happens only when a refresh is needed: a cached token costs no request.
  let client: Promise<OAuthClient> | undefined;
  const lazyClient = () => {
    client ??= clientFor({
      issuer: options.issuer,
      clientId: options.clientId,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    return client;
  };
  const source = createTokenSource({
    client: {
      issuer: options.issuer,
      clientId: options.clientId,
      refresh: async (tokens, refreshOptions) =>
        (await lazyClient()).refresh(tokens, {
          ...refreshOptions,
          ...(options.audience === undefined ? {} : { extraParams: { audience: options.audience } }),
        }),
      clientCredentials: async (params) => (await lazyClient()).clientCredentials(params),
    },
    grant: { type: 'refresh_token' },
    store,
    key: loginKey(options),
    ...(options.skew === undefined ? {} : { skew: options.skew }),
  });
  return { source, store };
}

async function chooseFlow(options: Identified, probe: SessionProbe): Promise<'browser' | 'device'> {
  const flow = options.flow ?? 'auto';
  if (flow !== 'auto') {
    return flow;
  }
  if (browserReach(probe).browser) {
    return 'browser';
  }
  // No browser can reach the loopback redirect: the device flow, when the provider offers it.
  const client = await clientFor({
    issuer: options.issuer,
    clientId: options.clientId,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  return typeof client.metadata.device_authorization_endpoint === 'string' ? 'device' : 'browser';
}

const NOT_INTERACTIVE = 'the caller passed interactive: false';

/** Nobody can answer a login in this session (`reason`: which one, or `interactive: false`). */
function interactionRequired(options: AuthenticateOptions, store: TokenStore, reason: string, cause?: unknown) {
  const where = store instanceof FileTokenStore ? ` (tokens are kept in ${store.path})` : '';
  // Without a client id the login registers one: name none.
  const client = options.clientId === undefined ? 'for a new client' : `for client "${options.clientId}"`;
  const clientFlag = options.clientId === undefined ? '' : ` --client-id ${options.clientId}`;
  return new InteractionRequiredError(
    `A login is required ${client} at ${options.issuer}, but nobody can answer one here: ` +
      `${reason}. Provide a token in one of these ways: ` +
      `run \`keyway login --issuer ${options.issuer}${clientFlag}\` beforehand in a terminal${where}; ` +
      'or set KEYWAY_TOKEN to an access token (e.g. a CI secret); ' +
      'or use client credentials (clientSecret with createTokenSource({ grant: { type: "client_credentials" } }) from @keyway/core).',
    { issuer: options.issuer, clientId: options.clientId ?? '', ...(cause === undefined ? {} : { cause }) },
  );
}

/** Adds `headers.Authorization`; `util.inspect` shows the result with every token redacted. */
function withHeaders(tokens: TokenSet): AuthenticatedTokenSet {
  const result: AuthenticatedTokenSet = { ...tokens, headers: { Authorization: `Bearer ${tokens.access_token}` } };
  // Entries written before the login info moved beside the tokens carry it inside.
  for (const name of LEGACY_INFO_FIELDS) {
    delete (result as Record<string, unknown>)[name];
  }
  return redactTokenSet(result);
}
