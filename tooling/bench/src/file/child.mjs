// A child process for the file-store benchmarks: `node child.mjs <impl> <mode> <path> [arg] [stale]`.
//   contend <cycles>  on "go" (stdin), `cycles` times: lock(key), get, set count+1; prints its time
//   hold              takes lock(key), prints "held", holds it until killed
//   write             writes the document in a loop (growing it), prints "ready" after the first write
import { KEY, openStore, tokenSet } from './stores.mjs';

const [impl, mode, path, arg, stale] = process.argv.slice(2);
const store = openStore(impl, path, stale === undefined ? undefined : Number(stale));
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

if (mode === 'contend') {
  const cycles = Number(arg);
  say({ ready: true });
  process.stdin.once('data', async () => {
    const started = performance.now();
    for (let i = 0; i < cycles; i++) {
      await store.lock(KEY, async () => {
        const current = await store.get(KEY);
        await store.set(KEY, tokenSet((current?.count ?? 0) + 1));
      });
    }
    say({ done: true, ms: performance.now() - started });
    process.exit(0);
  });
} else if (mode === 'hold') {
  setInterval(() => {}, 1 << 30);
  await store.lock(KEY, () => {
    say({ held: true });
    return new Promise(() => {});
  });
} else if (mode === 'write') {
  for (let i = 0; ; i++) {
    // Up to 48 keys of ~1.5 KB (documents up to ~75 KB), so a kill often lands inside a write.
    await store.set(`${KEY}:${i % 48}`, tokenSet(i));
    if (i === 0) {
      say({ ready: true });
    }
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
