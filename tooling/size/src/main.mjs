#!/usr/bin/env node
// @ts-check
// `pnpm size` (at the root): builds, then prints each entry's bundle size against its budget as a
// markdown table. `--write-limits` rewrites size-limits.json at the measured sizes +10 %. `--explain`
// also lists, for each entry, the raw bytes each input file left in its bundle (what to shrink).
import { writeFileSync } from 'node:fs';
import { budgetFor, entries, explain, measure, measureAll, peerEntries, readLimits, table } from './measure.mjs';

const measurements = await measureAll();
if (process.argv.includes('--write-limits')) {
  /** @type {import('./measure.mjs').Limits} */
  const limits = {};
  for (const { name, raw, gzip } of measurements) {
    limits[name] = { raw: budgetFor(raw), gzip: budgetFor(gzip) };
  }
  writeFileSync(new URL('../size-limits.json', import.meta.url), `${JSON.stringify(limits, null, 2)}\n`);
  console.log('size-limits.json written (measured + 10 %, rounded up to 100 bytes).\n');
}
const limits = readLimits();
console.log(table(measurements, limits));
if (process.argv.includes('--explain')) {
  console.log("\nWhere the bytes come from (bundled from the packages' sources, raw bytes per file):");
  for (const entry of entries) {
    console.log(`\n${explain(await measure(entry, { fromSource: true }))}`);
  }
}
console.log('\nThe same jobs with the libraries alone (for comparison, no budget):\n');
console.log(table(await Promise.all(peerEntries.map((entry) => measure(entry))), {}));
const over = measurements.filter(({ name, raw, gzip }) => {
  const limit = limits[name];
  return limit === undefined || raw > limit.raw || gzip > limit.gzip;
});
if (over.length > 0) {
  console.error(`\n${over.length} entr${over.length === 1 ? 'y is' : 'ies are'} over budget or without one.`);
  process.exitCode = 1;
}
