import { expect, it } from 'vitest';
import { reporters } from './reporters.ts';

it('prints for people and writes the JSON report test-summary.mjs sums, named per suite', () => {
  expect(reporters()).toEqual(['default', ['json', { outputFile: '.test-results/vitest.json' }]]);
  expect(reporters('workerd')).toEqual(['default', ['json', { outputFile: '.test-results/workerd.json' }]]);
});
