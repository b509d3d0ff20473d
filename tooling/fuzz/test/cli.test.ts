// Target 10: the `keyway` CLI of @keyway/node. Its argument parser (node:util parseArgs inside main())
// is not exported, so the built CLI runs as a person would run it: a child process with random argv,
// CI=1, HOME and XDG dirs in a fresh temp dir holding a near-valid token file, and no network (every
// issuer is a closed loopback port or not a URL). It must exit with a documented code (0 ok, 1 error,
// 2 usage, 3 login required), print errors as `keyway: <one line>`, never a stack trace or an engine
// error message, and end within 10 s.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenKey } from '@keyway/token-store';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeNumber, JsonEntries, mostlyValid, oddValue, toJsonText } from '../src/json.ts';
import { SKIP_KNOWN } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz, scaledRuns } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';

const CLI = fileURLToPath(new URL('../../../packages/node/dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'keyway-fuzz-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Closed loopback ports and non-URLs: nothing here reaches a network or a resolver. */
const ISSUERS = [
  'http://127.0.0.1:1',
  'https://127.0.0.1:1/realms/x',
  'http://[::1]:1/',
  'http://localhost:1',
  'not a url',
  '',
];

/** Argument text without NUL (which no argv can hold). */
const argText = anyString.map((text) => text.replaceAll('\0', ''));

const issuer = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ISSUERS) }, { weight: 1, arbitrary: argText });

/** One argv token, or an option with its value. */
const argument: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('login', 'token', 'list', 'logout').map((c) => [c]) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom('--issuer', '--client-id', '--scope', '--resource', '--audience', '--token-file'),
        fc.oneof(issuer, fc.constantFrom('cli', 'openid offline_access', '%TOKEN_FILE%', '%DIR%'), argText),
        fc.boolean(),
      )
      .map(([flag, value, joined]) => (joined ? [`${flag}=${value}`] : [flag, value])),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('--device', '--browser', '--qr', '--no-qr', '--json', '--json').map((f) => [f]),
  },
  { weight: 1, arbitrary: fc.constantFrom('-h', '--help', '--version').map((f) => [f]) },
  { weight: 1, arbitrary: fc.constantFrom('--', '-', '-x', '--nope', '--json=1', '--issuer').map((f) => [f]) },
  { weight: 1, arbitrary: argText.map((text) => [text]) },
);

/** A command (mostly) and options (mostly known ones), then maybe anything. */
const argv = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom('login', 'token', 'list', 'logout') },
      { weight: 1, arbitrary: argText },
    ),
    fc.array(argument, { maxLength: 4 }),
  )
  .map(([command, rest]) => [command, ...rest.flat()]);

/** A stored login: a key tokenKey made (mostly), a token set with odd fields (expiry, issuer, subject). */
const storedLogin = fc
  .record({
    issuer: fc.constantFrom(...ISSUERS.slice(0, 4)),
    clientId: fc.oneof(fc.constant('cli'), argText),
    scope: fc.option(fc.constantFrom('openid offline_access', 'read'), { nil: undefined }),
    rawKey: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyString }),
  })
  .chain(({ issuer: iss, clientId, scope, rawKey }) => {
    let key = rawKey;
    try {
      key ??= tokenKey({ issuer: iss, clientId: clientId || 'cli', ...(scope ? { scope } : {}) });
    } catch {
      key = 'keyway:v1:iss=x:cid=y';
    }
    const base = {
      access_token: 'at',
      token_type: 'Bearer',
      refresh_token: 'rt',
      expires_at: Math.floor(Date.now() / 1000) - 60,
      keyway_issuer: iss,
      claims: { sub: 'user-1' },
    };
    const value = mostlyValid(
      base,
      {
        expires_at: fc.oneof(edgeNumber, fc.constantFrom(8.64e12, 8.64e12 + 1, 1e308, -1e308, 2 ** 53)),
        keyway_issuer: fc.oneof(oddValue, argText),
        keyway_audience: fc.oneof(oddValue, argText),
        keyway_resource: fc.oneof(oddValue, argText),
        claims: fc.oneof(oddValue, fc.record({ sub: fc.oneof(oddValue, anyString) })),
        refresh_token: oddValue,
      },
      1,
    );
    return value.map((v) => [key, { value: v, expiresAt: undefined }] as const);
  });

/** The token file: a near-valid store holding logins, or garbage, or nothing. */
const tokenFile = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(storedLogin, { maxLength: 3 }).map((entries) =>
      toJsonText(
        new JsonEntries([
          ['version', 1],
          ['entries', new JsonEntries(entries.map(([k, v]) => [k, new JsonEntries([['value', v.value]])]))],
        ]),
      ),
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: anyString },
);

/** Environment options (besides the fixed ones): issuer and client from env, a KEYWAY_TOKEN. */
const env = fc.record(
  {
    KEYWAY_ISSUER: issuer,
    KEYWAY_CLIENT_ID: fc.oneof(fc.constant('cli'), argText),
    KEYWAY_TOKEN: fc.oneof(fc.constantFrom('at-from-env', 'tok\u001b[2J', ' '), argText),
    KEYWAY_SCOPE: argText,
  },
  { requiredKeys: [] },
);

interface CliCase {
  argv: string[];
  file: string | null;
  env: Record<string, string>;
}

interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

let cases = 0;

/** Runs the built CLI for one case in its own temp HOME. */
async function runCli(c: CliCase): Promise<CliRun> {
  const dir = join(root, `case-${++cases}`);
  const cache = join(dir, 'cache');
  const file = join(cache, 'keyway', 'tokens.json');
  mkdirSync(dirname(file), { recursive: true });
  if (c.file !== null) {
    writeFileSync(file, c.file);
  }
  const args = c.argv.map((arg) => arg.replaceAll('%TOKEN_FILE%', file).replaceAll('%DIR%', dir));
  try {
    return await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          XDG_CACHE_HOME: cache,
          XDG_CONFIG_HOME: join(dir, 'config'),
          XDG_DATA_HOME: join(dir, 'data'),
          CI: '1',
          NO_COLOR: '1',
          ...Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, v.replaceAll('\0', '')])),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, 10_000);
      child.on('error', reject);
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ status, signal, timedOut, stdout, stderr });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Messages the JavaScript engine writes: one reaching the user means an untyped error escaped. */
const ENGINE_MESSAGE =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Unexpected token|Unexpected end of JSON|Maximum call stack|Invalid time value|Invalid URL|URI malformed|Invalid array length|toISOString|\[object Object\]|undefined \(reading/;

/**
 * A Node process warning (the token store's default `onCorrupt` is `process.emitWarning`): two lines
 * in Node's own format. Not an escape; counted and reported, and left out of the one-line check.
 */
const NODE_WARNING = /^\(node:\d+\) \[[A-Z_]+\] .*\n(\(Use `node --trace-warnings \.\.\.` .*\n)?/gm;

export const nodeWarnings = { count: 0 };

/** What is wrong with a run, or undefined when it behaved as documented. */
export function judge(c: CliCase, original: CliRun): string | undefined {
  const stderr = original.stderr.replace(NODE_WARNING, () => {
    nodeWarnings.count += 1;
    return '';
  });
  const run = { ...original, stderr };
  if (run.timedOut) {
    return 'hang: no exit within 10 s';
  }
  if (run.status === null) {
    return `killed by ${run.signal}`;
  }
  if (![0, 1, 2, 3].includes(run.status)) {
    return `undocumented exit code ${run.status}`;
  }
  if (/^\s+at\s/m.test(run.stderr) || /^\s+at\s/m.test(run.stdout)) {
    return 'a stack trace was printed';
  }
  if (ENGINE_MESSAGE.test(run.stderr) || (run.status !== 0 && ENGINE_MESSAGE.test(run.stdout))) {
    return 'an engine error message reached the user (an untyped exception escaped)';
  }
  if (run.status !== 0) {
    const first = run.stderr.split('\n')[0] ?? '';
    if (!first.startsWith('keyway: ') && !first.startsWith('Usage: keyway')) {
      return `the error is not one "keyway: ..." line: ${JSON.stringify(run.stderr.slice(0, 200))}`;
    }
    if (c.argv.includes('--json') && run.status !== 2 && run.stdout !== '') {
      try {
        const parsed = JSON.parse(run.stdout) as { error?: { code?: unknown } };
        if (typeof parsed.error?.code !== 'string') {
          return '--json error output has no error.code';
        }
      } catch {
        return `--json error output is not JSON: ${JSON.stringify(run.stdout.slice(0, 200))}`;
      }
    }
  }
  return undefined;
}

/** The escapes reported so far (see README); skipped under FUZZ_SKIP_KNOWN=1. */
const KNOWN_CLI = /^keyway: (Invalid time value|URI malformed)$/m;

/** A token file holding one login under `key` with `value` (what `keyway login` writes, then edited or damaged). */
function fileWith(key: string, value: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, entries: { [key]: { value } } });
}

/** Escapes found by this property (inputs reduced by hand from the counterexamples), run first every time. */
const CLI_ESCAPES: Array<[CliCase]> = [
  // `list` formats an expiry past the Date range: RangeError "Invalid time value" reaches the user, exit 1.
  [
    {
      argv: ['list'],
      file: fileWith('keyway:v1:iss=http%3A%2F%2F127.0.0.1%3A1:cid=cli', {
        access_token: 'at',
        refresh_token: 'rt',
        expires_at: 1e308,
      }),
      env: {},
    },
  ],
  // A stored key with a lone surrogate: parseTokenKey throws URIError "URI malformed", exit 1.
  [{ argv: ['list'], file: fileWith('keyway:v1:iss=\ud800:cid=cli', { access_token: 'at' }), env: {} }],
];

const cliCase: fc.Arbitrary<CliCase> = fc.record({
  argv,
  file: tokenFile,
  env: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: env }),
});

const cliProperty = (
  judgeRun: (c: CliCase, run: CliRun) => string | undefined,
  seen?: Map<number, number>,
  runner: (c: CliCase) => Promise<CliRun> = runCli,
) =>
  fc.asyncProperty(cliCase, async (c) => {
    const run = await runner(c);
    seen?.set(run.status ?? -1, (seen.get(run.status ?? -1) ?? 0) + 1);
    const problem = judgeRun(c, run);
    if (problem !== undefined && SKIP_KNOWN && KNOWN_CLI.test(run.stderr)) {
      seen?.set(-2, (seen.get(-2) ?? 0) + 1);
      return;
    }
    if (problem !== undefined) {
      throw new Error(
        `ESCAPE (cli): ${problem}\nexit ${run.status}\nstderr: ${run.stderr.slice(0, 2000)}\nstdout: ${run.stdout.slice(0, 500)}`,
      );
    }
  });

describe('keyway CLI (built dist/cli.js) with random argv', () => {
  it('exits 0-3 with a one-line error, no stack trace, within 10 s', { timeout: 3_600_000 }, async () => {
    const seen = new Map<number, number>();
    await fuzz(cliProperty(judge, seen), { numRuns: scaledRuns(1 / 100, 20), examples: CLI_ESCAPES });
    console.log(
      `cli exit codes: ${JSON.stringify(Object.fromEntries(seen))} (-2: a known escape, skipped); runs with a Node process warning: ${nodeWarnings.count}`,
    );
    // Usage errors and plain errors must both occur, or the argv generator degenerated.
    expect(seen.get(2) ?? 0).toBeGreaterThan(0);
    expect((seen.get(1) ?? 0) + (seen.get(3) ?? 0) + (seen.get(0) ?? 0)).toBeGreaterThan(0);
  });

  it('sanity: the judge flags a stack trace and an engine message', () => {
    const c: CliCase = { argv: ['list'], file: null, env: {} };
    const base: CliRun = { status: 1, signal: null, timedOut: false, stdout: '', stderr: 'keyway: boom\n' };
    expect(judge(c, base)).toBeUndefined();
    expect(judge(c, { ...base, stderr: 'TypeError: x\n    at main (cli.js:1:1)\n' })).toMatch(/stack trace/);
    expect(judge(c, { ...base, stderr: "keyway: Cannot read properties of undefined (reading 'x')\n" })).toMatch(
      /engine/,
    );
    expect(judge(c, { ...base, status: 7 })).toMatch(/exit code 7/);
    expect(judge(c, { ...base, timedOut: true })).toMatch(/hang/);
  });

  it('sanity: the property fails on a run that prints a stack trace (a stand-in for the process)', async () => {
    await expectPropertyToFail(
      cliProperty(judge, undefined, async (c) => ({
        status: 1,
        signal: null,
        timedOut: false,
        stdout: '',
        stderr: c.argv.includes('--json') ? 'TypeError: x\n    at main (cli.js:1:1)\n' : 'keyway: fine\n',
      })),
      200,
    );
  });
});
