import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where {@link FileTokenStore} keeps tokens by default: `keyway/tokens.json` under the user's cache
 * directory — `$XDG_CACHE_HOME` or `~/.cache` on Linux and other Unixes, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows.
 *
 * @example
 * ```ts
 * import { defaultTokenFilePath } from '@keyway/token-store/file';
 *
 * const path = defaultTokenFilePath(); // e.g. /home/ada/.cache/keyway/tokens.json
 * ```
 */
export function defaultTokenFilePath(
  env: Record<string, string | undefined> = process.env,
  // A string, not `NodeJS.Platform`: the declaration then needs no @types/node (any other value is read as Linux).
  platform: string = process.platform,
  home: string = homedir(),
): string {
  return join(cacheDir(env, platform, home), 'keyway', 'tokens.json');
}

function cacheDir(env: Record<string, string | undefined>, platform: string, home: string): string {
  if (platform === 'win32') {
    return env.LOCALAPPDATA || join(home, 'AppData', 'Local');
  }
  if (platform === 'darwin') {
    return join(home, 'Library', 'Caches');
  }
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return xdg?.startsWith('/') ? xdg : join(home, '.cache');
}
