/** True when `CI` is set to anything but an empty string, `0` or `false`. */
export function isCi(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** A person can answer: stdin and stdout are terminals and this is not a CI job. */
export function isInteractiveSession(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true && !isCi();
}

/**
 * A browser can probably be shown on this machine: macOS and Windows desktops, or a Linux/BSD session
 * with an X11 or Wayland display. A plain SSH session or a container has none: use the device flow.
 */
export function hasDisplay(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (platform === 'darwin' || platform === 'win32') {
    return env.SSH_CONNECTION === undefined && env.SSH_TTY === undefined;
  }
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
