/**
 * What the cases of a property reached: results and typed errors by code. A property whose inputs
 * never get past the first check proves little, so each target asserts the outcomes it must reach.
 */
import { expect } from 'vitest';
import type { Outcome } from './outcome.ts';

export class Tally {
  readonly counts = new Map<string, number>();

  /** Counts `outcome` as `result`, `<ErrorName>:<code>`, or its escape kind. */
  record(outcome: Outcome): void {
    const key =
      outcome.kind === 'typed'
        ? `${(outcome.error as Error).name}:${String((outcome.error as { code?: unknown }).code)}`
        : outcome.kind;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Passes when every label was reached (a label matches a key exactly or as its prefix up to `:`). */
  expectReached(labels: readonly string[]): void {
    const keys = [...this.counts.keys()];
    const missing = labels.filter(
      (label) => !keys.some((key) => key === label || key.startsWith(`${label}:`) || key.endsWith(`:${label}`)),
    );
    expect(missing, `not reached; reached: ${JSON.stringify(Object.fromEntries(this.counts))}`).toEqual([]);
  }

  toString(): string {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  }
}
