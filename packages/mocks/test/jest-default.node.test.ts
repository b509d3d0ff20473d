/*
 * jest with its default configuration — CommonJS, babel-jest, no ESM flags, no config file — loads
 * `@keyway/mocks` and `@keyway/mocks/jest` from the BUILT package (run `pnpm --filter @keyway/mocks run build` first; CI
 * builds before it tests). Each case makes a project in a temp dir that holds only package.json and
 * dist/ of this package under node_modules, jose, and no msw, and runs the real jest (or node).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const jestBin = join(dirname(require.resolve('jest/package.json')), 'bin/jest.js');
const projects: string[] = [];

interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; status: string; message: string }>;
}

function project(tests: string[], manifest: Record<string, unknown> = {}): string {
  for (const file of ['dist/index.cjs', 'dist/jest.cjs']) {
    if (!existsSync(join(packageRoot, file))) {
      throw new Error(`${file} is missing: build @keyway/mocks before this test.`);
    }
  }
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'keyway-jest-')));
  projects.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'jest-project', private: true, ...manifest }));
  const installed = join(dir, 'node_modules/@keyway/mocks');
  mkdirSync(installed, { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(installed, 'package.json'));
  cpSync(join(packageRoot, 'dist'), join(installed, 'dist'), { recursive: true });
  // The ES module build imports its dependencies (the CommonJS builds carry their own copies).
  symlinkSync(dirname(require.resolve('jose/package.json')), join(dir, 'node_modules/jose'), 'dir');
  symlinkSync(
    dirname(require.resolve('@keyway/openapi/package.json')),
    join(dir, 'node_modules/@keyway/openapi'),
    'dir',
  );
  mkdirSync(join(dir, 'test'));
  for (const test of tests) {
    cpSync(join(packageRoot, 'test/jest-default', test), join(dir, 'test', test));
  }
  return dir;
}

// NODE_PATH emptied: `pnpm exec` points it at the workspace's packages, which would hide a missing msw.
function runJest(dir: string, nodeOptions = ''): Promise<JestReport> {
  const output = join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [jestBin, '--ci', '--no-watchman', '--json', `--outputFile=${output}`],
      { cwd: dir, env: { ...process.env, NODE_OPTIONS: nodeOptions, NODE_PATH: '' }, timeout: 120_000 },
      (error, _stdout, stderr) => {
        if (!existsSync(output)) {
          reject(new Error(`jest produced no report (${error?.message}):\n${stderr}`));
          return;
        }
        resolve(JSON.parse(readFileSync(output, 'utf8')) as JestReport);
      },
    );
  });
}

afterAll(() => {
  for (const dir of projects) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('Node without msw installed (ES modules)', () => {
  it('listen() and mock.fetch work; handlers and setupMockServer() refuse with MissingDependencyError', async () => {
    const dir = project(['without-msw.mjs']);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['test/without-msw.mjs'],
        { cwd: dir, env: { ...process.env, NODE_PATH: '' } },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const refused = (feature: string) => ({ is: true, feature, dependency: 'msw' });
    expect(JSON.parse(output)).toEqual({
      fetch: 200,
      listen: 200,
      handlers: refused('mock.handlers'),
      setupMockServer: refused('setupMockServer()'),
    });
  }, 60_000);
});

describe('jest, default config, CommonJS', () => {
  it('runs a suite with useMockKeyway() from require("@keyway/mocks/jest"), without msw installed', async () => {
    const report = await runJest(project(['mock.test.js']));
    expect(report.testResults.map((result) => result.message).join('\n')).toBe('');
    expect(report).toMatchObject({ success: true, numPassedTests: 3, numFailedTests: 0 });
  }, 180_000);

  it('runs a suite with createMockKeyway() and completeAuthorization() from require("@keyway/mocks")', async () => {
    const report = await runJest(project(['root.test.js']));
    expect(report.testResults.map((result) => result.message).join('\n')).toBe('');
    expect(report).toMatchObject({ success: true, numPassedTests: 3, numFailedTests: 0 });
  }, 180_000);

  // (msw itself cannot run under jest's CommonJS module system on Node 20: msw 2.15 requires an
  // ES-module-only dependency. So the msw case is only the refusal when it is not installed.)
  it("serve: 'msw' without msw installed fails the suite with MissingDependencyError", async () => {
    const report = await runJest(project(['msw.test.js']));
    expect(report.success).toBe(false);
    expect(report.testResults[0]?.message).toContain(
      "MissingDependencyError: @keyway/mocks: useMockKeyway({ serve: 'msw' }) needs the optional peer dependency `msw`",
    );
  }, 180_000);
});

describe('jest, ES module mode', () => {
  it("loads the ES module build with import { useMockKeyway } from '@keyway/mocks/jest'", async () => {
    const dir = project(['esm.test.mjs'], { type: 'module', jest: { transform: {} } });
    const report = await runJest(dir, '--experimental-vm-modules --no-warnings');
    expect(report.testResults.map((result) => result.message).join('\n')).toBe('');
    expect(report).toMatchObject({ success: true, numPassedTests: 1, numFailedTests: 0 });
  }, 180_000);
});
