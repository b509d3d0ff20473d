import { tokenKey } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';
import { DEFAULT_SCOPE } from '../authenticate.js';
import { safeText } from '../internal/terminal-text.js';
import type { Flags } from './args.js';
import { describeLogin, NotLoggedInError, UsageError } from './output.js';
import { readStoredLogins, type StoredLogin } from './stored-logins.js';

/** Which login a command is about. */
export interface Target {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  audience?: string;
}

/** The token file the flags name (else the store's default path). */
export function storeOf(flags: Flags): FileTokenStore {
  return new FileTokenStore(flags.tokenFile === undefined ? {} : { path: flags.tokenFile });
}

/** The target the flags name in full (issuer and client), without looking at the store. */
export function targetOf(flags: Flags): Target | undefined {
  if (flags.clientId === undefined) {
    return undefined;
  }
  const target = loginTargetOf(flags);
  return target === undefined ? undefined : { ...target, clientId: flags.clientId };
}

/**
 * What a login needs from the flags: the issuer, and the client unless it is to be registered (a
 * provider with a registration endpoint, see `registeredClient`).
 */
export function loginTargetOf(flags: Flags): (Omit<Target, 'clientId'> & { clientId?: string }) | undefined {
  if (flags.issuer === undefined) {
    return undefined;
  }
  return {
    issuer: flags.issuer,
    ...(flags.clientId === undefined ? {} : { clientId: flags.clientId }),
    scope: flags.scope ?? DEFAULT_SCOPE,
    ...(flags.resource === undefined ? {} : { resource: flags.resource }),
    ...(flags.audience === undefined ? {} : { audience: flags.audience }),
  };
}

/** The options of `authenticate()` / `login()` for a target (no client id: one is registered). */
export function authOptions(
  flags: Flags,
  target: Omit<Target, 'clientId'> & { clientId?: string },
  store: FileTokenStore,
) {
  return {
    ...target,
    store,
    ...(flags.clientSecret === undefined ? {} : { clientSecret: flags.clientSecret }),
  };
}

/** The stored logins the options given match (all of them when none is given). */
export function matchingLogins(flags: Flags, logins: StoredLogin[]): StoredLogin[] {
  const normalisedIssuer = flags.issuer === undefined ? undefined : keyPart(flags.issuer);
  return logins.filter(
    (login) =>
      (normalisedIssuer === undefined || keyPart(login.issuer) === normalisedIssuer) &&
      (flags.clientId === undefined || login.clientId === flags.clientId) &&
      (flags.scope === undefined || sameScope(login.scope, flags.scope)) &&
      (flags.resource === undefined || login.resource === flags.resource) &&
      (flags.audience === undefined || login.audience === flags.audience),
  );
}

/**
 * Which login a command is about: the options given, completed from the stored logins (a single stored
 * login needs no options; a login with a non-default scope is found by issuer and client). Throws
 * {@link NotLoggedInError} when nothing is stored and the options do not name a login in full.
 */
export async function resolveTarget(flags: Flags, store: FileTokenStore): Promise<Target> {
  const logins = await readStoredLogins(store);
  const matches = matchingLogins(flags, logins);
  const explicit = targetOf(flags);
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
    if (explicit === undefined || flags.scope === undefined) {
      throw new UsageError(
        `Several stored logins match; choose one with --issuer, --client-id and --scope:\n${matches
          .map((login) => `  ${describeLogin(login)}`)
          .join('\n')}`,
      );
    }
  }
  if (explicit !== undefined) {
    return explicit;
  }
  throw new NotLoggedInError(
    logins.length === 0
      ? `not logged in — run \`${loginSuggestion(flags)}\``
      : 'No stored login matches the options given; run `keyway list` to see them, or `keyway login`.',
  );
}

/**
 * The `keyway login` command that makes the login `target` (or the flags) name: the flags given on
 * the command line again, the parts a stored login had that the environment does not give, and
 * placeholders for an issuer or client nobody named. Every part through `safeText`.
 */
export function loginSuggestion(flags: Flags, target?: Target): string {
  const parts = ['keyway login'];
  const add = (flag: string, value: string | undefined, name: keyof Flags['sources'], placeholder?: string) => {
    const source = flags.sources[name];
    const shown = source === 'flag' ? flags[name] : source === 'env' ? undefined : value;
    if (shown !== undefined) {
      parts.push(`--${flag} ${shellWord(shown)}`);
    } else if (source === undefined && placeholder !== undefined) {
      parts.push(`--${flag} ${placeholder}`);
    }
  };
  add('issuer', target?.issuer, 'issuer', '<url>');
  add('client-id', target?.clientId, 'clientId', '<id>');
  add('scope', target === undefined || sameScope(target.scope, DEFAULT_SCOPE) ? undefined : target.scope, 'scope');
  add('resource', target?.resource, 'resource');
  add('audience', target?.audience, 'audience');
  if (flags.sources.tokenFile === 'flag') {
    parts.push(`--token-file ${shellWord(flags.tokenFile!)}`);
  }
  return parts.join(' ');
}

/** `value` as one word for a shell (single-quoted unless plain), through `safeText`. */
function shellWord(value: string): string {
  const shown = safeText(value);
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

/** `target` for a person: the issuer and the client, through `safeText`. */
export function who(target: Pick<Target, 'issuer' | 'clientId'>): string {
  return `${safeText(target.issuer)} (client ${safeText(target.clientId)})`;
}

function keyPart(issuer: string): string {
  return tokenKey({ issuer, clientId: '-' });
}

/** The same set of scopes, in any order. */
function sameScope(a: string | undefined, b: string): boolean {
  const norm = (scope: string | undefined) => [...new Set((scope ?? '').split(/\s+/).filter(Boolean))].sort().join(' ');
  return norm(a) === norm(b);
}
