#!/usr/bin/env node
// Runs benchmarks and prints ratios. Nothing here asserts timings: numbers are for people.
//   node src/run.mjs             token lifecycle + JWT verification + cold start (the default, 1-2 minutes)
//   node src/run.mjs cold        cold start alone: importing each package in a fresh Node process
//   node src/run.mjs file sync   the dependency benches: FileTokenStore vs proper-lockfile +
//                                write-file-atomic, the sync bridge vs synckit (either or both)
import { availableParallelism } from 'node:os';

const fmt = (n) => Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(n);
const SECTIONS = ['default', 'cold', 'file', 'sync'];
const asked = process.argv.slice(2);
for (const name of asked) {
  if (!SECTIONS.includes(name)) {
    console.error(`Unknown section ${JSON.stringify(name)}; one or more of: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const sections = asked.length > 0 ? asked : ['default'];

console.log(`Node ${process.version}, ${availableParallelism()} CPUs, ${process.platform}/${process.arch}`);
if (sections.includes('default')) {
  await runDefault();
}
if (sections.includes('default') || sections.includes('cold')) {
  await runColdStart();
}
if (sections.includes('file')) {
  const { printFileStore } = await import('./print-deps.mjs');
  const { benchFileStore } = await import('./file-store.mjs');
  printFileStore(await benchFileStore());
}
if (sections.includes('sync')) {
  const { printSyncBridge } = await import('./print-deps.mjs');
  const { benchSyncBridge } = await import('./sync-bridge.mjs');
  printSyncBridge(await benchSyncBridge());
}
// The sync bench leaves unref()ed workers (one of them stuck on purpose): do not wait for them.
process.exit(0);

async function runDefault() {
  const { benchAuthFetch, benchGetToken } = await import('./token-source.mjs');
  const { benchVerify } = await import('./verify.mjs');
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
}

async function runColdStart() {
  const { benchColdStart } = await import('./cold-start.mjs');
  const rows = benchColdStart();
  const peer = rows.find((row) => row.name === 'openapi-fetch');
  const goals = { '@keyway/core': 15, 'keyway --help': 60 };
  console.log(
    'cold start: a fresh Node process importing each, median ms over the floor (node -e 0); ratio to openapi-fetch',
  );
  const header = ['', 'wall', 'over floor', 'CPU', 'over floor', 'CPU ratio', 'goal (over floor)', 'command'];
  const table = rows.map((row) => [
    row.name,
    `${fmt(row.wall)} ms`,
    row === rows[0] ? '-' : `${fmt(row.wallOver)} ms`,
    `${fmt(row.cpu)} ms`,
    row === rows[0] ? '-' : `${fmt(row.cpuOver)} ms`,
    row === rows[0] || !peer ? '-' : `${fmt(row.cpuOver / peer.cpuOver)}x`,
    goals[row.name] === undefined ? '' : `<= ${goals[row.name]} ms`,
    row.command,
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...table.map((line) => line[i].length)));
  for (const line of [header, ...table]) {
    console.log(
      `  ${line.map((cell, i) => (i === 0 || i === line.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`,
    );
  }
}
