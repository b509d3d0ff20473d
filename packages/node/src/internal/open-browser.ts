import { spawn } from 'node:child_process';
import { currentProbe, isWsl, onPath, type SessionProbe } from './session.js';
import { isOpenableUrl } from './web-url.js';

/**
 * The command that opens `href`: the `BROWSER` variable when set (a dev container's or WSL's bridge to the
 * host's browser; the first entry of a colon-separated list, run as one program with the URL as its
 * argument), `wslview` in WSL, else the platform's opener: `xdg-open` (Linux, BSD), `open` (macOS),
 * `rundll32 url.dll,FileProtocolHandler` (Windows: unlike `cmd /c start`, no shell parses the URL's `&`).
 */
export function browserCommand(href: string, probe: SessionProbe): [string, string[]] {
  const browser = (probe.env.BROWSER ?? '').split(':').find(Boolean);
  if (browser !== undefined && probe.platform !== 'win32') {
    return [browser, [href]];
  }
  if (probe.platform === 'darwin') {
    return ['open', [href]];
  }
  if (probe.platform === 'win32') {
    return ['rundll32', ['url.dll,FileProtocolHandler', href]];
  }
  return isWsl(probe) && onPath(probe, 'wslview') ? ['wslview', [href]] : ['xdg-open', [href]];
}

/**
 * Opens `url` with {@link browserCommand}'s program. The URL is one argv entry, never interpolated into a
 * shell command. The opener runs detached; resolves once it started, rejects when it cannot start (not
 * installed) or when `url` is neither https: nor http: on a loopback host (an opener hands `file:` or
 * `javascript:` to whatever claims it).
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new Error('Refusing to open an address that is not a URL in the browser.'));
  }
  if (!isOpenableUrl(parsed)) {
    return Promise.reject(new Error('Refusing to open an address that is neither https: nor http: on this machine.'));
  }
  const [command, args] = browserCommand(parsed.href, { ...currentProbe(), platform });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false, windowsHide: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
