import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isatty } from 'node:tty';

/**
 * Where a login would run, read from the signals the machine gives: environment variables, which
 * standard streams are terminals, marker files and `/proc`. Every reader of the machine goes through
 * one {@link SessionProbe}, so each environment is tested by its real signals (a fake root holds the
 * marker files and `/proc`).
 */
export interface SessionProbe {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Which standard streams are terminals. */
  tty: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** The directory marker files and `/proc` are read under: `/`, or a fake one in tests. */
  root: string;
  /** The parent process, where the search for a cron ancestor starts. */
  ppid: number;
}

/** This process's probe. */
export function currentProbe(): SessionProbe {
  return {
    env: process.env,
    platform: process.platform,
    // isatty, not `process.stdin.isTTY`: reading `process.stdin` opens the terminal as a stream.
    tty: { stdin: isatty(0), stdout: isatty(1), stderr: isatty(2) },
    root: '/',
    ppid: process.ppid,
  };
}

/**
 * Who could answer a login here:
 * - `automated`: nobody, and nobody will (CI, a batch job, a service, cron): every login is refused at once;
 * - `no-terminal`: no terminal, but the caller may know better (its output is piped): an explicit login
 *   runs, an implicit one is refused;
 * - `terminal`: a person at a terminal; `notebook`: a Jupyter kernel, whose output a person reads.
 *
 * `reason` says why, for messages ("a SLURM batch job (SLURM_JOB_ID is set, no terminal)").
 */
type Session =
  | { kind: 'automated'; reason: string }
  | { kind: 'no-terminal'; reason: string }
  | { kind: 'terminal'; reason: string }
  | { kind: 'notebook'; reason: string };

/** True when `CI` is set to anything but an empty string, `0` or `false`. */
export function isCi(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** CI services that do not set `CI`. */
const CI_VARIABLES = ['JENKINS_URL', 'TF_BUILD', 'CODEBUILD_BUILD_ID', 'TEAMCITY_VERSION'] as const;

/** The process names of cron daemons, as `/proc/<pid>/stat` gives them. */
const CRON_DAEMONS = new Set(['cron', 'crond', 'anacron', 'fcron', 'cronie']);

const set = (env: SessionProbe['env'], name: string) => {
  const value = env[name];
  return value !== undefined && value !== '';
};

/** A person can see what is printed (stderr) and answer it (stdin), or read the output (stdout). */
function hasTerminal(probe: Pick<SessionProbe, 'tty'>): boolean {
  return probe.tty.stderr && (probe.tty.stdin || probe.tty.stdout);
}

/**
 * A Jupyter kernel (or a command a notebook cell runs): `JPY_PARENT_PID`, or a `JUPYTER_*` or
 * `JUPYTERHUB_*` variable.
 */
export function isNotebook(env: SessionProbe['env']): boolean {
  return set(env, 'JPY_PARENT_PID') || Object.keys(env).some((name) => /^JUPYTER(HUB)?_/.test(name) && set(env, name));
}

/**
 * Why nobody can answer a login in this session, or `undefined` when somebody may: CI, a batch job of
 * SLURM, PBS/Torque, LSF or Grid Engine, a Kubernetes pod or a systemd service without a terminal, cron.
 * A notebook kernel is not automated (JupyterHub spawns them as batch jobs and pods), unless in CI.
 */
export function automation(probe: SessionProbe): string | undefined {
  const { env } = probe;
  if (isCi(env)) {
    return 'a CI job (CI is set)';
  }
  const ciVariable = CI_VARIABLES.find((name) => set(env, name));
  if (ciVariable !== undefined) {
    return `a CI job (${ciVariable} is set)`;
  }
  if (isNotebook(env)) {
    return undefined;
  }
  const terminal = hasTerminal(probe);
  if (set(env, 'SLURM_JOB_ID') && !terminal) {
    return 'a SLURM batch job (SLURM_JOB_ID is set, no terminal)';
  }
  if (env.PBS_ENVIRONMENT === 'PBS_BATCH') {
    return 'a PBS batch job (PBS_ENVIRONMENT=PBS_BATCH)';
  }
  if (set(env, 'LSB_JOBID') && !set(env, 'LSB_INTERACTIVE')) {
    return 'an LSF batch job (LSB_JOBID is set, LSB_INTERACTIVE is not)';
  }
  if (set(env, 'JOB_ID') && (set(env, 'SGE_TASK_ID') || set(env, 'SGE_O_HOST')) && !terminal) {
    return 'a Grid Engine batch job (JOB_ID is set, no terminal)';
  }
  if (set(env, 'KUBERNETES_SERVICE_HOST') && !terminal) {
    return 'a Kubernetes pod (KUBERNETES_SERVICE_HOST is set, no terminal)';
  }
  if (set(env, 'INVOCATION_ID') && !terminal) {
    return 'a systemd service (INVOCATION_ID is set, no terminal)';
  }
  if (!terminal && underCron(probe)) {
    return 'a cron job';
  }
  return undefined;
}

/** The session: see {@link Session}. */
export function detectSession(probe: SessionProbe): Session {
  const automated = automation(probe);
  if (automated !== undefined) {
    return { kind: 'automated', reason: automated };
  }
  if (hasTerminal(probe)) {
    return { kind: 'terminal', reason: 'a terminal' };
  }
  if (isNotebook(probe.env)) {
    return { kind: 'notebook', reason: 'a Jupyter kernel' };
  }
  return { kind: 'no-terminal', reason: 'no terminal (stderr, or stdin and stdout both, are not terminals)' };
}

/**
 * Can a browser opened from here reach a redirect to 127.0.0.1 on this machine? Only in a desktop
 * session: not over SSH, not in a notebook kernel (it may run anywhere), not in a container or WSL
 * unless a browser bridge is set up (`BROWSER`, as dev containers set it; `wslview` in WSL), and on
 * Linux and the BSDs only with an X11 or Wayland display.
 */
export function browserReach(probe: SessionProbe): { browser: boolean; reason: string } {
  const { env } = probe;
  const ssh = ['SSH_CONNECTION', 'SSH_CLIENT', 'SSH_TTY'].find((name) => set(env, name));
  if (ssh !== undefined) {
    return { browser: false, reason: `an SSH session (${ssh} is set)` };
  }
  if (isNotebook(env)) {
    return { browser: false, reason: 'a Jupyter kernel' };
  }
  if (probe.platform === 'darwin' || probe.platform === 'win32') {
    return { browser: true, reason: 'a desktop session' };
  }
  if (isWsl(probe)) {
    return set(env, 'BROWSER') || onPath(probe, 'wslview')
      ? { browser: true, reason: 'WSL with a browser bridge' }
      : { browser: false, reason: 'WSL without a browser bridge (wslview or BROWSER)' };
  }
  if (isContainer(probe)) {
    return set(env, 'BROWSER')
      ? { browser: true, reason: 'a container with a browser bridge (BROWSER is set)' }
      : { browser: false, reason: 'a container' };
  }
  if (set(env, 'DISPLAY') || set(env, 'WAYLAND_DISPLAY')) {
    return { browser: true, reason: 'a desktop session' };
  }
  return { browser: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

/** Windows Subsystem for Linux: its variables, or a kernel release naming Microsoft. */
export function isWsl(probe: SessionProbe): boolean {
  if (probe.platform !== 'linux') {
    return false;
  }
  if (set(probe.env, 'WSL_DISTRO_NAME') || set(probe.env, 'WSL_INTEROP')) {
    return true;
  }
  return /microsoft|wsl/i.test(read(probe, 'proc/sys/kernel/osrelease') ?? '');
}

/** Docker, Podman, LXC, systemd-nspawn or a Kubernetes pod. */
function isContainer(probe: SessionProbe): boolean {
  if (set(probe.env, 'container') || set(probe.env, 'KUBERNETES_SERVICE_HOST')) {
    return true;
  }
  if (existsSync(join(probe.root, '.dockerenv')) || existsSync(join(probe.root, 'run/.containerenv'))) {
    return true;
  }
  return /docker|kubepods|containerd|libpod|lxc/.test(read(probe, 'proc/1/cgroup') ?? '');
}

/** `command` is a file in one of `PATH`'s directories (under the probe's root). */
export function onPath(probe: SessionProbe, command: string): boolean {
  return (probe.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => existsSync(join(probe.root, dir, command)));
}

/** A cron daemon among the first ancestors (cron runs a job through a shell or two). */
function underCron(probe: SessionProbe): boolean {
  let pid = probe.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const stat = read(probe, `proc/${pid}/stat`);
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split at the last `)`.
    const close = stat?.lastIndexOf(')') ?? -1;
    if (stat === undefined || close < 0) {
      return false;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    if (CRON_DAEMONS.has(comm)) {
      return true;
    }
    pid = Number(stat.slice(close + 2).split(' ')[1]);
  }
  return false;
}

function read(probe: SessionProbe, path: string): string | undefined {
  try {
    return readFileSync(join(probe.root, path), 'utf8');
  } catch {
    return undefined;
  }
}
