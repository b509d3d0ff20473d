import { spawn } from 'node:child_process';

/**
 * Opens `url` with the platform's opener: `xdg-open` (Linux, BSD), `open` (macOS), `rundll32
 * url.dll,FileProtocolHandler` (Windows: unlike `cmd /c start`, no shell parses the URL's `&`). The URL is
 * one argv entry, never interpolated into a shell command. The opener runs detached; resolves once it
 * started, rejects when it cannot start (not installed).
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return Promise.reject(new Error(`Refusing to open a ${parsed.protocol} URL in the browser.`));
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
