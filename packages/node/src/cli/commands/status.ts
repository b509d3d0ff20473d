import { safeText } from '../../internal/terminal-text.js';
import type { Flags } from '../args.js';
import { EXIT, isoTime, print, printJson } from '../output.js';
import { readStoredLogins, type StoredLogin } from '../stored-logins.js';
import { loginSuggestion, matchingLogins, storeOf } from '../target.js';

/**
 * `keyway status`: who is logged in, until when, and which token file holds it, for every stored login
 * the options match. No request is sent. Exits 3 when none is stored (the token file keeps a login
 * while its access token is valid, or while it has a refresh token).
 */
export async function statusCommand(flags: Flags): Promise<number> {
  const store = storeOf(flags);
  const now = Date.now() / 1000;
  const logins = matchingLogins(flags, await readStoredLogins(store));
  const code = logins.length > 0 ? EXIT.ok : EXIT.loginRequired;
  if (flags.json) {
    printJson(
      {
        loggedIn: logins.length > 0,
        tokenFile: store.path,
        logins: logins.map(({ key: _key, expiresAt, ...login }) => ({
          ...login,
          ...(isoTime(expiresAt) === undefined ? {} : { expiresAt: isoTime(expiresAt) }),
          expired: expiresAt !== undefined && expiresAt <= now,
        })),
      },
      2,
    );
    return code;
  }
  if (logins.length === 0) {
    print(`Not logged in — run \`${loginSuggestion(flags)}\``);
  }
  for (const login of logins) {
    print(describe(login, now).join('\n'));
  }
  print(`Token file: ${safeText(store.path)}`);
  return code;
}

/** One login for a person, a few lines: who, scope, access token, refresh token. */
function describe(login: StoredLogin, now: number): string[] {
  const until = isoTime(login.expiresAt);
  const access =
    until === undefined
      ? 'no expiry'
      : login.expiresAt! <= now
        ? `expired at ${until}`
        : `valid until ${until} (${fromNow(login.expiresAt! - now)})`;
  return [
    `Logged in to ${safeText(login.issuer)}${login.subject ? ` as ${safeText(login.subject)}` : ''} (client ${safeText(login.clientId)})`,
    `  scope: ${login.scope ? safeText(login.scope) : '(none)'}`,
    ...(login.audience ? [`  audience: ${safeText(login.audience)}`] : []),
    ...(login.resource ? [`  resource: ${safeText(login.resource)}`] : []),
    `  access token: ${access}`,
    login.refreshable
      ? '  refresh token: stored (a new access token is fetched when needed)'
      : '  refresh token: none (the login ends when the access token expires)',
  ];
}

/** A duration ahead, for a person: "in 59 minutes". */
function fromNow(seconds: number): string {
  const units: Array<[string, number]> = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size * 1.5 || (unit === 'minute' && seconds >= 60)) {
      const count = Math.round(seconds / size);
      return `in ${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `in ${Math.max(0, Math.round(seconds))} seconds`;
}
