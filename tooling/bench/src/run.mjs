#!/usr/bin/env node
// Runs every benchmark and prints ratios. Nothing here asserts timings: numbers are for people.
import { availableParallelism } from 'node:os';
import { benchAuthFetch, benchGetToken } from './token-source.mjs';
import { benchVerify } from './verify.mjs';

const fmt = (n) => Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(n);

console.log(`Node ${process.version}, ${availableParallelism()} CPUs, ${process.platform}/${process.arch}`);
console.log('token lifecycle');
const getToken = await benchGetToken();
console.log(
  `  cached getToken(): ${fmt(getToken.opsPerSecond / 1e6)} M ops/s; floor, awaiting a resolved promise: ` +
    `${fmt(getToken.baselineOpsPerSecond / 1e6)} M ops/s (${fmt(getToken.baselineOpsPerSecond / getToken.opsPerSecond)}x); ` +
    `one Date.now(): ${fmt(getToken.clockNanos)} ns (target >= 10 M ops/s)`,
);
for (const row of await benchAuthFetch()) {
  console.log(
    `  authFetch vs raw fetch + static header, ${row.concurrency} in flight: client CPU ${fmt(row.authFetchMicros)} µs vs ` +
      `${fmt(row.rawMicros)} µs per request, median ratio ${fmt(row.medianRatio)}x (target <= 1.05x)`,
  );
}

console.log('JWT access-token verification (RFC 9068), CPU µs per token, one at a time; ratio to raw Web Crypto');
for (const { alg, rows } of await benchVerify()) {
  console.log(`  ${alg}`);
  for (const row of rows) {
    console.log(
      row.unsupported
        ? `    ${row.name.padEnd(38)} refused (${row.unsupported})`
        : `    ${row.name.padEnd(38)} ${fmt(row.micros).padStart(7)} µs  ${fmt(row.ratio)}x`,
    );
  }
}
