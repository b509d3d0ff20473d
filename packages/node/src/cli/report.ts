/**
 * How `keyway` reports an error. Its own module, apart from output.ts, because it tells Keyway errors
 * apart and so loads `@keyway/core`: main.ts imports it only when there is an error to report.
 */
import { KeywayAbortError, KeywayError } from '@keyway/core';
import { InteractionRequiredError } from '../errors.js';
import { safeText } from '../internal/terminal-text.js';
import { CliError, EXIT, NotLoggedInError, printJson, say, UsageError } from './output.js';

/**
 * Writes `error` for a person (stderr) and, with `--json`, as `{"error":{"code","message"}}` on stdout;
 * resolves to the exit code. A login cancelled with Ctrl-C (`interrupted`) is one short line, code 130.
 */
export function report(error: unknown, json: boolean, interrupted = false): number {
  if (interrupted && KeywayAbortError.is(error)) {
    if (json) {
      printJson({ error: { code: 'cancelled', message: 'Login cancelled.' } });
    }
    // On a terminal the line starts after the `^C` it echoed.
    say(`${process.stderr.isTTY ? '\n' : ''}keyway: login cancelled.`);
    return EXIT.interrupted;
  }
  const code =
    error instanceof UsageError
      ? EXIT.usage
      : error instanceof NotLoggedInError || InteractionRequiredError.is(error)
        ? EXIT.loginRequired
        : EXIT.error;
  // Keyway errors never carry a token or secret in their message; they may carry a provider's text
  // (an error_description), which safeText and safeJson keep from acting on the terminal.
  const message = error instanceof Error ? error.message : String(error);
  const errorCode = KeywayError.is(error) ? error.code : error instanceof CliError ? error.code : 'error';
  if (json) {
    printJson({ error: { code: errorCode, message } });
  }
  say(`keyway: ${error instanceof CliError ? message : safeText(message)}`);
  if (code === EXIT.usage) {
    say('Run keyway --help for usage.');
  }
  return code;
}
