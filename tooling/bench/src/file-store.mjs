// FileTokenStore (own lock file + atomic write) against proper-lockfile + write-file-atomic composed
// the same way (src/file/peer-file-store.mjs). Wall time: these paths wait on fsync and on each
// other, not on the CPU. Both contenders run in the same run, alternately, in a temp directory on the
// same file system as the user's cache (os.tmpdir(), or KEYWAY_BENCH_DIR).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { KEY, openStore, tokenSet } from './file/stores.mjs';

const CHILD = fileURLToPath(new URL('./file/child.mjs', import.meta.url));
const IMPLS = ['ours', 'peer'];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Spawns a child and resolves its stdout messages one by one through `next()`. */
function child(args) {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue = [];
  const waiters = [];
  let buffer = '';
  proc.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index >= 0; index = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
      const waiter = waiters.shift();
      waiter ? waiter(message) : queue.push(message);
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return {
    proc,
    exited,
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiters.push(resolve))),
  };
}

async function freshDir(root, name) {
  return mkdtemp(join(root, `${name}-`));
}

/** (a) set() of one small document, one process: lock, read, parse, write (fsync, rename), unlock. */
async function singleProcess(root) {
  const n = Number(process.env.KEYWAY_BENCH_FILE_OPS ?? 200);
  const stores = {};
  for (const impl of IMPLS) {
    stores[impl] = openStore(impl, join(await freshDir(root, impl), 'tokens.json'));
    for (let i = 0; i < 20; i++) {
      await stores[impl].set(KEY, tokenSet(i));
    }
  }
  const rounds = { ours: [], peer: [] };
  for (let round = 0; round < 5; round++) {
    for (const impl of round % 2 ? [...IMPLS].reverse() : IMPLS) {
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        await stores[impl].set(KEY, tokenSet(i));
      }
      rounds[impl].push((n * 1000) / (performance.now() - started));
    }
  }
  return { n, ours: median(rounds.ours), peer: median(rounds.peer) };
}

/** (b) 4 processes, each `cycles` times lock(key) + get + set(count + 1) on one file. */
async function contention(root) {
  const processes = 4;
  const cycles = Number(process.env.KEYWAY_BENCH_FILE_CYCLES ?? 250);
  const result = {};
  for (const impl of IMPLS) {
    const path = join(await freshDir(root, impl), 'tokens.json');
    await openStore(impl, path).set(KEY, tokenSet(0));
    const children = Array.from({ length: processes }, () => child([impl, 'contend', path, String(cycles)]));
    await Promise.all(children.map((c) => c.next()));
    const started = performance.now();
    for (const c of children) {
      c.proc.stdin.write('go\n');
    }
    await Promise.all(children.map((c) => c.next()));
    const ms = performance.now() - started;
    await Promise.all(children.map((c) => c.exited));
    const final = JSON.parse(await readFile(path, 'utf8')).entries[KEY].value.count;
    result[impl] = { ms, expected: processes * cycles, final };
  }
  return { processes, cycles, ...result };
}

/**
 * (c) A lock holder is SIGKILLed while a waiter (this process) already waits: milliseconds from the
 * kill until the waiter holds the lock. The kill lands at a random moment of the holder's refresh cycle.
 */
async function recovery(root) {
  const cases = [
    { impl: 'ours', label: 'ours (owner pid gone)', trials: 5 },
    { impl: 'peer', stale: 10_000, label: 'proper-lockfile stale 10000 (default)', trials: 2 },
    { impl: 'peer', stale: 2_000, label: 'proper-lockfile stale 2000 (its minimum)', trials: 3 },
  ];
  const rows = [];
  for (const { impl, stale, label, trials } of cases) {
    const times = [];
    for (let trial = 0; trial < trials; trial++) {
      const path = join(await freshDir(root, impl), 'tokens.json');
      const holder = child([impl, 'hold', path, '', String(stale ?? 0)]);
      await holder.next();
      const store = openStore(impl, path, stale);
      let acquiredAt;
      const waiting = store.lock(KEY, async () => {
        acquiredAt = performance.now();
      });
      // Let the waiter start polling, then kill at a random point of the holder's mtime refresh period.
      await sleep(50 + Math.random() * ((stale ?? 1000) / 2));
      const killedAt = performance.now();
      holder.proc.kill('SIGKILL');
      await waiting;
      times.push(acquiredAt - killedAt);
    }
    rows.push({ label, times });
  }
  return rows;
}

function isValidDocument(text) {
  try {
    const document = JSON.parse(text);
    return document?.version === 1 && typeof document.entries === 'object' && document.entries !== null;
  } catch {
    return false;
  }
}

/** (d) SIGKILL a writer 20 times at random moments; count invalid documents and leftovers. */
async function crashSafety(root) {
  const kills = Number(process.env.KEYWAY_BENCH_FILE_KILLS ?? 20);
  const result = {};
  for (const impl of IMPLS) {
    const dir = await freshDir(root, impl);
    const path = join(dir, 'tokens.json');
    let invalid = 0;
    let staleLocksLeft = 0;
    for (let kill = 0; kill < kills; kill++) {
      const writer = child([impl, 'write', path]);
      await writer.next();
      await sleep(Math.random() * 150);
      writer.proc.kill('SIGKILL');
      await writer.exited;
      const text = await readFile(path, 'utf8').catch(() => '');
      invalid += isValidDocument(text) ? 0 : 1;
      // proper-lockfile's lock of a killed holder stays for `stale` (10 s): remove it so the next
      // round does not wait. Ours takes a dead pid's lock over by itself.
      const names = await readdir(dir);
      if (impl === 'peer' && names.includes('tokens.json.lock')) {
        staleLocksLeft++;
        await rm(join(dir, 'tokens.json.lock'), { recursive: true, force: true });
      }
    }
    const names = await readdir(dir);
    result[impl] = {
      kills,
      invalid,
      staleLocksLeft,
      tempFilesLeft: names.filter((name) => name !== 'tokens.json' && !name.includes('.lock')).length,
    };
  }
  return result;
}

export async function benchFileStore() {
  const root = await mkdtemp(join(process.env.KEYWAY_BENCH_DIR ?? tmpdir(), 'keyway-bench-file-'));
  try {
    return {
      root,
      single: await singleProcess(root),
      contention: await contention(root),
      recovery: await recovery(root),
      crash: await crashSafety(root),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
