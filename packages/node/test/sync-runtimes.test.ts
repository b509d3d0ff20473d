import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHost, type Ran, runProcess, startMockHost } from './sync-helpers.js';

// The same synchronous flows (service client, OAuth twin, authenticateSync's device login and cached
// token) as a person runs them: `node -e`, `node --input-type=module -e` and tsx, each a real child
// process against the mock, which answers (and approves device logins) from a thread of this process.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const flowsFile = fileURLToPath(new URL('./sync-fixtures/runtimes/flows.ts', import.meta.url));
const tsx = join(packageDir, 'node_modules/.bin/tsx');

let host: MockHost;
let dir: string;
let typed: string;

beforeAll(async () => {
  [host, dir, typed] = await Promise.all([
    startMockHost('device-host.mjs'),
    mkdtemp(join(tmpdir(), 'keyway-sync-runtimes-')),
    readFile(flowsFile, 'utf8'),
  ]);
});
afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The fixture as plain JavaScript: its only TypeScript is `: string` annotations and `as const`. */
const javascript = () => typed.replaceAll(/: string(?= =)/g, '').replaceAll(' as const', '');

function run(command: string, args: string[], tokenFile: string): Promise<Ran> {
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  return runProcess(command, args, {
    cwd: packageDir,
    env: { ...inherited, ISSUER: host.url, API_TOKEN: host.apiToken, TOKEN_FILE: tokenFile },
    timeout: 60_000,
  });
}

const EXPECTED = { valid: true, clientCredentials: 'bearer', login: true, cachedSame: true };

function expectFlows(ran: Ran): void {
  expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: `${JSON.stringify(EXPECTED)}\n` });
  // The device login spoke to the person on stderr; nothing else went there (no warning, no stack).
  expect(ran.stderr).toContain('enter the code:');
  expect(ran.stderr).not.toMatch(/Error|Warning|at /);
}

describe('authenticateSync and the sync clients in real child processes', () => {
  it('node -e (CommonJS; the flows in an async function)', async () => {
    const ran = await run(process.execPath, ['-e', `(async () => {\n${javascript()}\n})();`], join(dir, 'eval.json'));
    expectFlows(ran);
  }, 90_000);

  it('node --input-type=module -e', async () => {
    const ran = await run(process.execPath, ['--input-type=module', '-e', javascript()], join(dir, 'module.json'));
    expectFlows(ran);
  }, 90_000);

  it('tsx running the TypeScript file', async () => {
    const ran = await run(tsx, [flowsFile], join(dir, 'tsx.json'));
    expectFlows(ran);
  }, 90_000);
});
