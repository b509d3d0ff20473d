/**
 * The one rule every target is held to: any input ends in a result or a typed Keyway error. Anything
 * else (another exception, no answer in time, an unhandled rejection) is an escape, reported with
 * the escaped error's stack so the counterexample fast-check prints is a complete repro.
 */
import { KeywayError } from '@keyway/core';
import fc from 'fast-check';
import { takeUnhandledSince, unhandledCount } from './unhandled.ts';

/** How one call ended. */
export type Outcome =
  | { kind: 'result'; value: unknown }
  | { kind: 'typed'; error: unknown }
  | { kind: 'escape'; error: unknown }
  | { kind: 'violated'; error: unknown }
  | { kind: 'hang'; timeoutMs: number }
  | { kind: 'unhandled'; reasons: unknown[]; settled: Outcome };

/** What counts as a typed error, how long a call may take, and any extra check of the outcome. */
export interface OutcomeOptions {
  /** Default: `KeywayError.is` (every Keyway package's errors carry its brand). */
  isTyped?: (error: unknown) => boolean;
  /** Milliseconds before a call that has not settled counts as a hang (default 5 000). */
  timeoutMs?: number;
  /**
   * Runs on a result or a typed error; what it throws is reported as a violation of a documented
   * property (e.g. an `EdgeAuthError` whose `response` cannot be built, a key that does not parse back).
   */
  inspect?: (outcome: Extract<Outcome, { kind: 'result' | 'typed' }>) => void;
  /**
   * The input as built when the case ran (a token signed then, a request): printed with an escape,
   * since fast-check's counterexample only shows the plan it was built from.
   */
  input?: unknown;
  /** Counts the outcome (see `Tally`), to check what the generated inputs reach. */
  tally?: { record(outcome: Outcome): void };
  /**
   * Escapes already reported (matched against the escape's description). They fail like any other,
   * unless FUZZ_SKIP_KNOWN=1: then they are counted as `known-escape` and the search goes on past them.
   */
  known?: RegExp;
}

/** FUZZ_SKIP_KNOWN=1: search past the escapes already reported (a long run looking for new ones). */
export const SKIP_KNOWN = process.env.FUZZ_SKIP_KNOWN === '1';

/** Keyway's errors, @keyway/token-store's included (one brand protocol): `KeywayError.is`. */
export const isKeywayError = (error: unknown): boolean => KeywayError.is(error);

const DEFAULT_TIMEOUT_MS = 5_000;
const HANG = Symbol('hang');

/** Runs `fn` once and says how it ended. */
export async function outcomeOf(fn: () => unknown, options: OutcomeOptions = {}): Promise<Outcome> {
  const isTyped = options.isTyped ?? isKeywayError;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const before = unhandledCount();
  let settled: Outcome;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const pending = Promise.resolve().then(fn);
    const deadline = new Promise<typeof HANG>((resolve) => {
      timer = setTimeout(() => resolve(HANG), timeoutMs);
    });
    const value = await Promise.race([pending, deadline]);
    settled = value === HANG ? { kind: 'hang', timeoutMs } : { kind: 'result', value };
  } catch (error) {
    settled = isTyped(error) ? { kind: 'typed', error } : { kind: 'escape', error };
  } finally {
    clearTimeout(timer);
  }
  if ((settled.kind === 'result' || settled.kind === 'typed') && options.inspect) {
    try {
      options.inspect(settled);
    } catch (error) {
      settled = { kind: 'violated', error };
    }
  }
  // Node reports an unhandled rejection once the microtask queue drains: one macrotask later.
  await new Promise((resolve) => setImmediate(resolve));
  const reasons = takeUnhandledSince(before);
  const outcome: Outcome = reasons.length > 0 ? { kind: 'unhandled', reasons, settled } : settled;
  options.tally?.record(outcome);
  return outcome;
}

/** Thrown by {@link expectTypedOutcome}: the message is the repro (error class, message, stack). */
export class EscapeFound extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome, input?: unknown) {
    super(`${describeOutcome(outcome)}${input === undefined ? '' : `\nBuilt input: ${fc.stringify(input)}`}`);
    this.name = 'EscapeFound';
    this.outcome = outcome;
  }
}

/** Resolves when `fn` ends in a result or a typed error; rejects with {@link EscapeFound} otherwise. */
export async function expectTypedOutcome(fn: () => unknown, options: OutcomeOptions = {}): Promise<void> {
  // Resolves to nothing: fast-check takes any other value than `true`/`undefined` as a failure.
  const outcome = await outcomeOf(fn, options);
  if (outcome.kind !== 'result' && outcome.kind !== 'typed') {
    if (SKIP_KNOWN && options.known?.test(describeOutcome(outcome))) {
      return;
    }
    throw new EscapeFound(outcome, options.input);
  }
}

/** One line per escape, then the stack of what escaped. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'result':
      return 'a result';
    case 'typed':
      return `a typed error: ${describeError(outcome.error)}`;
    case 'escape':
      return `ESCAPE (untyped exception): ${describeError(outcome.error)}`;
    case 'violated':
      return `VIOLATION (a documented property does not hold): ${describeError(outcome.error)}`;
    case 'hang':
      return `ESCAPE (hang): no result and no error within ${outcome.timeoutMs} ms`;
    case 'unhandled':
      return `ESCAPE (unhandled rejection, after ${describeOutcome(outcome.settled)}): ${outcome.reasons
        .map(describeError)
        .join('\n---\n')}`;
  }
}

/** An error's class, code, message and first stack frames; any other value's type and text. */
export function describeError(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'stack' in error)) {
    const { name, message, stack, code } = error as Error & { code?: unknown };
    const frames = String(stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 10)
      .join('\n');
    return `${name}${code === undefined ? '' : ` [${String(code)}]`}: ${message}\n${frames}`;
  }
  return `${typeof error} thrown: ${safeString(error)}`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
