/**
 * Reporters shared by every vitest suite in the monorepo: the default console reporter for people,
 * plus a JSON report in `.test-results/` that `tooling/scripts/test-summary.mjs` sums for CI.
 */
export function reporters(name = 'vitest'): Array<string | [string, Record<string, unknown>]> {
  return ['default', ['json', { outputFile: `.test-results/${name}.json` }]];
}
