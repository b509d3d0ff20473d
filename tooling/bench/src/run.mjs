#!/usr/bin/env node
// Runs every benchmark and prints ratios. Nothing here asserts timings: numbers are for people.
import { benchAuthFetch, benchGetToken } from './token-source.mjs';

const fmt = (n) => Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(n);

console.log('token lifecycle');
const getToken = await benchGetToken();
console.log(
  `  cached getToken(): ${fmt(getToken.opsPerSecond / 1e6)} M ops/s ` +
    `(awaiting a resolved promise: ${fmt(getToken.baselineOpsPerSecond / 1e6)} M ops/s; target >= 10 M ops/s)`,
);
for (const row of await benchAuthFetch()) {
  console.log(
    `  authFetch vs raw fetch + static header, ${row.concurrency} in flight: client CPU ${fmt(row.authFetchMicros)} µs vs ` +
      `${fmt(row.rawMicros)} µs per request, median ratio ${fmt(row.medianRatio)}x (target <= 1.05x)`,
  );
}
