// @keyway/node's sync bridge (worker_threads + Atomics, src/sync/internal/bridge.ts, from the built
// dist) against synckit's createSyncFn, both driving a worker with the same operation table
// (src/sync/operations.mjs). Wall time: the calling thread sleeps in Atomics.wait while it waits.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createKeywayClient } from '@keyway/core';
import { createKeywaySyncClient } from '@keyway/node';
import { createSyncFn } from 'synckit';
import { loadKeywayBridge } from './sync/keyway-bridge.mjs';

const SYNCKIT_WORKER = new URL('./sync/synckit-worker.mjs', import.meta.url);
let synckitWorkers = 0;

/**
 * createSyncFn caches one sync function (one worker, the first call's timeout) per worker path for the
 * life of the process, so a fresh worker, or another timeout, needs another path: a one-line module in
 * .tmp/ that imports the real worker.
 */
function freshSynckitWorker() {
  const path = fileURLToPath(new URL(`../.tmp/synckit-worker-${process.pid}-${synckitWorkers++}.mjs`, import.meta.url));
  mkdirSync(fileURLToPath(new URL('../.tmp/', import.meta.url)), { recursive: true });
  writeFileSync(path, `import ${JSON.stringify(SYNCKIT_WORKER.href)};\n`);
  return path;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `fn()` and reports how long until control came back, and what came back. */
function attempt(fn) {
  const started = performance.now();
  try {
    const value = fn();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** One contender: `call(op, payload)` with a per-contender timeout, and a way to start afresh. */
function contenders(keywayBridge) {
  return {
    ours: (timeout = 5_000) => {
      const bridge = keywayBridge.create();
      return { call: (op, payload) => bridge.call(op, payload, timeout), close: () => bridge.close() };
    },
    synckit: (timeout = 5_000) => {
      const fn = createSyncFn(freshSynckitWorker(), { timeout });
      return { call: (op, payload) => fn(op, payload), close: () => {} };
    },
  };
}

/** (a) trivial round trips and (b) a call with 50 ms of async work, alternately, one run. */
function throughput(make) {
  const n = Number(process.env.KEYWAY_BENCH_SYNC_CALLS ?? 5_000);
  const ours = make.ours();
  const synckit = make.synckit();
  const small = { ok: true, id: 'ptk_123', scopes: ['a', 'b'] };
  for (const c of [ours, synckit]) {
    for (let i = 0; i < 2_000; i++) {
      c.call('echo', small);
    }
  }
  const rate = { ours: [], synckit: [] };
  for (let round = 0; round < 5; round++) {
    for (const [name, c] of round % 2
      ? [
          ['synckit', synckit],
          ['ours', ours],
        ]
      : [
          ['ours', ours],
          ['synckit', synckit],
        ]) {
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        c.call('echo', small);
      }
      rate[name].push((n * 1000) / (performance.now() - started));
    }
  }
  const slow = { ours: [], synckit: [] };
  for (let i = 0; i < 20; i++) {
    for (const [name, c] of i % 2
      ? [
          ['synckit', synckit],
          ['ours', ours],
        ]
      : [
          ['ours', ours],
          ['synckit', synckit],
        ]) {
      const started = performance.now();
      c.call('sleep', 50);
      slow[name].push(performance.now() - started);
    }
  }
  ours.close();
  return {
    n,
    echo: { ours: median(rate.ours), synckit: median(rate.synckit) },
    sleep50: { ours: median(slow.ours), synckit: median(slow.synckit) },
  };
}

/** The floor for (b): the same 50 ms timer awaited on this thread, no worker. */
async function sleepFloor() {
  const times = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * (a') The public API: createKeywaySyncClient().validation.verify() against a @keyway/mocks server on
 * another thread; the same request through our bridge and through synckit, both with a client built per
 * call (as @keyway/node's worker does) and synckit also with one client kept in the worker; and the
 * async client on this thread (the floor: the request without a bridge). Calls interleave, in a
 * rotating order, one by one; medians of the per-call times.
 */
async function clientCalls(make) {
  const host = new Worker(new URL('./sync/mock-host.mjs', import.meta.url));
  const { url, token } = await new Promise((resolve) => host.once('message', resolve));
  const n = Number(process.env.KEYWAY_BENCH_SYNC_CLIENT_CALLS ?? 1_500);
  const syncClient = createKeywaySyncClient({ baseUrl: url, token });
  const ours = make.ours(10_000);
  const synckit = make.synckit(10_000);
  const asyncClient = createKeywayClient({ baseUrl: url, token });
  const target = { baseUrl: url, token };
  const contenders = {
    public: () => syncClient.validation.verify(),
    ours: () => ours.call('verifyFresh', target),
    synckit: () => synckit.call('verifyFresh', target),
    synckitKept: () => synckit.call('verify', target),
    floor: () => asyncClient.validation.verify(),
  };
  const names = Object.keys(contenders);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < n + 200; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const started = performance.now();
      await contenders[name]();
      if (i >= 200) {
        times[name].push(performance.now() - started);
      }
    }
  }
  ours.close();
  host.postMessage('close');
  await new Promise((resolve) => host.once('exit', resolve));
  return { n, ...Object.fromEntries(names.map((name) => [name, median(times[name])])) };
}

function describeError(error) {
  if (error === undefined) {
    return 'returned';
  }
  const code = error?.code ? ` ${error.code}` : '';
  const cause = error?.cause ? `, cause ${error.cause.constructor?.name}` : '';
  const message = String(error?.message ?? '').slice(0, 60);
  return `${error?.constructor?.name ?? typeof error}${code}${cause} "${message}"`;
}

/** (c) What each bridge does when the worker misbehaves, and whether the next call works. */
function behaviours(make) {
  const scenarios = [
    { name: 'cold first call (worker start)', op: 'echo', payload: 1 },
    {
      name: 'throws NotFoundError (core class)',
      op: 'notFound',
      check: (e) => e?.constructor?.name === 'NotFoundError',
    },
    { name: 'uncaught error in the worker', op: 'uncaught' },
    { name: 'process.exit(7) in the worker', op: 'exit' },
    { name: 'task never settles, timeout 500 ms', op: 'hang', timeout: 500 },
    { name: '2 s busy loop, timeout 500 ms', op: 'spin', timeout: 500 },
  ];
  const rows = [];
  for (const scenario of scenarios) {
    const row = { name: scenario.name };
    for (const impl of ['ours', 'synckit']) {
      const c = make[impl](scenario.timeout ?? 5_000);
      const before = scenario.op === 'echo' ? undefined : c.call('threadId');
      const first = attempt(() => c.call(scenario.op, scenario.payload));
      const next = attempt(() => c.call('threadId'));
      row[impl] = {
        ms: first.ms,
        outcome: describeError(first.error),
        sameClass: scenario.check ? scenario.check(first.error) : undefined,
        next: next.error
          ? `throws ${describeError(next.error)} after ${Math.round(next.ms)} ms`
          : `works in ${next.ms.toFixed(1)} ms${before === undefined ? '' : next.value === before ? ', same worker' : ', new worker'}`,
      };
      c.close();
    }
    rows.push(row);
  }
  return rows;
}

export async function benchSyncBridge() {
  const keywayBridge = await loadKeywayBridge();
  const make = contenders(keywayBridge);
  return {
    chunk: keywayBridge.chunk,
    throughput: throughput(make),
    sleepFloor: await sleepFloor(),
    client: await clientCalls(make),
    behaviours: behaviours(make),
  };
}
