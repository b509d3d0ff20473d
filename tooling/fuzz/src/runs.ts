import fc from 'fast-check';
import { harnessFailures } from './http.ts';

/**
 * Cases per property: a fast slice in CI (300), `pnpm fuzz` sets FUZZ_RUNS=20000. A few slow targets
 * (child processes) scale it down with {@link scaledRuns}.
 */
export const RUNS = readRuns();

function readRuns(): number {
  const value = Number(process.env.FUZZ_RUNS ?? 300);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`FUZZ_RUNS must be a positive whole number, got ${process.env.FUZZ_RUNS}`);
  }
  return value;
}

/** `RUNS * factor`, at least `min`: for targets where one case costs a process. */
export function scaledRuns(factor: number, min = 1): number {
  return Math.max(min, Math.round(RUNS * factor));
}

/** How a property runs: its case count and the escapes found so far, run first on every run. */
export interface FuzzOptions<Ts> {
  numRuns?: number;
  /**
   * Counterexamples of escapes found earlier (the shrunk input fast-check printed): run before the
   * random cases, so a known escape fails the suite every time until it is fixed.
   */
  examples?: Ts[];
}

/** fast-check's assertion with the suite's run count; a failure prints the shrunk counterexample. */
export async function fuzz<Ts>(
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  options: number | FuzzOptions<Ts> = {},
): Promise<void> {
  const { numRuns = RUNS, examples: pinned = [] } = typeof options === 'number' ? { numRuns: options } : options;
  // A long run looking for new escapes skips the pinned ones (they would end it at once).
  const examples = process.env.FUZZ_SKIP_KNOWN === '1' ? [] : pinned;
  harnessFailures.length = 0;
  await fc.assert(property, { numRuns, examples, endOnFailure: false, verbose: 1 });
  if (harnessFailures.length > 0) {
    throw new Error(
      `The fake fetch could not build ${harnessFailures.length} answer(s): ${String(harnessFailures[0])}`,
    );
  }
}

/**
 * Runs `property` expecting it to FAIL: the sanity check that a property can catch what it is meant
 * to catch. Returns the error fast-check reported.
 */
export async function expectPropertyToFail<Ts>(
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  numRuns = 50,
): Promise<unknown> {
  const details = await fc.check(property, { numRuns });
  if (!details.failed) {
    throw new Error('The property did not fail: it cannot catch this escape.');
  }
  return details.errorInstance;
}
