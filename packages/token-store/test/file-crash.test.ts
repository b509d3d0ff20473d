/*
 * The crash test of the issue: a writer process is killed with SIGKILL at random moments, 100 times; after
 * each kill the token file must be a whole, valid document holding the last acknowledged write (or the one
 * in flight), and the entries of other hosts must be untouched. The writer runs the built package.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../src/file.js';
import { tokenKey } from '../src/token-key.js';
import { fixturesDir, makeTempDir, requireDist } from './harness/node.js';

const KILLS = 100;

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('crash');
});
afterAll(async () => {
  await temp.remove();
});

interface Round {
  lastAcked: number;
  exitSignal: NodeJS.Signals | null;
}

/** Starts a writer at `first`, kills it with SIGKILL a random 0-30 ms after its first ack. */
function killWriterAtRandom(path: string, first: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(fixturesDir, 'crash-writer.mjs'), path, String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAcked = first - 1;
    let buffered = '';
    let stderr = '';
    let killScheduled = false;
    let exitSignal: NodeJS.Signals | null = null;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer acked nothing within 10 s: ${stderr}`));
    }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        lastAcked = Number(line);
      }
      if (!killScheduled && lastAcked >= first) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 30);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('exit', (_code, signal) => {
      exitSignal = signal;
    });
    // 'close' comes after the pipes are drained: every ack the writer managed to send has been read.
    child.on('close', () => {
      clearTimeout(guard);
      resolve({ lastAcked, exitSignal });
    });
    child.on('error', reject);
  });
}

/** One lane: `rounds` kills of writers on one file, checked after each kill. Returns the last value on disk. */
async function crashLane(path: string, rounds: number): Promise<number> {
  const others = {
    [tokenKey({ issuer: 'https://a.example.com', clientId: 'cli' })]: { access_token: 'at-a', refresh_token: 'rt-a' },
    [tokenKey({ issuer: 'https://b.example.com', clientId: 'cli', scope: 'x y' })]: { access_token: 'at-b' },
  };
  const seed = new FileTokenStore({ path });
  for (const [key, value] of Object.entries(others)) {
    await seed.set(key, value);
  }
  let next = 1;
  for (let round = 0; round < rounds; round++) {
    const { lastAcked, exitSignal } = await killWriterAtRandom(path, next);
    expect(exitSignal, `round ${round}: killed`).toBe('SIGKILL');

    const text = await readFile(path, 'utf8');
    let document: { version: number; entries: Record<string, { value: Record<string, unknown> }> };
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error(`round ${round}: the file is not valid JSON after a kill (${text.length} bytes)`);
    }
    expect(document.version, `round ${round}: schema version`).toBe(1);
    const n = document.entries.crash?.value.n as number;
    // The acked write is on disk; the write in flight at the kill may be too (renamed before its ack).
    expect([lastAcked, lastAcked + 1], `round ${round}: n on disk`).toContain(n);
    expect(document.entries.crash?.value.access_token).toBe(`at-${n}`);
    for (const [key, value] of Object.entries(others)) {
      expect(document.entries[key]?.value, `round ${round}: other host's entry`).toEqual(value);
    }
    next = n + 1;
  }
  return next - 1;
}

describe('FileTokenStore under SIGKILL', () => {
  it(`keeps a valid file with the last committed token set across ${KILLS} kills at random moments`, async () => {
    requireDist();
    // Four files, a writer each, killed in turn: the 100 kills in a quarter of the wall time.
    const lanes = [0, 1, 2, 3].map((lane) => join(temp.dir, `lane-${lane}`, 'tokens.json'));
    const lasts = await Promise.all(lanes.map((path) => crashLane(path, KILLS / lanes.length)));

    for (const [lane, path] of lanes.entries()) {
      // Every kill came after at least one acked write, so each writer moved the counter on.
      expect(lasts[lane]).toBeGreaterThanOrEqual(KILLS / lanes.length);
      // The store reads what the killed writers left, and its next write sweeps their temp files.
      const store = new FileTokenStore({ path, onCorrupt: () => expect.fail('no corrupt file after kills') });
      expect((await store.get('crash'))?.n).toBe(lasts[lane]);
      await store.set('after', { access_token: 'at-after' });
      const leftovers = (await readdir(join(path, '..'))).filter((name) => !/^tokens\.json$/.test(name));
      expect(leftovers, `lane ${lane}: files beside the token file`).toEqual([]);
    }
  }, 60_000);
});
