import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHost, type Ran, runProcess, startMockHost } from './sync-helpers.js';

// Every mode runs a real `node` in the package directory; the mock answers from a thread of this
// process, which is never blocked (the children are).
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./sync-fixtures/modes/${name}`, import.meta.url));
const script = fixture('script.mjs');

let host: MockHost;
beforeAll(async () => {
  host = await startMockHost();
});
afterAll(async () => {
  await host?.close();
});

/** A line of report.mjs. */
interface Reported {
  where: string;
  valid?: boolean;
  sub?: string;
  error?: { name: string; code: string; message: string; cause?: { name: string; code?: string; message: string } };
  shown?: string;
  ms: number;
}

function environment(nodeOptions?: string): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  return {
    ...inherited,
    KEYWAY_API_URL: host.url,
    KEYWAY_API_TOKEN: host.apiToken,
    ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
  };
}

/** Runs `node ...args` (with `input` on stdin), killed after 20 s so that a hang fails the test. */
function node(args: string[], options: { input?: string; nodeOptions?: string } = {}): Promise<Ran> {
  return runProcess(process.execPath, args, {
    cwd: packageDir,
    env: environment(options.nodeOptions),
    ...(options.input === undefined ? {} : { input: options.input }),
    timeout: 20_000,
  });
}

const lines = (ran: Ran): Reported[] =>
  ran.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Reported);

/** The answer of the mock to its API token. */
const OK = { valid: true, sub: 'usr_test' };

/** ESM that makes one blocking call and prints it: what a person types after -e, -p or into stdin. */
const ESM_CALL = [
  "const { createKeywaySyncClient } = await import('@keyway/node');",
  'const keyway = createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL, token: process.env.KEYWAY_API_TOKEN });',
  'const { valid, sub } = keyway.validation.verify();',
  "process.stdout.write(JSON.stringify({ where: 'eval', valid, sub, ms: 0 }) + '\\n');",
].join('\n');

describe('the sync bridge under -e, -p, stdin and the REPL (the worker never runs their code)', () => {
  it('node -e (CommonJS)', async () => {
    const ran = await node(['-e', `(async () => {\n${ESM_CALL}\n})();`]);
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([expect.objectContaining({ where: 'eval', ...OK })]);
    expect(ran.code).toBe(0);
  });

  it('node --input-type=module --eval (the worker used to inherit --input-type and never start)', async () => {
    const ran = await node(['--input-type=module', '--eval', ESM_CALL]);
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([expect.objectContaining({ where: 'eval', ...OK })]);
    expect(ran.code).toBe(0);
  });

  it('node --print with require()', async () => {
    const ran = await node([
      '--print',
      "require('@keyway/node').createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL, token: process.env.KEYWAY_API_TOKEN }).validation.verify().sub",
    ]);
    expect(ran).toMatchObject({ code: 0, stdout: 'usr_test\n' });
  });

  it('node --input-type=module with the code on stdin', async () => {
    const ran = await node(['--input-type=module'], { input: ESM_CALL });
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([expect.objectContaining({ where: 'eval', ...OK })]);
  });

  it('the REPL (node -i, lines fed one by one)', async () => {
    const child = spawn(process.execPath, ['-i'], {
      cwd: packageDir,
      env: environment(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let screen = '';
    child.stdout.on('data', (chunk) => {
      screen += chunk;
    });
    child.stderr.on('data', (chunk) => {
      screen += chunk;
    });
    const prompt = async (from: number) => {
      while (!screen.slice(from).includes('> ')) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const type = async (line: string) => {
      const from = screen.length;
      const started = performance.now();
      child.stdin.write(`${line}\n`);
      await prompt(from);
      return performance.now() - started;
    };
    await prompt(0);
    await type("const { createKeywaySyncClient } = await import('@keyway/node');");
    await type(
      'const keyway = createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL, token: process.env.KEYWAY_API_TOKEN });',
    );
    const ms = await type("console.log('RESULT', keyway.validation.verify().sub);");
    child.stdin.end('.exit\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(screen).not.toContain('Uncaught');
    // Once (the worker did not replay the input), after a prompt: `> RESULT usr_test`.
    expect(screen.match(/RESULT .*$/gm)).toEqual(['RESULT usr_test']);
    expect(ms).toBeLessThan(5_000);
  }, 30_000);
});

describe('the sync bridge with --import and --loader hooks', () => {
  it('--import of a hook that makes a synchronous call itself: both work (the worker does not run it)', async () => {
    const ran = await node(['--import', fixture('sync-call-hook.mjs'), script]);
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([
      expect.objectContaining({ where: 'hook', ...OK }),
      expect.objectContaining({ where: 'script', ...OK }),
    ]);
  });

  it.each([
    ['--loader', ['--no-warnings', '--loader', fixture('loader.mjs')]],
    ['--import of module.register()', ['--import', fixture('register.mjs')]],
  ])('%s', async (_name, flags) => {
    const ran = await node([...flags, script]);
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([expect.objectContaining({ where: 'script', ...OK })]);
  });

  it.each([
    ['--import of a hook that calls on the main thread only', `--import=${fixture('guarded-sync-hook.mjs')}`, ['hook']],
    ['--import of module.register()', `--import=${fixture('register.mjs')}`, []],
    ['--experimental-loader', `--no-warnings --experimental-loader=${fixture('loader.mjs')}`, []],
  ])('NODE_OPTIONS with %s: the worker runs it too, and starts', async (_name, nodeOptions, hooks) => {
    const ran = await node([script], { nodeOptions });
    expect(ran.stderr).toBe('');
    expect(lines(ran)).toEqual([
      ...hooks.map((where) => expect.objectContaining({ where, ...OK })),
      expect.objectContaining({ where: 'script', ...OK }),
    ]);
  });
});

describe('the sync bridge fails fast, typed, when its worker cannot start', () => {
  /** Each call failed in well under 5 s (the default deadline is 51 s), and no form of it shows the token. */
  function expectFast(reported: Reported[]): void {
    for (const line of reported) {
      expect(line.ms, line.where).toBeLessThan(5_000);
      expect(line.shown).toEqual(expect.any(String));
      expect(line.shown).not.toContain(host.apiToken);
    }
  }

  it('NODE_OPTIONS hook that makes a synchronous call in every thread: SyncWorkerError sync_worker_crashed', async () => {
    const ran = await node([script], { nodeOptions: `--import=${fixture('sync-call-hook.mjs')}` });
    const reported = lines(ran);
    const crashed = {
      name: 'SyncWorkerError',
      code: 'sync_worker_crashed',
      cause: expect.objectContaining({ name: 'SyncWorkerError', code: 'sync_call_in_worker' }),
    };
    // The hook's own call on the main thread, then the script's: each worker dies the same way.
    expect(reported).toEqual([
      expect.objectContaining({ where: 'hook', error: expect.objectContaining(crashed) }),
      expect.objectContaining({ where: 'script', error: expect.objectContaining(crashed) }),
    ]);
    expect(reported[1]!.error!.cause!.message).toBe(
      'A synchronous Keyway call was made inside the Keyway sync worker, by a preload hook (NODE_OPTIONS=--import/--require) ' +
        'that runs in every thread: make that call only where isMainThread (node:worker_threads) is true.',
    );
    expectFast(reported);
  });

  it('NODE_OPTIONS hook that throws in the worker: SyncWorkerError with its error as cause', async () => {
    const ran = await node([script], { nodeOptions: `--import=${fixture('throwing-hook.mjs')}` });
    const reported = lines(ran);
    expect(reported).toEqual([
      expect.objectContaining({
        where: 'script',
        error: {
          name: 'SyncWorkerError',
          code: 'sync_worker_crashed',
          message:
            'The Keyway sync worker stopped (exit code 1) before answering (Error: this hook fails outside the main thread); ' +
            'the next call starts a new one.',
          cause: { name: 'Error', message: 'this hook fails outside the main thread' },
        },
      }),
    ]);
    expectFast(reported);
  });

  it('no worker may be started (the permission model without --allow-worker): SyncWorkerError sync_worker_start_failed', async () => {
    const ran = await node(['--no-warnings', '--experimental-permission', '--allow-fs-read=*', script]);
    const reported = lines(ran);
    expect(reported).toEqual([
      expect.objectContaining({
        where: 'script',
        error: expect.objectContaining({
          name: 'SyncWorkerError',
          code: 'sync_worker_start_failed',
          cause: expect.objectContaining({ code: 'ERR_ACCESS_DENIED' }),
        }),
      }),
    ]);
    expect(reported[0]!.error!.message).toMatch(/^The Keyway sync worker cannot start: /);
    expectFast(reported);
  });
});
