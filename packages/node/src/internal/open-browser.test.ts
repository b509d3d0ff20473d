import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

const spawn = vi.hoisted(() => vi.fn());
vi.mock('node:child_process', () => ({ spawn }));

const { openInBrowser } = await import('./open-browser.js');

afterEach(() => {
  spawn.mockReset();
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
    spawn.mockImplementation(started);
    await openInBrowser(url, 'linux');
    expect(spawn).toHaveBeenCalledWith('xdg-open', [href], expect.objectContaining({ shell: false, detached: true }));
  });
});
