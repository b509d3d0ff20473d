import { discover, InvalidResponseError } from '@keyway/core';
import type { FileTokenStore } from '@keyway/token-store/file';
import { type AuthenticatedTokenSet, authenticate, loginKey } from '../../authenticate.js';
import { InteractionRequiredError } from '../../errors.js';
import type { Flags } from '../args.js';
import { EXIT, NotLoggedInError, print, printJson } from '../output.js';
import { readStoredLogins } from '../stored-logins.js';
import {
  authOptions,
  loginSuggestion,
  matchingLogins,
  resolveTarget,
  storeOf,
  type Target,
  targetOf,
  who,
} from '../target.js';

/** Visible ASCII: every bearer token (RFC 6750 `b64token` and the opaque tokens providers issue). */
const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

/**
 * `keyway token`: the access token alone on stdout, refreshed when needed. It never starts a login (it
 * runs in `$(…)`, where nobody sees a prompt): without a usable login it exits 3 and says which
 * `keyway login` to run.
 */
export async function tokenCommand(flags: Flags): Promise<number> {
  const tokens = await usableTokens(flags);
  if (!PRINTABLE_TOKEN.test(tokens.access_token)) {
    // It goes into `$(…)` and a header: escaping it would make it another token, printing it as it is
    // would let it act on the terminal.
    throw new InvalidResponseError(
      'The access token holds characters no bearer token has (RFC 6750 allows visible ASCII only); it is not printed.',
      { code: 'invalid_access_token' },
    );
  }
  if (flags.json) {
    printJson({
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      ...(tokens.expires_at === undefined ? {} : { expires_at: tokens.expires_at }),
      ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    });
  } else {
    print(tokens.access_token);
  }
  return EXIT.ok;
}

async function usableTokens(flags: Flags): Promise<AuthenticatedTokenSet> {
  if (process.env.KEYWAY_TOKEN) {
    return authenticate({ issuer: flags.issuer ?? '', clientId: flags.clientId ?? '' });
  }
  const store = storeOf(flags);
  const service = await serviceTarget(flags, store);
  if (service !== undefined) {
    return clientCredentialsToken(flags, service);
  }
  const target = await resolveTarget(flags, store);
  if ((await store.get(loginKey(target))) === undefined) {
    // Nothing stored at all: the short message; other logins stored: which one is missing.
    // (Only logins count: a client registration or another tool's entry is no login.)
    const where = (await readStoredLogins(store)).length === 0 ? '' : ` to ${who(target)}`;
    throw new NotLoggedInError(`not logged in${where} — run \`${loginSuggestion(flags, target)}\``);
  }
  try {
    return await authenticate({ ...authOptions(flags, target, store), interactive: false });
  } catch (error) {
    if (InteractionRequiredError.is(error)) {
      throw new NotLoggedInError(`the login to ${who(target)} has expired — run \`${loginSuggestion(flags, target)}\``);
    }
    throw error;
  }
}

/**
 * A service account (CI, a cron job): `KEYWAY_CLIENT_SECRET` in the environment (never a flag: argv
 * shows in `ps`), the issuer and client named, and no stored login of that client. Then the token
 * comes from the client credentials grant instead of a login.
 */
async function serviceTarget(flags: Flags, store: FileTokenStore): Promise<Target | undefined> {
  const target = targetOf(flags);
  if (flags.clientSecret === undefined || target === undefined) {
    return undefined;
  }
  const logins = await readStoredLogins(store);
  return matchingLogins(flags, logins).length === 0 ? target : undefined;
}

/** One client credentials request (nothing stored: a service's token is cheap to ask for again). */
async function clientCredentialsToken(flags: Flags, target: Target): Promise<AuthenticatedTokenSet> {
  const client = await discover(target.issuer, { clientId: target.clientId, clientSecret: flags.clientSecret });
  const tokens = await client.clientCredentials({
    // The login default (`openid offline_access`) means nothing to a service: only an explicit scope.
    ...(flags.scope === undefined ? {} : { scope: flags.scope }),
    ...(target.resource === undefined ? {} : { resource: target.resource }),
    ...(target.audience === undefined ? {} : { extraParams: { audience: target.audience } }),
  });
  return { ...tokens, headers: { Authorization: `Bearer ${tokens.access_token}` } };
}
