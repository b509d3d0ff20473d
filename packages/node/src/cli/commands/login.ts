import { type AuthenticatedTokenSet, login } from '../../authenticate.js';
import { openInBrowser } from '../../internal/open-browser.js';
import { storedRegistration } from '../../internal/registration.js';
import { safeText } from '../../internal/terminal-text.js';
import type { Flags } from '../args.js';
import { EXIT, isoTime, printJson, say, UsageError } from '../output.js';
import { authOptions, loginTargetOf, storeOf, type Target } from '../target.js';

/**
 * `keyway login`: signs in anew and stores the tokens. The flow is the library's choice (the browser only
 * where one can reach this machine) unless `--device` or `--browser` says otherwise; where nobody can
 * answer (CI, a batch job) the library refuses at once. `signal` is Ctrl-C.
 */
export async function loginCommand(flags: Flags, signal: AbortSignal): Promise<number> {
  const given = loginTargetOf(flags);
  if (given === undefined) {
    throw new UsageError(
      'login needs --issuer, and --client-id unless the provider lets a client register itself (or KEYWAY_ISSUER and KEYWAY_CLIENT_ID).',
    );
  }
  const store = storeOf(flags);
  const tokens = await login({
    ...authOptions(flags, given, store),
    flow: flags.device ? 'device' : flags.browser ? 'browser' : 'auto',
    qr: flags.qr,
    signal,
    openBrowser: async (url) => {
      say(`Opening your browser to sign in. If it does not open, visit:\n\n  ${safeText(url)}\n`);
      await openInBrowser(url).catch(() => {});
    },
  });
  // Without --client-id, login() used (or made and stored) the issuer's registration.
  const clientId = given.clientId ?? (await storedRegistration(store, given.issuer))?.clientId ?? '';
  const target: Target = { ...given, clientId };
  const summary = loginSummary(target, tokens);
  if (flags.json) {
    printJson(summary);
  }
  say(
    `Logged in to ${safeText(target.issuer)}${summary.subject ? ` as ${safeText(summary.subject)}` : ''} (client ${safeText(target.clientId)}).${
      summary.refreshable ? '' : ' No refresh token was issued: the login ends when the access token expires.'
    }`,
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
