// `pnpm demo` is the README's first command: run it as a user would (a child process on the built
// packages) and hold it to its promise — every step passes and the process exits 0.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('runs every flow against the embedded server and exits 0', () => {
  const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 50_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const steps = result.stdout.split('\n').filter((line) => /^✓\s+\d+\./.test(line));
  expect(steps.length).toBeGreaterThanOrEqual(18);
  expect(result.stdout).toMatch(new RegExp(`All ${steps.length} steps passed`));
  for (const flow of ['client credentials', 'device flow', 'authorization code', 'refresh', 'token exchange']) {
    expect(result.stdout).toContain(flow);
  }
});
