/**
 * What `keyway` writes, and where: results on stdout (a token, `--json`), everything a person reads on
 * stderr. Every outside part (an argument, a stored issuer, a provider's text) goes through `safeText`
 * or `safeJson` before it is written. No import of `@keyway/core` here (errors are reported by
 * report.ts), so `keyway --help` loads none of it.
 */
import { safeJson, safeText } from '../internal/terminal-text.js';
import type { StoredLogin } from './stored-logins.js';

/** Exit codes of `keyway` (documented in the README). 130: cancelled with Ctrl-C (128 + SIGINT). */
export const EXIT = { ok: 0, error: 1, usage: 2, loginRequired: 3, interrupted: 130 } as const;

/**
 * An error whose message the CLI composed itself, every outside part through `safeText`: printed as it
 * is, line breaks included. Any other message may carry a provider's text and is printed through
 * `safeText` whole. `code` is the `--json` error code.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string = 'error',
  ) {
    super(message);
  }
}

/** The command line is wrong: exit 2, with a pointer to the help. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 'usage');
  }
}

/** No usable login for the command: exit 3. */
export class NotLoggedInError extends CliError {
  constructor(message: string) {
    super(message, 'not_logged_in');
  }
}

/** A line for a person, on stderr. */
export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** A result, on stdout. */
export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** A JSON result, on stdout: the exact values, no byte of which acts on a terminal. */
export function printJson(value: unknown, space?: number): void {
  print(safeJson(value, space));
}

/**
 * Epoch seconds as an ISO date, or `undefined` when absent or past what a `Date` can hold (a stored
 * `expires_at` of 1e308 is "never", not a `RangeError`).
 */
export function isoTime(epochSeconds: number | undefined): string | undefined {
  const date = typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** One stored login on one line, for a person: every part from the token file through `safeText`. */
export function describeLogin(login: Omit<StoredLogin, 'key' | 'refreshable'>): string {
  return `${safeText(login.issuer)}  client ${safeText(login.clientId)}${login.scope ? `  scope "${safeText(login.scope)}"` : ''}${
    login.audience ? `  audience ${safeText(login.audience)}` : ''
  }${login.resource ? `  resource ${safeText(login.resource)}` : ''}`;
}
