import { FileTokenStore } from '@keyway/token-store/file';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { loginKey } from '../src/authenticate.js';
import { useCli } from './cli-helpers.js';
import { CLIENT_ID, useMockServer } from './helpers.js';

// Every message of `keyway` a person reads, as it reads: exact text, on the stream it goes to.

const ctx = useMockServer();
const { start, run, cache } = useCli(ctx, 'cli-messages');

/** A token file of its own for one test. */
const own = (name: string) => ({ XDG_CACHE_HOME: cache(name) });
const tokenFile = (name: string) => cache(name, 'keyway/tokens.json');
const bare = { KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' };

const WAYS = (file: string) =>
  `Provide a token in one of these ways: run \`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID}\` beforehand in a terminal (tokens are kept in ${file}); ` +
  'or set KEYWAY_TOKEN to an access token (e.g. a CI secret); ' +
  'or use client credentials (clientSecret with createTokenSource({ grant: { type: "client_credentials" } }) from @keyway/core).';

describe('keyway login where nobody can answer: exit 3 at once, nothing on stdout, no request', () => {
  it.each([
    ['CI=1 with --device', ['login', '--device'], { CI: '1' }, 'a CI job (CI is set)'],
    ['CI=true', ['login'], { CI: 'true' }, 'a CI job (CI is set)'],
    [
      'a SLURM batch job',
      ['login'],
      { CI: '', SLURM_JOB_ID: '4711' },
      'a SLURM batch job (SLURM_JOB_ID is set, no terminal)',
    ],
    [
      'a PBS batch job',
      ['login'],
      { CI: '', PBS_ENVIRONMENT: 'PBS_BATCH' },
      'a PBS batch job (PBS_ENVIRONMENT=PBS_BATCH)',
    ],
    [
      'an LSF batch job',
      ['login'],
      { CI: '', LSB_JOBID: '77' },
      'an LSF batch job (LSB_JOBID is set, LSB_INTERACTIVE is not)',
    ],
    [
      'a Grid Engine job',
      ['login'],
      { CI: '', JOB_ID: '12', SGE_TASK_ID: '1' },
      'a Grid Engine batch job (JOB_ID is set, no terminal)',
    ],
    [
      'a Kubernetes pod',
      ['login'],
      { CI: '', KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      'a Kubernetes pod (KUBERNETES_SERVICE_HOST is set, no terminal)',
    ],
    [
      'a systemd service',
      ['login'],
      { CI: '', INVOCATION_ID: 'abc' },
      'a systemd service (INVOCATION_ID is set, no terminal)',
    ],
  ])('%s', async (_name, args, env, reason) => {
    // "At once": under 1 s, or (on a machine busy with other suites) within twice what `--version` takes.
    const versionStarted = Date.now();
    await run(['--version'], own('refused'));
    const budget = Math.max(1000, 2 * (Date.now() - versionStarted));
    const started = Date.now();
    const result = await run(args, { ...own('refused'), ...env });
    expect(Date.now() - started).toBeLessThan(budget);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr: `keyway: A login is required for client "${CLIENT_ID}" at ${ctx.issuer}, but nobody can answer one here: ${reason}. ${WAYS(tokenFile('refused'))}\n`,
    });
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('--json: the same as a JSON error object', async () => {
    const result = await run(['login', '--json'], { ...own('refused'), CI: '1' });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'interaction_required',
        message: `A login is required for client "${CLIENT_ID}" at ${ctx.issuer}, but nobody can answer one here: a CI job (CI is set). ${WAYS(tokenFile('refused'))}`,
      },
    });
  });
});

describe('keyway token without a login', () => {
  it('says so and which login to run (exit 3, nothing on stdout)', async () => {
    expect(await run(['token'], own('none'))).toEqual({
      code: 3,
      stdout: '',
      stderr: 'keyway: not logged in — run `keyway login`\n',
    });
  });

  it('--json: the same as a JSON error object', async () => {
    const result = await run(['token', '--json'], own('none'));
    expect(result).toEqual({
      code: 3,
      stdout: '{"error":{"code":"not_logged_in","message":"not logged in — run `keyway login`"}}\n',
      stderr: 'keyway: not logged in — run `keyway login`\n',
    });
  });

  it('without issuer or client anywhere: the login command names what is missing', async () => {
    expect(await run(['token'], { ...own('none'), ...bare })).toEqual({
      code: 3,
      stdout: '',
      stderr: 'keyway: not logged in — run `keyway login --issuer <url> --client-id <id>`\n',
    });
  });

  it('flags given on the command line are repeated in the login to run', async () => {
    const args = ['token', '--issuer', ctx.issuer, '--client-id', CLIENT_ID, '--audience', 'https://api.example.com/'];
    expect(await run(args, { ...own('none'), ...bare })).toEqual({
      code: 3,
      stdout: '',
      stderr: `keyway: not logged in — run \`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID} --audience https://api.example.com/\`\n`,
    });
  });

  it('a login whose refresh token the server refuses: which one ended, and the login to run', async () => {
    await plant('refused-refresh', { expires_at: Math.floor(Date.now() / 1000) - 60, refresh_token: 'rt_unknown' });
    expect(await run(['token'], { ...own('refused-refresh'), ...bare })).toEqual({
      code: 3,
      stdout: '',
      stderr: `keyway: the login to ${ctx.issuer} (client ${CLIENT_ID}) has expired — run \`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID}\`\n`,
    });
    expect(ctx.mock.callsTo('token').map((call) => call.body)).toEqual([
      expect.objectContaining({ grant_type: 'refresh_token', refresh_token: 'rt_unknown' }),
    ]);
  });
});

/** A stored login (never sent anywhere: these tests make no request with it). */
async function plant(dir: string, fields: Record<string, unknown>, scope?: string) {
  const options = { issuer: ctx.issuer, clientId: CLIENT_ID, ...(scope === undefined ? {} : { scope }) };
  await new FileTokenStore({ path: tokenFile(dir) }).set(loginKey(options), {
    access_token: 'at_planted',
    token_type: 'Bearer',
    claims: { sub: 'usr_ada' },
    keyway_issuer: ctx.issuer,
    ...fields,
  } as never);
}

describe('keyway status', () => {
  it('not logged in: says so and names the token file (exit 3)', async () => {
    expect(await run(['status'], own('none'))).toEqual({
      code: 3,
      stdout: `Not logged in — run \`keyway login\`\nToken file: ${tokenFile('none')}\n`,
      stderr: '',
    });
  });

  it('logged in: who, the scope, until when, the refresh token and the token file; no request', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await plant('valid', { expires_at: expiresAt, refresh_token: 'rt_planted' });
    const result = await run(['status'], { ...own('valid'), ...bare });
    expect(result).toEqual({
      code: 0,
      stdout: [
        `Logged in to ${ctx.issuer} as usr_ada (client ${CLIENT_ID})`,
        '  scope: offline_access openid',
        `  access token: valid until ${new Date(expiresAt * 1000).toISOString()} (in 60 minutes)`,
        '  refresh token: stored (a new access token is fetched when needed)',
        `Token file: ${tokenFile('valid')}`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(result.stdout).not.toContain('planted');
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('an expired access token with a refresh token is still logged in', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) - 60;
    await plant('refreshable', { expires_at: expiresAt, refresh_token: 'rt_planted' });
    const result = await run(['status'], { ...own('refreshable'), ...bare });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`  access token: expired at ${new Date(expiresAt * 1000).toISOString()}\n`);
    expect(result.stdout).toContain('  refresh token: stored (a new access token is fetched when needed)\n');
  });

  it('a login without a refresh token, with another scope: says when it ends', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2 * 86_400;
    await plant('scoped', { expires_at: expiresAt }, 'openid api:read');
    expect(await run(['status'], { ...own('scoped'), ...bare })).toEqual({
      code: 0,
      stdout: [
        `Logged in to ${ctx.issuer} as usr_ada (client ${CLIENT_ID})`,
        '  scope: api:read openid',
        `  access token: valid until ${new Date(expiresAt * 1000).toISOString()} (in 2 days)`,
        '  refresh token: none (the login ends when the access token expires)',
        `Token file: ${tokenFile('scoped')}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('--json: logged in or not, the token file and each login, never a token', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await plant('json', { expires_at: expiresAt, refresh_token: 'rt_planted' });
    const result = await run(['status', '--json'], { ...own('json'), ...bare });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      loggedIn: true,
      tokenFile: tokenFile('json'),
      logins: [
        {
          issuer: ctx.issuer,
          clientId: CLIENT_ID,
          scope: 'offline_access openid',
          subject: 'usr_ada',
          expiresAt: new Date(expiresAt * 1000).toISOString(),
          expired: false,
          refreshable: true,
        },
      ],
    });
    expect(result.stdout).not.toContain('planted');
    const none = await run(['status', '--json'], own('none'));
    expect(none.code).toBe(3);
    expect(JSON.parse(none.stdout)).toEqual({ loggedIn: false, tokenFile: tokenFile('none'), logins: [] });
  });
});

describe('keyway --version and --help', () => {
  it('--version prints the version of package.json', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command, on stdout', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const commands = result.stdout.split('\n').slice(3, 8);
    expect(commands).toEqual([
      '  login    Sign in (browser on this machine, or a device code) and store the tokens',
      '  token    Print a valid access token on stdout (refreshing it when needed)',
      '  status   Show who is logged in, until when, and the token file',
      '  list     Show stored logins (issuer, client, scope, expiry; never tokens)',
      '  logout   Remove a stored login and revoke its refresh token at the server',
    ]);
    expect(result.stdout).toContain("  -h, --help            This help;  keyway <command> --help  a command's help\n");
    expect(result.stdout).toMatch(
      /\nExit codes: 0 ok, 1 error, 2 usage error, 3 login required \(run keyway login\), 130 cancelled\.\n$/,
    );
  });

  it('no command: the help on stderr, exit 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: keyway <command> \[options\]\n/);
  });

  it.each([
    [['login', '--help'], 'Usage: keyway login --issuer <url> [--client-id <id>] [options]'],
    [['help', 'login'], 'Usage: keyway login --issuer <url> [--client-id <id>] [options]'],
    [['token', '-h'], 'Usage: keyway token [options]'],
    [['status', '--help'], 'Usage: keyway status [options]'],
    [['list', '--help'], 'Usage: keyway list [options]'],
    [['logout', '--help'], 'Usage: keyway logout [options]'],
  ])("%o: the command's own help", async (args, first) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(first);
    expect(result.stdout).toMatch(/\nExit codes: .*\n$/);
  });

  it("each command's help says what matters for it", async () => {
    const login = (await run(['login', '--help'])).stdout;
    expect(login).toContain(
      'Where nobody can answer (CI, a batch job, a service, cron) it stops at once with exit code 3.\n',
    );
    expect(login).toContain(
      '  --device, --browser   Force the device or the browser flow (default: the browser only where\n',
    );
    expect((await run(['token', '--help'])).stdout).toContain(
      'It never starts a login: without one it exits 3. KEYWAY_TOKEN, when set, is printed as is.\n',
    );
    expect((await run(['status', '--help'])).stdout).toContain('Exits 3 when no stored login is usable.\n');
    const list = (await run(['list', '--help'])).stdout;
    expect(list).not.toContain('--issuer');
  });

  it('help for an unknown command is a usage error', async () => {
    expect(await run(['help', 'frobnicate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'keyway: Unknown command: frobnicate\nRun keyway --help for usage.\n',
    });
  });
});

describe('keyway login in a Jupyter kernel (`!keyway login` in a cell: no terminal, output shown in the notebook)', () => {
  it('runs the device flow and draws the QR code into the output, then says who logged in', async () => {
    const login = start(['login'], {
      XDG_CACHE_HOME: cache('notebook'),
      CI: '',
      JPY_PARENT_PID: '4242',
      DISPLAY: ':0', // a notebook's kernel may run anywhere: its display says nothing about the reader's browser
    });
    const { renderTerminalQr } = await import('../src/internal/terminal-qr.js');
    let seen = '';
    const complete = await new Promise<string>((resolve) => {
      login.child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /enter the code: (\S+)\n\(or open (\S+)\)[\s\S]*expires in/.exec(seen);
        if (match && !seen.includes('approved')) {
          seen += 'approved';
          ctx.mock.approveDevice(match[1]!);
          resolve(match[2]!);
        }
      });
    });
    const result = await login.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `or scan this code with a phone:\n\n${renderTerminalQr(complete).lines.join('\n')}\n`,
    );
    expect(result.stderr).toMatch(
      new RegExp(`\\nLogged in to ${ctx.issuer.replaceAll('.', '\\.')} as usr_test \\(client ${CLIENT_ID}\\)\\.\\n$`),
    );
    expect(ctx.mock.callsTo('authorize')).toHaveLength(0);
  }, 60_000);
});
