// Cold start: what importing a package (or running `keyway --help`) adds to a whole Node process, next
// to its peers, in one run. Each contender is a fresh `node` process; contenders take turns round by
// round so that a change in the machine's load hits all of them alike. The bare process (`node -e 0`)
// is the floor; each row is its median over that floor, in wall time and in the child's own CPU time
// (user + system, read by a preloaded hook at exit: less disturbed by other processes on a shared machine).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const CPU_HOOK = fileURLToPath(new URL('./cold-start/cpu-at-exit.cjs', import.meta.url));
const CPU_LINE = /__keyway_bench_cpu_us=(\d+)/;

/**
 * The contenders: a label, and the arguments after `node` (run with this package's directory as cwd).
 * `KEYWAY_BENCH_BASELINE` (another build's dist/index.js of core, as for the verification bench) adds
 * that build, to compare a change with what it replaces in one run.
 */
export function coldStartContenders() {
  const importOf = (specifier) => ['-e', `import(${JSON.stringify(specifier)})`];
  const baseline = process.env.KEYWAY_BENCH_BASELINE;
  return [
    { name: 'node -e 0 (floor)', args: ['-e', '0'] },
    { name: '@keyway/core', args: importOf('@keyway/core') },
    ...(baseline ? [{ name: '@keyway/core baseline build', args: importOf(pathToFileURL(baseline).href) }] : []),
    { name: '@keyway/edge', args: importOf('@keyway/edge') },
    { name: 'openapi-fetch', args: importOf('openapi-fetch') },
    { name: 'oauth4webapi', args: importOf('oauth4webapi') },
    { name: 'openid-client', args: importOf('openid-client') },
    { name: 'jose', args: importOf('jose') },
    {
      name: 'keyway --help',
      args: [require.resolve('@keyway/node/package.json').replace(/package\.json$/, 'dist/cli.js'), '--help'],
    },
  ];
}

/** One run of `args`: wall milliseconds and the child's CPU milliseconds. */
function once(args) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--require', CPU_HOOK, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = CPU_LINE.exec(child.stderr ?? '');
  if (child.status !== 0 || !cpu) {
    throw new Error(`node ${args.join(' ')} failed (exit ${child.status}): ${child.stderr}`);
  }
  return { wall, cpu: Number(cpu[1]) / 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Medians over `rounds` rounds (each contender once per round, in a rotating order), and each
 * contender's median over the floor.
 * @returns {{ name: string, command: string, wall: number, cpu: number, wallOver: number, cpuOver: number }[]}
 */
export function benchColdStart(rounds = Number(process.env.KEYWAY_BENCH_COLD_ROUNDS ?? 21)) {
  const contenders = coldStartContenders();
  for (const contender of contenders) {
    once(contender.args); // warm the file system cache; not counted
  }
  const samples = contenders.map(() => ({ wall: [], cpu: [] }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const { wall, cpu } = once(contenders[i].args);
      samples[i].wall.push(wall);
      samples[i].cpu.push(cpu);
    }
  }
  const rows = contenders.map((contender, i) => ({
    name: contender.name,
    command: `node ${contender.args.map((arg) => (/[\s()'"]/.test(arg) ? `'${arg}'` : arg)).join(' ')}`,
    wall: median(samples[i].wall),
    cpu: median(samples[i].cpu),
  }));
  const floor = rows[0];
  return rows.map((row) => ({ ...row, wallOver: row.wall - floor.wall, cpuOver: row.cpu - floor.cpu }));
}
