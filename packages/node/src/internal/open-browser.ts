import { spawn } from 'node:child_process';
import { isOpenableUrl } from './web-url.js';

/**
 * Opens `url` with the platform's opener: `xdg-open` (Linux, BSD), `open` (macOS), `rundll32
 * url.dll,FileProtocolHandler` (Windows: unlike `cmd /c start`, no shell parses the URL's `&`). The URL is
 * one argv entry, never interpolated into a shell command. The opener runs detached; resolves once it
 * started, rejects when it cannot start (not installed) or when `url` is neither https: nor http: on a
 * loopback host (an opener hands `file:` or `javascript:` to whatever claims it).
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
  const [command, args] =
    platform === 'darwin'
      ? ['open', [parsed.href]]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', parsed.href]]
        : ['xdg-open', [parsed.href]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false, windowsHide: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
