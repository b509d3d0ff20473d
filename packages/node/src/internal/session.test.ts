import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { automation, browserReach, detectSession, type SessionProbe } from './session.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A fake file system root holding `files` (marker files, `/proc` entries, programs on PATH). */
function fakeRoot(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'keyway-session-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    chmodSync(join(root, path), 0o755);
  }
  return root;
}

const TERMINAL = { stdin: true, stdout: true, stderr: true };
const NO_TERMINAL = { stdin: false, stdout: false, stderr: false };

/** A Linux machine with a terminal, no display, an empty file system and no variables but `PATH`. */
function probe(overrides: Partial<SessionProbe> = {}): SessionProbe {
  return {
    env: { PATH: '/usr/bin:/bin' },
    platform: 'linux',
    tty: TERMINAL,
    root: overrides.root ?? fakeRoot(),
    ppid: 4242,
    ...overrides,
  };
}

const env = (vars: Record<string, string>) => ({ PATH: '/usr/bin:/bin', ...vars });

describe('detectSession: who can answer a login', () => {
  it.each([
    ['CI=1', { CI: '1' }, TERMINAL, 'a CI job (CI is set)'],
    ['CI=true without a terminal', { CI: 'true' }, NO_TERMINAL, 'a CI job (CI is set)'],
    [
      'Jenkins (no CI variable)',
      { JENKINS_URL: 'https://ci.example.com/' },
      NO_TERMINAL,
      'a CI job (JENKINS_URL is set)',
    ],
    ['Azure Pipelines', { TF_BUILD: 'True' }, NO_TERMINAL, 'a CI job (TF_BUILD is set)'],
    [
      'a SLURM batch job',
      { SLURM_JOB_ID: '4711' },
      NO_TERMINAL,
      'a SLURM batch job (SLURM_JOB_ID is set, no terminal)',
    ],
    [
      'a PBS batch job',
      { PBS_ENVIRONMENT: 'PBS_BATCH', PBS_JOBID: '1.pbs' },
      NO_TERMINAL,
      'a PBS batch job (PBS_ENVIRONMENT=PBS_BATCH)',
    ],
    [
      'an LSF batch job',
      { LSB_JOBID: '77' },
      NO_TERMINAL,
      'an LSF batch job (LSB_JOBID is set, LSB_INTERACTIVE is not)',
    ],
    [
      'a Grid Engine array task',
      { JOB_ID: '12', SGE_TASK_ID: '3' },
      NO_TERMINAL,
      'a Grid Engine batch job (JOB_ID is set, no terminal)',
    ],
    [
      'a Grid Engine job',
      { JOB_ID: '12', SGE_O_HOST: 'login1' },
      NO_TERMINAL,
      'a Grid Engine batch job (JOB_ID is set, no terminal)',
    ],
    [
      'a Kubernetes pod',
      { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      NO_TERMINAL,
      'a Kubernetes pod (KUBERNETES_SERVICE_HOST is set, no terminal)',
    ],
    [
      'a systemd service',
      { INVOCATION_ID: '0123456789abcdef' },
      NO_TERMINAL,
      'a systemd service (INVOCATION_ID is set, no terminal)',
    ],
    ['papermill in CI (a kernel, but CI)', { CI: 'true', JPY_PARENT_PID: '100' }, NO_TERMINAL, 'a CI job (CI is set)'],
  ])('%s is automated', (_name, vars, tty, reason) => {
    expect(detectSession(probe({ env: env(vars), tty }))).toEqual({ kind: 'automated', reason });
  });

  it.each([
    ['srun --pty (SLURM with a terminal)', { SLURM_JOB_ID: '4711', SLURM_PTY_PORT: '4000' }],
    ['qsub -I (PBS interactive)', { PBS_ENVIRONMENT: 'PBS_INTERACTIVE' }],
    ['bsub -Is (LSF interactive)', { LSB_JOBID: '77', LSB_INTERACTIVE: 'Y' }],
    ['qrsh (Grid Engine with a terminal)', { JOB_ID: '12', SGE_O_HOST: 'login1' }],
    ['kubectl exec -it', { KUBERNETES_SERVICE_HOST: '10.0.0.1' }],
    ['a desktop terminal started as a systemd unit', { INVOCATION_ID: 'abc' }],
    ['CI=0', { CI: '0' }],
    ['CI=false', { CI: 'false' }],
    ['an empty CI', { CI: '' }],
  ])('%s is a terminal', (_name, vars) => {
    expect(detectSession(probe({ env: env(vars) })).kind).toBe('terminal');
  });

  it('a terminal needs stderr (where the prompt goes) and stdin or stdout', () => {
    const kind = (tty: SessionProbe['tty']) => detectSession(probe({ tty })).kind;
    expect(kind({ stdin: true, stdout: false, stderr: true })).toBe('terminal'); // keyway token in $(…)
    expect(kind({ stdin: false, stdout: true, stderr: true })).toBe('terminal'); // input piped in
    expect(kind({ stdin: true, stdout: true, stderr: false })).toBe('no-terminal'); // 2>log: nobody sees a code
    expect(kind(NO_TERMINAL)).toBe('no-terminal');
  });

  it('no terminal and no other signal is no-terminal (an explicit login may still run)', () => {
    expect(detectSession(probe({ tty: NO_TERMINAL }))).toEqual({
      kind: 'no-terminal',
      reason: 'no terminal (stderr, or stdin and stdout both, are not terminals)',
    });
  });

  it.each([
    ['JPY_PARENT_PID', { JPY_PARENT_PID: '100' }],
    ['a JUPYTER_ variable', { JUPYTER_SERVER_ROOT: '/home/ada' }],
    ['JupyterHub spawning into SLURM (batchspawner)', { JPY_PARENT_PID: '100', SLURM_JOB_ID: '4711' }],
    ['JupyterHub on Kubernetes', { JUPYTERHUB_USER: 'ada', KUBERNETES_SERVICE_HOST: '10.0.0.1' }],
    ['Jupyter as a systemd service', { JPY_PARENT_PID: '100', INVOCATION_ID: 'abc' }],
  ])('a Jupyter kernel (%s) is a notebook: interactive without a terminal', (_name, vars) => {
    expect(detectSession(probe({ env: env(vars), tty: NO_TERMINAL }))).toEqual({
      kind: 'notebook',
      reason: 'a Jupyter kernel',
    });
  });

  describe('cron, from the process tree in /proc', () => {
    // `pid (comm) state ppid …`, as the kernel writes it.
    const stat = (pid: number, comm: string, ppid: number) => `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560`;

    it('a job run by cron through a shell is automated', () => {
      const root = fakeRoot({
        'proc/4242/stat': stat(4242, 'sh', 4000),
        'proc/4000/stat': stat(4000, 'cron', 1),
      });
      expect(automation(probe({ root, tty: NO_TERMINAL }))).toBe('a cron job');
      expect(detectSession(probe({ root, tty: NO_TERMINAL })).kind).toBe('automated');
    });

    it('crond and a command name with spaces and parentheses are read right', () => {
      const root = fakeRoot({
        'proc/4242/stat': stat(4242, 'my (odd) job', 4100),
        'proc/4100/stat': stat(4100, 'bash', 4000),
        'proc/4000/stat': stat(4000, 'crond', 1),
      });
      expect(automation(probe({ root, tty: NO_TERMINAL }))).toBe('a cron job');
    });

    it('a shell under sshd is not cron; an unreadable /proc is not either', () => {
      const root = fakeRoot({
        'proc/4242/stat': stat(4242, 'bash', 4000),
        'proc/4000/stat': stat(4000, 'sshd', 1),
      });
      expect(automation(probe({ root, tty: NO_TERMINAL }))).toBeUndefined();
      expect(automation(probe({ tty: NO_TERMINAL }))).toBeUndefined();
    });
  });
});

describe('browserReach: can a browser opened here reach the loopback redirect', () => {
  it.each([
    ['macOS', 'darwin', {}],
    ['Windows', 'win32', {}],
    ['Linux with X11', 'linux', { DISPLAY: ':0' }],
    ['Linux with Wayland', 'linux', { WAYLAND_DISPLAY: 'wayland-0' }],
    ['FreeBSD with X11', 'freebsd', { DISPLAY: ':0' }],
  ] as const)('%s: yes, a desktop session', (_name, platform, vars) => {
    expect(browserReach(probe({ platform, env: env(vars) }))).toEqual({ browser: true, reason: 'a desktop session' });
  });

  it.each([
    [
      'Linux over SSH',
      'linux',
      { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22', SSH_TTY: '/dev/pts/0' },
      'SSH_CONNECTION',
    ],
    [
      'Linux over SSH with X forwarding',
      'linux',
      { SSH_CLIENT: '10.0.0.2 50000 22', DISPLAY: 'localhost:10.0' },
      'SSH_CLIENT',
    ],
    ['macOS over SSH', 'darwin', { SSH_TTY: '/dev/ttys001' }, 'SSH_TTY'],
    ['Windows over SSH', 'win32', { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, 'SSH_CONNECTION'],
  ] as const)('%s: no', (_name, platform, vars, variable) => {
    expect(browserReach(probe({ platform, env: env(vars) }))).toEqual({
      browser: false,
      reason: `an SSH session (${variable} is set)`,
    });
  });

  it('headless Linux: no', () => {
    expect(browserReach(probe())).toEqual({
      browser: false,
      reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    });
  });

  it('a Jupyter kernel: no (it may run on another machine)', () => {
    expect(browserReach(probe({ platform: 'darwin', env: env({ JPY_PARENT_PID: '1' }) })).browser).toBe(false);
  });

  describe('containers', () => {
    it.each([
      ['Docker (/.dockerenv)', { '.dockerenv': '' }, {}],
      ['Podman (/run/.containerenv)', { 'run/.containerenv': '' }, {}],
      ['a docker cgroup', { 'proc/1/cgroup': '0::/system.slice/docker-0123abcd.scope\n' }, {}],
      ['a Kubernetes pod', { 'proc/1/cgroup': '0::/kubepods/besteffort/pod12/abc\n' }, {}],
      ['systemd-nspawn or LXC (container=…)', {}, { container: 'systemd-nspawn' }],
    ])('%s: no, even with DISPLAY set', (_name, files, vars) => {
      expect(browserReach(probe({ root: fakeRoot(files), env: env({ DISPLAY: ':0', ...vars }) }))).toEqual({
        browser: false,
        reason: 'a container',
      });
    });

    it("a dev container with a bridge to the host's browser (BROWSER): yes", () => {
      const root = fakeRoot({ '.dockerenv': '' });
      expect(browserReach(probe({ root, env: env({ BROWSER: '/vscode/bin/helpers/browser.sh' }) }))).toEqual({
        browser: true,
        reason: 'a container with a browser bridge (BROWSER is set)',
      });
    });

    it('a host whose init is not in a container cgroup: not a container', () => {
      const root = fakeRoot({ 'proc/1/cgroup': '0::/init.scope\n' });
      expect(browserReach(probe({ root, env: env({ DISPLAY: ':0' }) })).browser).toBe(true);
    });
  });

  describe('WSL', () => {
    const osrelease = { 'proc/sys/kernel/osrelease': '5.15.153.1-microsoft-standard-WSL2\n' };

    it('without a browser bridge: no (detected by WSL_DISTRO_NAME, or the kernel release)', () => {
      const expected = { browser: false, reason: 'WSL without a browser bridge (wslview or BROWSER)' };
      expect(browserReach(probe({ env: env({ WSL_DISTRO_NAME: 'Ubuntu' }) }))).toEqual(expected);
      expect(browserReach(probe({ root: fakeRoot(osrelease), env: env({ DISPLAY: ':0' }) }))).toEqual(expected);
    });

    it('with wslview on PATH or BROWSER set: yes', () => {
      const expected = { browser: true, reason: 'WSL with a browser bridge' };
      const root = fakeRoot({ ...osrelease, 'usr/bin/wslview': '#!/bin/sh\n' });
      expect(browserReach(probe({ root }))).toEqual(expected);
      expect(browserReach(probe({ root: fakeRoot(osrelease), env: env({ BROWSER: 'explorer.exe' }) }))).toEqual(
        expected,
      );
    });
  });
});
