import { InvalidResponseError } from '@keyway/core';
import { type AuthenticatedTokenSet, authenticate, loginKey } from '../../authenticate.js';
import { InteractionRequiredError } from '../../errors.js';
import type { Flags } from '../args.js';
import { EXIT, NotLoggedInError, print, printJson } from '../output.js';
import { authOptions, loginSuggestion, resolveTarget, storeOf, who } from '../target.js';

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
  const target = await resolveTarget(flags, store);
  if ((await store.get(loginKey(target))) === undefined) {
    // Nothing stored at all: the short message; other logins stored: which one is missing.
    const where = (await store.keys()).length === 0 ? '' : ` to ${who(target)}`;
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
