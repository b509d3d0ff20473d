import { parseArgs } from 'node:util';
import { InvalidResponseError, KeywayError } from '@keyway/core';
import { tokenKey } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';
import { type AuthenticatedTokenSet, authenticate, DEFAULT_SCOPE, login, loginKey } from '../authenticate.js';
import { InteractionRequiredError } from '../errors.js';
import { clientFor } from '../internal/client.js';
import { openInBrowser } from '../internal/open-browser.js';
import { safeJson, safeText } from '../internal/terminal-text.js';
import { readStoredLogins, type StoredLogin } from './stored-logins.js';

/** Exit codes of `keyway` (documented in the README). */
export const EXIT = { ok: 0, error: 1, usage: 2, loginRequired: 3 } as const;

const HELP = `Usage: keyway <command> [options]

Commands:
  login    Sign in (browser on this machine, or a device code) and store the tokens
  token    Print a valid access token on stdout (refreshing it when needed)
  list     Show stored logins (issuer, client, scope, expiry; never tokens)
  logout   Remove a stored login and revoke its refresh token at the server

Options:
  --issuer <url>        Issuer URL                          (env KEYWAY_ISSUER)
  --client-id <id>      Client id                           (env KEYWAY_CLIENT_ID)
  --scope <scopes>      Scopes (default "${DEFAULT_SCOPE}")  (env KEYWAY_SCOPE)
  --resource <uri>      RFC 8707 resource indicator         (env KEYWAY_RESOURCE)
  --audience <id>       API audience (Auth0-style)          (env KEYWAY_AUDIENCE)
  --token-file <path>   Token file                          (env KEYWAY_TOKEN_FILE)
  --device, --browser   login: force the device or the browser flow
  --qr, --no-qr         login: draw the device flow's address as a QR code, or not
                        (default: only when stderr is a terminal wide enough)
  --json                Machine-readable output on stdout
  -h, --help            This help;  --version  the version

A confidential client's secret comes from KEYWAY_CLIENT_SECRET (never a flag: flags show in ps).
token, list and logout find the login by the options given; with a single stored login none are needed.

Exit codes: 0 ok, 1 error, 2 usage error, 3 login required (run keyway login).`;

/**
 * An error whose message the CLI composed itself, every outside part (an argument, a stored issuer)
 * through `safeText`: printed as it is, line breaks included. Any other message may carry a provider's
 * text and is printed through `safeText` whole.
 */
class CliError extends Error {}

class UsageError extends CliError {}

class NotLoggedInError extends CliError {}

interface Flags {
  issuer?: string;
  clientId?: string;
  scope?: string;
  resource?: string;
  audience?: string;
  tokenFile?: string;
  clientSecret?: string;
  device: boolean;
  browser: boolean;
  qr: boolean | 'auto';
  json: boolean;
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: string[], version: string): Promise<number> {
  let flags: Flags;
  let command: string | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        scope: { type: 'string' },
        resource: { type: 'string' },
        audience: { type: 'string' },
        'token-file': { type: 'string' },
        device: { type: 'boolean', default: false },
        browser: { type: 'boolean', default: false },
        qr: { type: 'boolean', default: false },
        'no-qr': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
    const { values, positionals } = parsed;
    if (values.version) {
      process.stdout.write(`${version}\n`);
      return EXIT.ok;
    }
    if (values.help || positionals.length === 0) {
      (values.help ? process.stdout : process.stderr).write(`${HELP}\n`);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    if (positionals.length > 1) {
      throw new UsageError(`Unexpected argument: ${safeText(positionals[1])}`);
    }
    command = positionals[0];
    const env = process.env;
    flags = {
      device: values.device,
      browser: values.browser,
      qr: values.qr ? true : values['no-qr'] ? false : 'auto',
      json: values.json,
      ...defined('issuer', values.issuer ?? env.KEYWAY_ISSUER),
      ...defined('clientId', values['client-id'] ?? env.KEYWAY_CLIENT_ID),
      ...defined('scope', values.scope ?? env.KEYWAY_SCOPE),
      ...defined('resource', values.resource ?? env.KEYWAY_RESOURCE),
      ...defined('audience', values.audience ?? env.KEYWAY_AUDIENCE),
      ...defined('tokenFile', values['token-file'] ?? env.KEYWAY_TOKEN_FILE),
      ...defined('clientSecret', env.KEYWAY_CLIENT_SECRET),
    };
    if (flags.device && flags.browser) {
      throw new UsageError('--device and --browser exclude each other.');
    }
    if (values.qr && values['no-qr']) {
      throw new UsageError('--qr and --no-qr exclude each other.');
    }
  } catch (error) {
    process.stderr.write(`keyway: ${safeText((error as Error).message)}\nRun keyway --help for usage.\n`);
    return EXIT.usage;
  }
  try {
    switch (command) {
      case 'login':
        return await loginCommand(flags);
      case 'token':
        return await tokenCommand(flags);
      case 'list':
        return await listCommand(flags);
      case 'logout':
        return await logoutCommand(flags);
      default:
        throw new UsageError(`Unknown command: ${safeText(command)}`);
    }
  } catch (error) {
    return report(error, flags.json);
  }
}

function report(error: unknown, json: boolean): number {
  const code =
    error instanceof UsageError
      ? EXIT.usage
      : error instanceof NotLoggedInError || InteractionRequiredError.is(error)
        ? EXIT.loginRequired
        : EXIT.error;
  // Keyway errors never carry a token or secret in their message; they may carry a provider's text
  // (an error_description), which safeText and safeJson keep from acting on the terminal.
  const message = error instanceof Error ? error.message : String(error);
  const errorCode = KeywayError.is(error) ? error.code : code === EXIT.usage ? 'usage' : undefined;
  if (json) {
    process.stdout.write(`${safeJson({ error: { code: errorCode ?? 'error', message } })}\n`);
  }
  process.stderr.write(`keyway: ${error instanceof CliError ? message : safeText(message)}\n`);
  if (code === EXIT.usage) {
    process.stderr.write('Run keyway --help for usage.\n');
  }
  return code;
}

function defined<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [name]: value } : {}) as { [P in K]?: string };
}

function storeOf(flags: Flags): FileTokenStore {
  return new FileTokenStore(flags.tokenFile === undefined ? {} : { path: flags.tokenFile });
}

interface Target {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  audience?: string;
}

/** `resource` and `audience` of the flags, as `Target` members. */
function apiOf(flags: Flags): Pick<Target, 'resource' | 'audience'> {
  return {
    ...(flags.resource === undefined ? {} : { resource: flags.resource }),
    ...(flags.audience === undefined ? {} : { audience: flags.audience }),
  };
}

/**
 * Which login a command is about: the options given, completed from the stored logins (a single stored
 * login needs no options; a login with a non-default scope is found by issuer and client).
 */
async function resolveTarget(flags: Flags, store: FileTokenStore): Promise<Target> {
  const logins = await readStoredLogins(store);
  const normalisedIssuer = flags.issuer === undefined ? undefined : keyPart(flags.issuer);
  const matches = logins.filter(
    (login) =>
      (normalisedIssuer === undefined || keyPart(login.issuer) === normalisedIssuer) &&
      (flags.clientId === undefined || login.clientId === flags.clientId) &&
      (flags.scope === undefined || sameScope(login.scope, flags.scope)) &&
      (flags.resource === undefined || login.resource === flags.resource) &&
      (flags.audience === undefined || login.audience === flags.audience),
  );
  const explicit = flags.issuer !== undefined && flags.clientId !== undefined;
  // The stored issuer is the one the login was given (discovery needs that exact string).
  const pick = (login: StoredLogin): Target => ({
    issuer: flags.issuer ?? login.issuer,
    clientId: login.clientId,
    scope: login.scope ?? '',
    ...(login.resource === undefined ? {} : { resource: login.resource }),
    ...(login.audience === undefined ? {} : { audience: login.audience }),
  });
  if (matches.length === 1) {
    return pick(matches[0]!);
  }
  if (matches.length > 1) {
    const byDefault = matches.filter((login) => sameScope(login.scope, flags.scope ?? DEFAULT_SCOPE));
    if (byDefault.length === 1) {
      return pick(byDefault[0]!);
    }
    if (!explicit || flags.scope === undefined) {
      throw new UsageError(
        `Several stored logins match; choose one with --issuer, --client-id and --scope:\n${matches
          .map((login) => `  ${describe(login)}`)
          .join('\n')}`,
      );
    }
  }
  if (explicit) {
    return {
      issuer: flags.issuer!,
      clientId: flags.clientId!,
      scope: flags.scope ?? DEFAULT_SCOPE,
      ...apiOf(flags),
    };
  }
  throw new NotLoggedInError(
    logins.length === 0
      ? 'Not logged in: run `keyway login --issuer <url> --client-id <id>` first (or set KEYWAY_ISSUER and KEYWAY_CLIENT_ID).'
      : 'No stored login matches the options given; run `keyway list` to see them, or `keyway login`.',
  );
}

function keyPart(issuer: string): string {
  return tokenKey({ issuer, clientId: '-' });
}

function sameScope(a: string | undefined, b: string): boolean {
  const norm = (scope: string | undefined) => [...new Set((scope ?? '').split(/\s+/).filter(Boolean))].sort().join(' ');
  return norm(a) === norm(b);
}

/** One stored login on one line, for a person: every part from the token file through `safeText`. */
function describe(login: StoredLogin): string {
  return `${safeText(login.issuer)}  client ${safeText(login.clientId)}${login.scope ? `  scope "${safeText(login.scope)}"` : ''}${
    login.audience ? `  audience ${safeText(login.audience)}` : ''
  }${login.resource ? `  resource ${safeText(login.resource)}` : ''}`;
}

function authOptions(flags: Flags, target: Target, store: FileTokenStore) {
  return {
    ...target,
    store,
    ...(flags.clientSecret === undefined ? {} : { clientSecret: flags.clientSecret }),
  };
}

async function loginCommand(flags: Flags): Promise<number> {
  if (flags.issuer === undefined || flags.clientId === undefined) {
    throw new UsageError('login needs --issuer and --client-id (or KEYWAY_ISSUER and KEYWAY_CLIENT_ID).');
  }
  const store = storeOf(flags);
  const target: Target = {
    issuer: flags.issuer,
    clientId: flags.clientId,
    scope: flags.scope ?? DEFAULT_SCOPE,
    ...apiOf(flags),
  };
  const tokens = await login({
    ...authOptions(flags, target, store),
    interactive: true,
    flow: flags.device ? 'device' : flags.browser ? 'browser' : 'auto',
    qr: flags.qr,
    openBrowser: async (url) => {
      process.stderr.write(`Opening your browser to sign in. If it does not open, visit:\n\n  ${safeText(url)}\n\n`);
      await openInBrowser(url).catch(() => {});
    },
  });
  const summary = loginSummary(target, tokens);
  if (flags.json) {
    process.stdout.write(`${safeJson(summary)}\n`);
  }
  process.stderr.write(
    `Logged in to ${safeText(target.issuer)}${summary.subject ? ` as ${safeText(summary.subject)}` : ''} (client ${safeText(target.clientId)}).${
      summary.refreshable ? '' : ' No refresh token was issued: the login ends when the access token expires.'
    }\n`,
  );
  return EXIT.ok;
}

function loginSummary(target: Target, tokens: AuthenticatedTokenSet) {
  return {
    issuer: target.issuer,
    clientId: target.clientId,
    scope: tokens.scope ?? target.scope,
    ...(target.resource === undefined ? {} : { resource: target.resource }),
    ...(target.audience === undefined ? {} : { audience: target.audience }),
    ...(typeof tokens.claims?.sub === 'string' ? { subject: tokens.claims.sub } : {}),
    ...(isoTime(tokens.expires_at) === undefined ? {} : { expiresAt: isoTime(tokens.expires_at) }),
    refreshable: typeof tokens.refresh_token === 'string',
  };
}

async function tokenCommand(flags: Flags): Promise<number> {
  let tokens: AuthenticatedTokenSet;
  if (process.env.KEYWAY_TOKEN) {
    tokens = await authenticate({ issuer: flags.issuer ?? '', clientId: flags.clientId ?? '' });
  } else {
    const store = storeOf(flags);
    const target = await resolveTarget(flags, store);
    tokens = await authenticate({ ...authOptions(flags, target, store), interactive: false });
  }
  if (!PRINTABLE_TOKEN.test(tokens.access_token)) {
    // It goes into `$(…)` and a header: escaping it would make it another token, printing it as it is
    // would let it act on the terminal.
    throw new InvalidResponseError(
      'The access token holds characters no bearer token has (RFC 6750 allows visible ASCII only); it is not printed.',
      { code: 'invalid_access_token' },
    );
  }
  if (flags.json) {
    process.stdout.write(
      `${safeJson({
        access_token: tokens.access_token,
        token_type: tokens.token_type,
        ...(tokens.expires_at === undefined ? {} : { expires_at: tokens.expires_at }),
        ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
      })}\n`,
    );
  } else {
    process.stdout.write(`${tokens.access_token}\n`);
  }
  return EXIT.ok;
}

/**
 * Epoch seconds as an ISO date, or `undefined` when absent or past what a `Date` can hold (a stored
 * `expires_at` of 1e308 is "never", not a `RangeError`).
 */
function isoTime(epochSeconds: number | undefined): string | undefined {
  const date = typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Visible ASCII: every bearer token (RFC 6750 `b64token` and the opaque tokens providers issue). */
const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

async function listCommand(flags: Flags): Promise<number> {
  const store = storeOf(flags);
  const now = Date.now() / 1000;
  const logins = await readStoredLogins(store);
  if (flags.json) {
    const out = logins.map(({ key: _key, expiresAt, ...login }) => ({
      ...login,
      ...(isoTime(expiresAt) === undefined ? {} : { expiresAt: isoTime(expiresAt) }),
      expired: expiresAt !== undefined && expiresAt <= now,
    }));
    process.stdout.write(`${safeJson(out, 2)}\n`);
    return EXIT.ok;
  }
  if (logins.length === 0) {
    process.stdout.write(`No stored logins (${safeText(store.path)}).\n`);
    return EXIT.ok;
  }
  for (const login of logins) {
    const refreshable = login.refreshable ? ' (refreshable)' : '';
    const until = isoTime(login.expiresAt);
    const expiry =
      login.expiresAt !== undefined && login.expiresAt <= now
        ? `access token expired${refreshable}`
        : until === undefined
          ? 'no expiry'
          : `expires ${until}${refreshable}`;
    process.stdout.write(`${describe(login)}${login.subject ? `  user ${safeText(login.subject)}` : ''}  ${expiry}\n`);
  }
  return EXIT.ok;
}

async function logoutCommand(flags: Flags): Promise<number> {
  const store = storeOf(flags);
  const target = await resolveTarget(flags, store);
  const key = loginKey(target);
  const tokens = await store.get(key);
  let revoked = false;
  if (tokens) {
    const [token, hint] = tokens.refresh_token
      ? [tokens.refresh_token, 'refresh_token']
      : [tokens.access_token, 'access_token'];
    try {
      const client = await clientFor({
        issuer: target.issuer,
        clientId: target.clientId,
        ...(flags.clientSecret === undefined ? {} : { clientSecret: flags.clientSecret }),
      });
      await client.revoke(token, { tokenTypeHint: hint });
      revoked = true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `keyway: warning: could not revoke the ${hint.replace('_', ' ')} at the server: ${safeText(message)}\n`,
      );
    }
    await store.delete(key);
  }
  if (flags.json) {
    process.stdout.write(
      `${safeJson({ issuer: target.issuer, clientId: target.clientId, removed: tokens !== undefined, revoked })}\n`,
    );
  }
  const who = `${safeText(target.issuer)} (client ${safeText(target.clientId)})`;
  process.stderr.write(
    tokens
      ? `Logged out of ${who}${revoked ? '; the token was revoked at the server' : ''}.\n`
      : `Not logged in to ${who}: nothing to remove.\n`,
  );
  return EXIT.ok;
}
