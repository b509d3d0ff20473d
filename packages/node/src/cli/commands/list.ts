import { safeText } from '../../internal/terminal-text.js';
import type { Flags } from '../args.js';
import { describeLogin, EXIT, isoTime, print, printJson } from '../output.js';
import { readStoredLogins } from '../stored-logins.js';
import { storeOf } from '../target.js';

/** `keyway list`: every stored login on one line (issuer, client, scope, user, expiry), never a token. */
export async function listCommand(flags: Flags): Promise<number> {
  const store = storeOf(flags);
  const now = Date.now() / 1000;
  const logins = await readStoredLogins(store);
  if (flags.json) {
    printJson(
      logins.map(({ key: _key, expiresAt, ...login }) => ({
        ...login,
        ...(isoTime(expiresAt) === undefined ? {} : { expiresAt: isoTime(expiresAt) }),
        expired: expiresAt !== undefined && expiresAt <= now,
      })),
      2,
    );
    return EXIT.ok;
  }
  if (logins.length === 0) {
    print(`No stored logins (${safeText(store.path)}).`);
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
    print(`${describeLogin(login)}${login.subject ? `  user ${safeText(login.subject)}` : ''}  ${expiry}`);
  }
  return EXIT.ok;
}
