import { DEFAULT_SCOPE } from '../default-scope.js';

/** The commands of `keyway`, in the order the help lists them. */
export const COMMANDS = ['login', 'token', 'status', 'list', 'logout'] as const;
export type CommandName = (typeof COMMANDS)[number];

const SUMMARY: Record<CommandName, string> = {
  login: 'Sign in (browser on this machine, or a device code) and store the tokens',
  token: 'Print a valid access token on stdout (refreshing it when needed)',
  status: 'Show who is logged in, until when, and the token file',
  list: 'Show stored logins (issuer, client, scope, expiry; never tokens)',
  logout: 'Remove a stored login and revoke its refresh token at the server',
};

const TARGET = `  --issuer <url>        Issuer URL                          (env KEYWAY_ISSUER)
  --client-id <id>      Client id                           (env KEYWAY_CLIENT_ID)
  --scope <scopes>      Scopes (default "${DEFAULT_SCOPE}")  (env KEYWAY_SCOPE)
  --resource <uri>      RFC 8707 resource indicator         (env KEYWAY_RESOURCE)
  --audience <id>       API audience (Auth0-style)          (env KEYWAY_AUDIENCE)`;
const TOKEN_FILE = '  --token-file <path>   Token file                          (env KEYWAY_TOKEN_FILE)';
const JSON_OPTION = '  --json                Machine-readable output on stdout';
const LOGIN_OPTIONS = `  --device, --browser   Force the device or the browser flow (default: the browser only where
                        one can reach this machine: not over SSH, in a container or headless)
  --qr, --no-qr         Draw the device flow's address as a QR code, or not
                        (default: only when stderr is a terminal wide enough)`;
const EXIT_CODES = 'Exit codes: 0 ok, 1 error, 2 usage error, 3 login required (run keyway login), 130 cancelled.';
const FIND = 'With a single stored login no options are needed; else they choose the login.';

const COMMAND_HELP: Record<CommandName, string> = {
  login: `Usage: keyway login --issuer <url> [--client-id <id>] [options]

${SUMMARY.login}. Always signs in anew.
Where nobody can answer (CI, a batch job, a service, cron) it stops at once with exit code 3.

Options:
${TARGET}
${TOKEN_FILE}
${LOGIN_OPTIONS}
${JSON_OPTION}

Without --client-id, a provider with a registration endpoint registers a client for this
machine once per issuer (kept in the token file, reused by every later login).
A confidential client's secret comes from KEYWAY_CLIENT_SECRET (never a flag: flags show in ps).`,
  token: `Usage: keyway token [options]

${SUMMARY.token}.
It never starts a login: without one it exits 3. KEYWAY_TOKEN, when set, is printed as is.
A service (CI, cron): with KEYWAY_CLIENT_SECRET set (never a flag: flags show in ps), --issuer and
--client-id, and no stored login of that client, the token comes from the client credentials grant.

Options:
${TARGET}
${TOKEN_FILE}
${JSON_OPTION}

${FIND}`,
  status: `Usage: keyway status [options]

${SUMMARY.status}. No request is sent.
Exits 3 when no stored login is usable.

Options:
${TARGET}
${TOKEN_FILE}
${JSON_OPTION}`,
  list: `Usage: keyway list [options]

${SUMMARY.list}.

Options:
${TOKEN_FILE}
${JSON_OPTION}`,
  logout: `Usage: keyway logout [options]

${SUMMARY.logout}.

Options:
${TARGET}
${TOKEN_FILE}
${JSON_OPTION}

${FIND}`,
};

/** The help of `keyway`, or of one command. */
export function helpText(command?: CommandName): string {
  if (command !== undefined) {
    return `${COMMAND_HELP[command]}\n\n${EXIT_CODES}`;
  }
  const width = Math.max(...COMMANDS.map((name) => name.length)) + 3;
  return `Usage: keyway <command> [options]

Commands:
${COMMANDS.map((name) => `  ${name.padEnd(width)}${SUMMARY[name]}`).join('\n')}

Options:
${TARGET}
${TOKEN_FILE}
${JSON_OPTION}
  -h, --help            This help;  keyway <command> --help  a command's help
  --version             The version of keyway

login:
${LOGIN_OPTIONS}

A confidential client's secret comes from KEYWAY_CLIENT_SECRET (never a flag: flags show in ps).
token, status and logout find the login by the options given; with a single stored login none are needed.

${EXIT_CODES}`;
}
