/*
 * The cases under a server runtime — Node 22, Node 24, Deno, Bun — started as a child process by
 * test/matrix.test.ts on an esbuild bundle of this file (the BUILT packages inlined). It runs every case,
 * one after another, and prints one JSON line: `{ identity, results }`, `results` keyed by case name.
 */
import { cases, runCase } from './cases/run.ts';
import type { CaseResult } from './cases/types.ts';

type Globals = {
  Deno?: {
    version: { deno: string };
    permissions: { querySync(descriptor: { name: string }): { state: 'granted' | 'prompt' | 'denied' } };
  };
  Bun?: { version: string };
  process?: { version?: string };
};

/** Deno only: the permissions it was granted (the test runs it with none). */
function denoGranted(deno: NonNullable<Globals['Deno']>): string[] {
  const names = ['read', 'write', 'net', 'env', 'run', 'ffi', 'sys', 'import'];
  return names.filter((name) => deno.permissions.querySync({ name }).state === 'granted');
}

/** Who ran us, from each runtime's own global (Deno and Bun also answer `process.version`, Node's). */
function identity() {
  const g = globalThis as Globals;
  return {
    deno: g.Deno?.version.deno ?? null,
    denoGranted: g.Deno ? denoGranted(g.Deno) : null,
    bun: g.Bun?.version ?? null,
    process: g.process?.version ?? null,
  };
}

const results: Record<string, CaseResult | undefined> = {};
for (const name of Object.keys(cases)) {
  results[name] = await runCase(name);
}
console.log(JSON.stringify({ identity: identity(), results }));
