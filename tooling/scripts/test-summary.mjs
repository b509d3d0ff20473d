#!/usr/bin/env node
// Sums every vitest JSON report under packages/*, tooling/* and examples/* into one line:
// `N passed, N failed, N skipped`. A suite file that failed to load counts as a failure, and so does a
// package with a `test` script that left no report (its tests would otherwise go uncounted).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ['packages', 'tooling', 'examples']) {
  const base = join(root, group);
  if (!existsSync(base)) {
    continue;
  }
  for (const dir of readdirSync(base)) {
    const results = join(base, dir, '.test-results');
    if (!existsSync(results)) {
      const manifest = join(base, dir, 'package.json');
      const scripts = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).scripts : undefined;
      if (typeof scripts?.test === 'string') {
        failed += 1;
        rows.push(`${group}/${dir}: has a test script but wrote no report to .test-results/ (counted as 1 failed)`);
      }
      continue;
    }
    for (const file of readdirSync(results).filter((f) => f.endsWith('.json'))) {
      const report = JSON.parse(readFileSync(join(results, file), 'utf8'));
      const p = report.numPassedTests ?? 0;
      let f = report.numFailedTests ?? 0;
      const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
      // A test file that crashed before registering tests has no assertion results but failed.
      for (const suite of report.testResults ?? []) {
        if (suite.status === 'failed' && (suite.assertionResults ?? []).every((a) => a.status !== 'failed')) {
          f += 1;
        }
      }
      if (report.success === false && f === 0) {
        f += 1;
      }
      passed += p;
      failed += f;
      skipped += s;
      rows.push(`${group}/${dir}/${file}: ${p} passed, ${f} failed, ${s} skipped`);
    }
  }
}
for (const row of rows) {
  console.log(`  ${row}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
