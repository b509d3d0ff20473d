import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';

/**
 * The secret scan. Every secret a scenario uses (client secrets, access/refresh/ID tokens, code
 * verifiers, device codes) is registered here, by the hostile OP as it issues or receives them and by
 * the tests for what they make themselves; every error a case catches and every console/stdout/stderr
 * line of the test file is observed. `expectNoSecrets()` checks one value at once; `secretScan()` adds
 * the last case of a file, which checks everything the file produced.
 */
const secrets = new Set<string>();
const observed: { source: string; text: string }[] = [];

/** Secrets shorter than this are not tracked: they would match by accident (and no real one is this short). */
const MIN_SECRET_LENGTH = 16;

/** Registers a secret value (ignored when short or not a string). */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) {
    secrets.add(value);
  }
}

/** A random secret-looking value (`<prefix>-<32 chars>`), registered. */
export function newSecret(prefix: string): string {
  const value = `${prefix}-${base64url.encode(randomBytes(24))}`;
  registerSecret(value);
  return value;
}

/** Every text form of a value a user could print or ship to a log: message, String(), JSON, inspect. */
export function textForms(value: unknown): string[] {
  const forms: string[] = [];
  if (value instanceof Error) {
    forms.push(value.message);
  }
  try {
    forms.push(String(value));
  } catch {
    // an object whose toString throws prints nothing
  }
  try {
    forms.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: inspect below still shows it
  }
  forms.push(inspect(value, { depth: 5 }));
  return forms;
}

/** Records a value (an error, a log line) for the file's final scan. */
export function observe(value: unknown, source = 'error'): void {
  for (const text of typeof value === 'string' ? [value] : textForms(value)) {
    observed.push({ source, text });
  }
}

/** The registered secrets found in `text` (shortened for the report). */
function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    if (text.includes(secret)) {
      found.push(`${secret.slice(0, 12)}… (${secret.length} chars)`);
    }
  }
  return found;
}

/** The registered secrets that some text form of `value` contains (without recording `value`). */
export function leaksOf(value: unknown): string[] {
  return textForms(value).flatMap(leaksIn);
}

/** Asserts that no text form of `value` contains a registered secret; records it for the final scan too. */
export function expectNoSecrets(value: unknown): void {
  observe(value);
  const leaks = leaksOf(value);
  expect(leaks, 'a secret appears in the error (message, String, JSON or inspect)').toEqual([]);
}

/** Counts, for the final scan's own sanity check. */
export function collectorSize(): { secrets: number; observed: number } {
  return { secrets: secrets.size, observed: observed.length };
}

/**
 * Adds the file's last case: no observed error or log line contains any registered secret. Call it
 * once, at the end of a test file (cases run in declaration order).
 */
export function secretScan(): void {
  describe('secret scan', () => {
    it('no error, console line or stdout/stderr write of this file contains a secret', () => {
      expect(secrets.size, 'the scenarios registered secrets').toBeGreaterThan(0);
      expect(observed.length, 'the cases observed errors or log lines').toBeGreaterThan(0);
      const leaks = observed.flatMap(({ source, text }) => leaksIn(text).map((leak) => `${source}: ${leak}`));
      expect(leaks).toEqual([]);
    });
  });
}
