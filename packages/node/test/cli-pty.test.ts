import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Screen, Terminals } from '@keyway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTerminalQr } from '../src/internal/terminal-qr.js';
import { CLI } from './cli-helpers.js';
import { CLIENT_ID, useMockServer } from './helpers.js';

// `keyway` run as a person runs it: the built binary in an 80-column terminal (tmux), the machine's real
// signals in its environment (no DISPLAY, CI=1, a stand-in browser), the screen read back as text.

const ctx = useMockServer();
let terminals: Terminals;
let home: string;

beforeAll(async () => {
  terminals = await Terminals.start();
  home = await mkdtemp(join(tmpdir(), 'keyway-pty-'));
});
afterAll(async () => {
  await terminals?.close();
  await rm(home, { recursive: true, force: true });
});

/** A person's shell on a headless Linux box: a terminal, no display, not CI; a token file of its own. */
const headless = (name: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: join(home, name),
  XDG_CACHE_HOME: join(home, name, 'cache'),
  LANG: 'C.UTF-8',
  TERM: 'xterm-256color',
  KEYWAY_ISSUER: ctx.issuer,
  KEYWAY_CLIENT_ID: CLIENT_ID,
  ...extra,
});
const tokenFile = (name: string) => join(home, name, 'cache/keyway/tokens.json');
const keyway = (args: string[], env: Record<string, string>) => terminals.open([process.execPath, CLI, ...args], env);

/** Runs a short command to its end: its exit code and its screen. */
async function finished(args: string[], env: Record<string, string>): Promise<{ code: number; screen: string }> {
  const screen = await keyway(args, env);
  const code = await screen.exitCode();
  return { code, screen: await screen.text() };
}

/** The device code's lines as the screen shows them (the QR's colours are not text). */
const qrOnScreen = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour escapes are what it removes
  renderTerminalQr(text).lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').trimEnd());

/** Reads the user code off the screen and approves it at the mock, as the person would on a phone. */
async function approveFromScreen(screen: Screen): Promise<{ userCode: string; complete: string }> {
  const [, userCode, complete] = await screen.waitFor(/enter the code: (\S+)\n\(or open (\S+)\)[\s\S]*expires in/);
  ctx.mock.approveDevice(userCode!);
  return { userCode: userCode!, complete: complete! };
}

describe('keyway in a terminal', () => {
  it('on a headless Linux box: login (device flow, QR code in 80 columns), token, list, status, logout', async () => {
    const env = headless('person');
    const login = await keyway(['login'], env);
    const { userCode, complete } = await approveFromScreen(login);
    expect(await login.exitCode(30_000)).toBe(0);
    const expiresIn = /expires in (\d+) minutes/.exec(await login.text())![1];
    expect(await login.text()).toBe(
      [
        '',
        `To sign in, open ${ctx.issuer}/device and enter the code: ${userCode}`,
        `(or open ${complete})`,
        'or scan this code with a phone:',
        '',
        ...qrOnScreen(complete),
        '',
        `The code expires in ${expiresIn} minutes.`,
        '',
        `Logged in to ${ctx.issuer} as usr_test (client ${CLIENT_ID}).`,
        '',
      ].join('\n'),
    );
    expect(complete).toBe(`${ctx.issuer}/device?user_code=${userCode}`);
    const width = Math.max(...qrOnScreen(complete).map((line) => [...line].length));
    expect(width).toBeLessThanOrEqual(80);
    expect(ctx.mock.callsTo('authorize')).toHaveLength(0); // no browser flow was tried

    const file = JSON.parse(await readFile(tokenFile('person'), 'utf8'));
    const [stored] = Object.values(file.entries as Record<string, { value: Record<string, string | number> }>);
    const tokens = stored!.value;
    const expires = new Date((tokens.expires_at as number) * 1000).toISOString();

    expect(await finished(['token'], env)).toEqual({ code: 0, screen: `${tokens.access_token}\n` });

    expect(await finished(['list'], env)).toEqual({
      code: 0,
      screen: `${ctx.issuer}  client ${CLIENT_ID}  scope "offline_access openid"  user usr_test  expires ${expires} (refreshable)\n`,
    });

    const status = await finished(['status'], env);
    expect(status.code).toBe(0);
    expect(status.screen).toMatch(
      new RegExp(
        `^Logged in to ${ctx.issuer} as usr_test \\(client ${CLIENT_ID}\\)\n` +
          '  scope: offline_access openid\n' +
          `  access token: valid until ${expires} \\(in (59|60) minutes\\)\n` +
          '  refresh token: stored \\(a new access token is fetched when needed\\)\n' +
          `Token file: ${tokenFile('person')}\n$`,
      ),
    );

    expect(await finished(['logout'], env)).toEqual({
      code: 0,
      screen: `Logged out of ${ctx.issuer} (client ${CLIENT_ID}); the token was revoked at the server.\n`,
    });
    expect(await finished(['status'], env)).toEqual({
      code: 3,
      screen: `Not logged in — run \`keyway login\`\nToken file: ${tokenFile('person')}\n`,
    });
    expect(await finished(['token'], env)).toEqual({
      code: 3,
      screen: 'keyway: not logged in — run `keyway login`\n',
    });
  }, 60_000);

  it('Ctrl-C during a login: a clean exit 130, no stack trace, nothing stored', async () => {
    const env = headless('interrupted');
    const login = await keyway(['login'], env);
    await login.waitFor(/The code expires in \d+ minutes\./);
    // The live countdown under the code (a terminal only), counting down.
    const [, first] = await login.waitFor(/\nWaiting for approval: the code expires in (\d+:\d\d)\n$/);
    await login.waitFor(new RegExp(`\\nWaiting for approval: the code expires in (?!${first}\\n)\\d+:\\d\\d\\n$`));
    const pressed = Date.now();
    await login.keys('C-c');
    expect(await login.exitCode(5_000)).toBe(130);
    expect(Date.now() - pressed).toBeLessThan(4_000); // before the next poll (5 s), not at the login's timeout
    const screen = await login.text();
    // The countdown's line (with the ^C the terminal echoed on it) is erased when the wait ends.
    expect(screen).toMatch(/\nThe code expires in \d+ minutes\.\n\n\nkeyway: login cancelled\.\n$/);
    expect(screen).not.toMatch(/\n\s+at |Error|node:internal/);
    await expect(readFile(tokenFile('interrupted'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await finished(['status'], env)).toEqual({
      code: 3,
      screen: `Not logged in — run \`keyway login\`\nToken file: ${tokenFile('interrupted')}\n`,
    });
  }, 60_000);

  it('CI=1 keyway login --device: exit 3 at once, saying why and the three ways to provide a token', async () => {
    const env = headless('ci', { CI: '1' });
    // "At once": under 1 s, or (on a machine busy with other suites) within twice what `list` takes (a
    // command that loads the same libraries and asks no server; `--version` loads none of them).
    const listStarted = Date.now();
    await finished(['list'], env);
    const budget = Math.max(1_000, 2 * (Date.now() - listStarted));
    const started = Date.now();
    const login = await keyway(['login', '--device'], env);
    expect(await login.exitCode(5_000)).toBe(3);
    expect(Date.now() - started).toBeLessThan(budget);
    expect(await login.text()).toBe(
      `keyway: A login is required for client "${CLIENT_ID}" at ${ctx.issuer}, but nobody can answer one here: a CI job (CI is set). ` +
        `Provide a token in one of these ways: run \`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID}\` beforehand in a terminal (tokens are kept in ${tokenFile('ci')}); ` +
        'or set KEYWAY_TOKEN to an access token (e.g. a CI secret); ' +
        'or use client credentials (clientSecret with createTokenSource({ grant: { type: "client_credentials" } }) from @keyway/core).\n',
    );
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('on a desktop: login through the browser (a stand-in opener follows the loopback redirect)', async () => {
    const dir = join(home, 'desktop');
    await mkdir(dir, { recursive: true });
    // The browser: loads the authorization URL, follows the provider's redirect to the loopback server.
    const browser = join(dir, 'browser.mjs');
    const opened = join(dir, 'opened.txt');
    await writeFile(
      browser,
      `#!${process.execPath}
import { writeFileSync } from 'node:fs';
const url = process.argv[2];
writeFileSync(${JSON.stringify(opened)}, url);
const authorize = await fetch(url, { redirect: 'manual' });
await fetch(authorize.headers.get('location'));
`,
    );
    await chmod(browser, 0o755);
    // A desktop session: a display, and BROWSER (the bridge a dev container sets to reach the host's browser).
    const env = headless('desktop', { DISPLAY: ':0', BROWSER: browser });
    const login = await keyway(['login'], env);
    expect(await login.exitCode(30_000)).toBe(0);
    const url = await readFile(opened, 'utf8');
    expect(new URL(url).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(await login.text()).toBe(
      `Opening your browser to sign in. If it does not open, visit:\n\n  ${url}\n\nLogged in to ${ctx.issuer} as usr_test (client ${CLIENT_ID}).\n`,
    );
    expect(ctx.mock.callsTo('deviceAuthorization')).toHaveLength(0);
  }, 60_000);
});
