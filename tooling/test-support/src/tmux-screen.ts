import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Terminals for the CLI tests: a private tmux server (its own socket, no user config) whose windows are
 * 80 columns wide. A command runs in a window of its own, in exactly the environment given, as a person
 * would run it: stdin, stdout and stderr are the terminal. `text()` is what the person sees (wrapped
 * lines joined, trailing blanks cut); the pane stays after the command exits.
 *
 * @example
 * ```ts
 * const terminals = await Terminals.start();
 * try {
 *   const screen = await terminals.open(['/bin/sh', '-c', 'echo hello'], { LANG: 'C.UTF-8' });
 *   await screen.waitFor(/hello/);
 *   expect(await screen.exitCode()).toBe(0);
 * } finally {
 *   await terminals.close();
 * }
 * ```
 */
export class Terminals {
  readonly #dir: string;
  readonly #socket: string;
  #count = 0;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#socket = join(dir, 'tmux.sock');
  }

  /** Starts the private tmux server (a fresh temporary directory holds its socket and config). */
  static async start(): Promise<Terminals> {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-tmux-'));
    const terminals = new Terminals(dir);
    await writeFile(
      join(dir, 'tmux.conf'),
      'set -g remain-on-exit on\nset -g exit-empty off\nset -g history-limit 5000\n',
    );
    await terminals.tmux('-f', join(dir, 'tmux.conf'), 'start-server');
    return terminals;
  }

  /** Runs `argv` in a new 80-column terminal with exactly `env` (nothing inherited). */
  async open(argv: string[], env: Record<string, string>, size = { columns: 80, rows: 50 }): Promise<Screen> {
    const name = `t${++this.#count}`;
    const quote = (part: string) => `'${part.replaceAll("'", "'\\''")}'`;
    const status = join(this.#dir, `${name}.status`);
    // A shell waits for the command and writes its exit status to a file: tmux's own record of it
    // (`#{pane_dead_status}`) is sometimes never filled in. The trap keeps the shell alive through a Ctrl-C
    // meant for the command (the command gets the default disposition back).
    const command = [
      'sh',
      '-c',
      'trap : INT; "$@"; echo $? > "$0"',
      status,
      'env',
      '-i',
      ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
      ...argv,
    ]
      .map(quote)
      .join(' ');
    await this.tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), command);
    return new Screen(name, status, (...args) => this.tmux(...args));
  }

  /** Stops the tmux server (ending every command still running) and removes its directory. */
  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Runs a tmux command against this server; resolves to its standard output. */
  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-u', '-S', this.#socket, ...args], {
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    });
    return stdout;
  }
}

/** One terminal window and the command in it, made by {@link Terminals.open}. */
export class Screen {
  constructor(
    readonly name: string,
    private readonly statusFile: string,
    private readonly tmux: (...args: string[]) => Promise<string>,
  ) {}

  /** The text on the screen and above it, lines joined where the terminal wrapped them. */
  async text(): Promise<string> {
    const captured = await this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', this.name);
    const lines = captured.split('\n').map((line) => line.trimEnd());
    // tmux's own note when the command has exited.
    const shown = lines.filter((line) => !line.startsWith('Pane is dead'));
    while (shown.length > 0 && shown.at(-1) === '') {
      shown.pop();
    }
    return `${shown.join('\n')}\n`;
  }

  /** Waits until the screen matches `pattern`; resolves to the match. */
  async waitFor(pattern: RegExp, timeout = 20_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeout;
    for (;;) {
      const text = await this.text();
      const match = pattern.exec(text);
      if (match) {
        return match;
      }
      if (Date.now() > until) {
        throw new Error(`The screen never showed ${pattern}:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Types keys (tmux names: `C-c` is Ctrl-C). */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** The command's exit status (128 + the signal when a signal ended it), once it has exited. */
  async exitCode(timeout = 20_000): Promise<number> {
    const until = Date.now() + timeout;
    for (;;) {
      const status = await readFile(this.statusFile, 'utf8').catch(() => '');
      if (status.endsWith('\n')) {
        return Number(status);
      }
      if (Date.now() > until) {
        throw new Error(`The command in ${this.name} is still running:\n${await this.text()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
