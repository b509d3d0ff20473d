// @ts-check
// What bin/kw-whoami.js and scripts/whoami-sync.js share: the settings they read from the environment
// (the same variables as the `keyway` CLI of @keyway/node) and how a failure ends the process.
import { KeywayError } from '@keyway/core';
import { InteractionRequiredError } from '@keyway/node';

/** A missing or wrong setting: the person running the tool has to fix the environment. */
export class UsageError extends Error {}

/**
 * @typedef {object} Settings
 * @property {string} issuer    the OpenID Provider (`KEYWAY_ISSUER`)
 * @property {string} clientId  this tool's OAuth client (`KEYWAY_CLIENT_ID`)
 * @property {string} apiUrl    the Keyway API (`KEYWAY_API_URL`; default: the issuer)
 */

/** @returns {Settings} */
export function settings() {
  const issuer = process.env.KEYWAY_ISSUER;
  const clientId = process.env.KEYWAY_CLIENT_ID;
  if (!issuer || !clientId) {
    throw new UsageError('set KEYWAY_ISSUER and KEYWAY_CLIENT_ID (and KEYWAY_API_URL when the API is elsewhere).');
  }
  return { issuer, clientId, apiUrl: process.env.KEYWAY_API_URL || issuer };
}

// What a terminal acts on or reorders and JSON.stringify leaves as it is (it escapes C0 only): DEL, C1,
// the bidi controls, zero-width characters, the line and paragraph separators.
const UNSAFE_FOR_A_TERMINAL = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Prints the API's answer as JSON; exit code 0 for a valid token, 1 when the API says it is not. What
 * the server sent cannot move the cursor or reorder the text: such characters are written as `\u`
 * escapes, which JSON allows.
 * @param {{ valid: boolean }} result
 */
export function printResult(result) {
  const json = JSON.stringify(result, null, 2).replace(
    UNSAFE_FOR_A_TERMINAL,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  process.stdout.write(`${json}\n`);
  process.exitCode = result.valid ? 0 : 1;
}

/**
 * Prints why the tool failed and sets the exit code the `keyway` CLI uses: 3 when a login is needed but
 * nobody can answer one here (CI, no terminal: the message says how to provide a token), 2 for a usage
 * error, 1 otherwise. Keyway's messages never hold a token or a secret.
 * @param {string} tool
 * @param {unknown} error
 */
export function fail(tool, error) {
  if (!(error instanceof UsageError) && !KeywayError.is(error)) {
    throw error; // a bug: let Node print the stack
  }
  process.stderr.write(`${tool}: ${error.message}\n`);
  process.exitCode = InteractionRequiredError.is(error) ? 3 : error instanceof UsageError ? 2 : 1;
}
