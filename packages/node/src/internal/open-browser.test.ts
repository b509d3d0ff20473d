import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

const spawn = vi.hoisted(() => vi.fn());
vi.mock('node:child_process', () => ({ spawn }));

const { browserCommand, openInBrowser } = await import('./open-browser.js');

afterEach(() => {
  spawn.mockReset();
  vi.unstubAllEnvs();
});

/** A child process that starts. */
function started() {
  const child = Object.assign(new EventEmitter(), { unref: vi.fn() });
  queueMicrotask(() => child.emit('spawn'));
  return child;
}

describe('openInBrowser', () => {
  it.each([
    'javascript:alert(document.cookie)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'http://auth.example.com/authorize',
    'ssh://evil.example',
    'not a url',
  ])('refuses %s: nothing is started', async (url) => {
    await expect(openInBrowser(url, 'linux')).rejects.toThrow(/^Refusing to open an address/);
    expect(spawn).not.toHaveBeenCalled();
  });

  it.each([
    ['https://auth.example.com/authorize?x=1', 'https://auth.example.com/authorize?x=1'],
    ['http://127.0.0.1:8080/authorize', 'http://127.0.0.1:8080/authorize'],
    ['http://[::1]/authorize', 'http://[::1]/authorize'],
    ['http://localhost:3000/authorize', 'http://localhost:3000/authorize'],
  ])('opens %s with the platform opener, the URL one argument, no shell', async (url, href) => {
    vi.stubEnv('BROWSER', '');
    spawn.mockImplementation(started);
    await openInBrowser(url, 'linux');
    expect(spawn).toHaveBeenCalledWith('xdg-open', [href], expect.objectContaining({ shell: false, detached: true }));
  });
});

describe('browserCommand', () => {
  const probe = (platform: NodeJS.Platform, env: Record<string, string>, root = '/nonexistent/keyway-root') => ({
    env: { PATH: '/usr/bin', ...env },
    platform,
    tty: { stdin: true, stdout: true, stderr: true },
    root,
    ppid: 1,
  });
  const href = 'https://auth.example.com/authorize?a=1&b=2';

  it.each([
    ['linux', {}, ['xdg-open', [href]]],
    ['darwin', {}, ['open', [href]]],
    ['win32', {}, ['rundll32', ['url.dll,FileProtocolHandler', href]]],
    ['win32', { BROWSER: 'evil' }, ['rundll32', ['url.dll,FileProtocolHandler', href]]],
    ['linux', { BROWSER: '/vscode/bin/helpers/browser.sh' }, ['/vscode/bin/helpers/browser.sh', [href]]],
    ['linux', { BROWSER: 'firefox:chromium' }, ['firefox', [href]]],
    ['darwin', { BROWSER: 'w3m' }, ['w3m', [href]]],
  ] as const)('%s with %o: %o', (platform, env, expected) => {
    expect(browserCommand(href, probe(platform, env))).toEqual(expected);
  });

  it('WSL: wslview (the bridge to the Windows browser) when it is on PATH', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'keyway-wsl-'));
    await mkdir(join(root, 'usr/bin'), { recursive: true });
    await writeFile(join(root, 'usr/bin/wslview'), '#!/bin/sh\n');
    try {
      expect(browserCommand(href, probe('linux', { WSL_DISTRO_NAME: 'Ubuntu' }, root))).toEqual(['wslview', [href]]);
      expect(browserCommand(href, probe('linux', {}, root))).toEqual(['xdg-open', [href]]); // not WSL
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
