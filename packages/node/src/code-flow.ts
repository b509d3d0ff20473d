import {
  type AuthorizationRequest,
  CallbackError,
  KeywayAbortError,
  KeywayError,
  type OAuthClient,
  type TokenSet,
} from '@keyway/core';
import { type ClientConfig, clientFor } from './internal/client.js';
import { createDeadline, type Deadline, raceDeadline } from './internal/deadline.js';
import { type LoopbackServer, startLoopbackServer } from './internal/loopback-server.js';
import { openInBrowser } from './internal/open-browser.js';
import { checkLoginNumbers } from './internal/options.js';
import { safeText } from './internal/terminal-text.js';

/**
 * Options of {@link CodeFlow}: the client (issuer plus `discover()` options) and the login's settings.
 */
export type CodeFlowOptions = ClientConfig & {
  /** Space-separated scopes (default `openid offline_access`). */
  scope?: string;
  /** RFC 8707 resource indicator. */
  resource?: string;
  /** `audience` of the authorization request, for providers that name the API that way (Auth0). */
  audience?: string;
  /** `prompt` of the authorization request (e.g. `login`, `consent`). */
  prompt?: string;
  loginHint?: string;
  /** Further authorization request parameters (e.g. `audience` for providers that use it). */
  extraParams?: Record<string, string>;
  /** Loopback port; default 0 (any free port). The redirect URI is `http://127.0.0.1:<port>/callback`. */
  redirectPort?: number;
  /** Opens the authorization URL; default: the platform's opener (`xdg-open`, `open`, `rundll32`). */
  openBrowser?: (url: string) => Promise<void>;
  /** Milliseconds the person gets to finish signing in (default 300 000). */
  timeout?: number;
  signal?: AbortSignal;
};

/**
 * What {@link CodeFlow.start} returns: where to send the person, and where they come back to.
 */
export interface CodeFlowStart {
  /** The authorization URL (PKCE S256, fresh state and nonce). */
  url: URL;
  /** `http://127.0.0.1:<port>/callback` */
  redirectUri: string;
}

const CALLBACK_PATH = '/callback';

/**
 * The authorization code flow of a native app (RFC 8252): a one-shot HTTP server on 127.0.0.1 receives
 * the browser's redirect, checks `state` and redeems the code through `@keyway/core`
 * (`handleCallback`), shows a small success or failure page (never a token), and closes. A redirect
 * whose `state` is not this login's is answered 400 and ignored; wrong paths (and `/favicon.ico`) get 404.
 *
 * The constructor throws `ConfigurationError` (`invalid_option`) for a `timeout` or `redirectPort` out of
 * range; `start()` throws `ConfigurationError` `port_in_use` when `redirectPort` is taken.
 *
 * @example
 * ```ts
 * import { CodeFlow } from '@keyway/node';
 *
 * const flow = new CodeFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
 * const tokens = await flow.run(); // opens the browser, waits for the redirect, redeems the code
 *
 * // or step by step, opening the URL yourself:
 * const manual = new CodeFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
 * const { url } = await manual.start();
 * process.stderr.write(`Open ${url}\n`);
 * const same = await manual.wait();
 * ```
 */
export class CodeFlow {
  readonly #options: CodeFlowOptions;
  #started: Promise<CodeFlowStart> | undefined;
  #server: LoopbackServer | undefined;
  #client: OAuthClient | undefined;
  #request: AuthorizationRequest | undefined;
  #deadline: Deadline | undefined;
  #result: Promise<TokenSet> | undefined;
  #settle: { resolve: (tokens: TokenSet) => void; reject: (error: unknown) => void } | undefined;

  constructor(options: CodeFlowOptions) {
    checkLoginNumbers({ timeout: options.timeout, redirectPort: options.redirectPort });
    this.#options = options;
  }

  /**
   * Starts the loopback server and builds the authorization URL. The timeout starts now. Idempotent.
   *
   * @example
   * ```ts
   * import { CodeFlow } from '@keyway/node';
   *
   * const flow = new CodeFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli', redirectPort: 8400 });
   * const { url, redirectUri } = await flow.start(); // redirectUri: http://127.0.0.1:8400/callback
   * ```
   */
  start(): Promise<CodeFlowStart> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<CodeFlowStart> {
    const { scope, resource, audience, prompt, loginHint, extraParams, redirectPort, timeout, signal, ...config } =
      this.#options;
    const params = audience === undefined ? extraParams : { ...extraParams, audience };
    const deadline = createDeadline(timeout, signal);
    this.#deadline = deadline;
    this.#result = new Promise<TokenSet>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Whoever awaits wait() sees the rejection; until then it must not count as unhandled.
    this.#result.catch(() => {});
    const onAbort = () => this.#fail(deadline.reason());
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.#server = await startLoopbackServer({
        port: redirectPort ?? 0,
        path: CALLBACK_PATH,
        onCallback: (url) => this.#onCallback(url),
      });
      if (deadline.signal.aborted) {
        throw deadline.reason();
      }
      this.#client = await raceDeadline(clientFor(config as ClientConfig, this.#server.redirectUri), deadline);
      this.#request = await raceDeadline(
        this.#client.createAuthorizationUrl({
          scope: scope ?? 'openid offline_access',
          ...(resource === undefined ? {} : { resource }),
          ...(prompt === undefined ? {} : { prompt }),
          ...(loginHint === undefined ? {} : { loginHint }),
          ...(params === undefined ? {} : { extraParams: params }),
        }),
        deadline,
      );
      return { url: this.#request.url, redirectUri: this.#server.redirectUri };
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  /**
   * Waits for the redirect and resolves to the redeemed tokens (ID token verified). Rejects with
   * `CallbackError` (the provider's error, e.g. `access_denied`), `LoginTimeoutError` or
   * `KeywayAbortError`; the server is closed in every case.
   *
   * @example
   * ```ts
   * import { CodeFlow } from '@keyway/node';
   *
   * const flow = new CodeFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
   * const { url } = await flow.start();
   * await myOwnBrowserOpener(url);
   * const tokens = await flow.wait();
   * declare function myOwnBrowserOpener(url: URL): Promise<void>;
   * ```
   */
  async wait(): Promise<TokenSet> {
    await this.start();
    return this.#result!;
  }

  /**
   * `start()`, open the browser (`openBrowser`, default the platform opener; when that fails the URL is
   * printed to stderr), then `wait()`.
   *
   * @example
   * ```ts
   * import { CodeFlow } from '@keyway/node';
   *
   * const tokens = await new CodeFlow({
   *   issuer: 'https://auth.example.com',
   *   clientId: 'my-cli',
   *   openBrowser: async (url) => {
   *     process.stderr.write(`Open ${url}\n`);
   *   },
   * }).run();
   * ```
   */
  async run(): Promise<TokenSet> {
    const { url } = await this.start();
    const open = this.#options.openBrowser ?? openInBrowser;
    try {
      await open(url.href);
    } catch (error) {
      if (this.#options.openBrowser !== undefined) {
        this.#fail(error);
        throw error;
      }
      process.stderr.write(`Could not open a browser. Open this address to sign in:\n\n  ${safeText(url.href)}\n\n`);
    }
    return this.wait();
  }

  /**
   * Stops waiting and closes the server; a pending `wait()` rejects with `KeywayAbortError`.
   *
   * @example
   * ```ts
   * import { CodeFlow } from '@keyway/node';
   *
   * const flow = new CodeFlow({ issuer: 'https://auth.example.com', clientId: 'my-cli' });
   * await flow.start();
   * await flow.close();
   * ```
   */
  async close(): Promise<void> {
    this.#fail(new KeywayAbortError('The login was closed before it completed.'));
    await this.#server?.close();
  }

  #fail(error: unknown): void {
    this.#finish();
    this.#settle?.reject(error);
  }

  #finish(): void {
    this.#deadline?.dispose();
    void this.#server?.close();
  }

  async #onCallback(url: URL): Promise<{ status: number; title: string; detail: string } | undefined> {
    const request = this.#request;
    if (request === undefined || url.searchParams.get('state') !== request.state) {
      // Not the redirect of this login (a stray or forged request): ignore it and keep waiting.
      return undefined;
    }
    try {
      const tokens = await this.#client!.handleCallback(url, {
        state: request.state,
        nonce: request.nonce,
        codeVerifier: request.codeVerifier,
        ...(request.maxAge === undefined ? {} : { maxAge: request.maxAge }),
        signal: this.#deadline!.signal,
      });
      this.#deadline?.dispose();
      this.#settle?.resolve(tokens);
      return { status: 200, title: 'Signed in', detail: 'You are signed in. You can close this tab and go back.' };
    } catch (error) {
      // The server closes itself once the failure page is sent.
      this.#deadline?.dispose();
      this.#settle?.reject(error);
      const detail = CallbackError.is(error)
        ? `The provider answered: ${error.error ?? error.code}${error.error_description ? ` (${error.error_description})` : ''}.`
        : KeywayError.is(error)
          ? `${error.message}`
          : 'The sign-in could not be completed.';
      return { status: 400, title: 'Sign-in failed', detail: `${detail} You can close this tab.` };
    }
  }
}
