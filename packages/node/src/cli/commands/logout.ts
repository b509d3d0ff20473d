import { loginKey } from '../../authenticate.js';
import { clientFor } from '../../internal/client.js';
import { deleteLoginInfo } from '../../internal/login-info.js';
import { safeText } from '../../internal/terminal-text.js';
import type { Flags } from '../args.js';
import { EXIT, printJson, say } from '../output.js';
import { resolveTarget, storeOf, who } from '../target.js';

/** `keyway logout`: revokes the refresh token (else the access token) at the server and removes the login. */
export async function logoutCommand(flags: Flags): Promise<number> {
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
      say(`keyway: warning: could not revoke the ${hint.replace('_', ' ')} at the server: ${safeText(message)}`);
    }
    await store.delete(key);
    await deleteLoginInfo(store, key);
  }
  if (flags.json) {
    printJson({ issuer: target.issuer, clientId: target.clientId, removed: tokens !== undefined, revoked });
  }
  say(
    tokens
      ? `Logged out of ${who(target)}${revoked ? '; the token was revoked at the server' : ''}.`
      : `Not logged in to ${who(target)}: nothing to remove.`,
  );
  return EXIT.ok;
}
