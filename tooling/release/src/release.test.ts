import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './release.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A monorepo in a temp dir: packages/<dir>/package.json (+ dist/ when built). */
function repo(manifests: Array<{ dir: string; built?: boolean } & Record<string, unknown>>) {
  const root = mkdtempSync(join(tmpdir(), 'keyway-release-cli-'));
  roots.push(root);
  for (const { dir, built = true, ...manifest } of manifests) {
    mkdirSync(join(root, 'packages', dir, built ? 'dist' : ''), { recursive: true });
    writeFileSync(join(root, 'packages', dir, 'package.json'), JSON.stringify({ files: ['dist'], ...manifest }));
  }
  mkdirSync(join(root, 'packages', 'not-a-package'));
  return root;
}

async function cli(argv: string[], code = 0) {
  const out: string[] = [];
  const err: string[] = [];
  const runs: Array<{ cmd: string; args: string[]; cwd: string }> = [];
  const exit = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    run: async (cmd, args, cwd) => {
      runs.push({ cmd, args, cwd });
      return code;
    },
  });
  return { exit, out: out.join('\n'), err: err.join('\n'), runs };
}

const fixture = () =>
  repo([
    { dir: 'core', name: '@keyway/core', version: '1.4.0' },
    { dir: 'edge', name: '@keyway/edge', version: '0.3.0-beta.1' },
    { dir: 'private', name: '@keyway/internal', version: '1.0.0', private: true },
    { dir: 'unbuilt', name: '@keyway/unbuilt', version: '1.0.0', built: false },
  ]);

describe('keyway-release tag-check', () => {
  it('exit 0 with the release as JSON', async () => {
    const root = fixture();
    const result = await cli(['tag-check', 'edge/v0.3.0-beta.1', '--root', root]);
    expect(result.exit).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      tag: 'edge/v0.3.0-beta.1',
      package: '@keyway/edge',
      shortName: 'edge',
      version: '0.3.0-beta.1',
      distTag: 'beta',
      dir: join(root, 'packages/edge'),
    });
  });

  it('accepts a full ref', async () => {
    const result = await cli(['tag-check', 'refs/tags/core/v1.4.0', '--root', fixture()]);
    expect(result.exit).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ tag: 'core/v1.4.0', distTag: 'latest' });
  });

  it('exit 2 for an ignored tag, exit 1 for a refused one, nothing on stdout', async () => {
    const root = fixture();
    const ignored = await cli(['tag-check', 'v1.4.0', '--root', root]);
    expect(ignored).toMatchObject({ exit: 2, out: '' });
    expect(ignored.err).toBe('ignored: "v1.4.0" is not a <package>/v<version> tag');
    const refused = await cli(['tag-check', 'core/v1.5.0', '--root', root]);
    expect(refused).toMatchObject({ exit: 1, out: '' });
    expect(refused.err).toContain('refused [VERSION_MISMATCH]');
    expect((await cli(['tag-check', 'internal/v1.0.0', '--root', root])).err).toContain('refused [UNKNOWN_PACKAGE]');
  });

  it('exit 64 on usage errors', async () => {
    expect((await cli(['tag-check'])).exit).toBe(64);
    expect((await cli(['tag-check', 'a', 'b'])).exit).toBe(64);
    expect((await cli(['frobnicate'])).exit).toBe(64);
    expect((await cli(['tags', '--bogus'])).exit).toBe(64);
    expect((await cli(['--help'])).out).toContain('Usage:');
  });
});

describe('keyway-release publish', () => {
  it('runs pnpm publish in the package directory under the dist-tag', async () => {
    const root = fixture();
    const result = await cli(['publish', 'edge/v0.3.0-beta.1', '--registry', 'http://127.0.0.1:4873/', '--root', root]);
    expect(result.exit).toBe(0);
    expect(result.runs).toEqual([
      {
        cmd: 'pnpm',
        args: ['publish', '--no-git-checks', '--tag', 'beta', '--registry', 'http://127.0.0.1:4873/'],
        cwd: join(root, 'packages/edge'),
      },
    ]);
    expect(JSON.parse(result.out)).toMatchObject({ package: '@keyway/edge', distTag: 'beta', dryRun: false });
  });

  it('passes --dry-run through', async () => {
    const result = await cli([
      'publish',
      'core/v1.4.0',
      '--registry',
      'https://registry.npmjs.org/',
      '--dry-run',
      '--root',
      fixture(),
    ]);
    expect(result.runs[0]?.args).toEqual([
      'publish',
      '--no-git-checks',
      '--tag',
      'latest',
      '--registry',
      'https://registry.npmjs.org/',
      '--dry-run',
    ]);
    expect(result.err).toContain('[dry run] publishing @keyway/core@1.4.0 under "latest"');
  });

  it('publishes nothing for a refused or ignored tag', async () => {
    const root = fixture();
    const refused = await cli(['publish', 'core/v1.5.0', '--registry', 'http://127.0.0.1:1/', '--root', root]);
    expect(refused).toMatchObject({ exit: 1, runs: [] });
    const ignored = await cli(['publish', 'nightly', '--registry', 'http://127.0.0.1:1/', '--root', root]);
    expect(ignored).toMatchObject({ exit: 2, runs: [] });
  });

  it('needs an http(s) --registry', async () => {
    const root = fixture();
    expect(await cli(['publish', 'core/v1.4.0', '--root', root])).toMatchObject({ exit: 64, runs: [] });
    expect(await cli(['publish', 'core/v1.4.0', '--registry', 'file:///tmp', '--root', root])).toMatchObject({
      exit: 64,
      runs: [],
    });
  });

  it('refuses an unbuilt package: it builds nothing', async () => {
    const result = await cli(['publish', 'unbuilt/v1.0.0', '--registry', 'http://127.0.0.1:1/', '--root', fixture()]);
    expect(result).toMatchObject({ exit: 1, runs: [] });
    expect(result.err).toBe('@keyway/unbuilt: missing dist: run `pnpm build` first (publish builds nothing)');
  });

  it('fails when pnpm publish fails', async () => {
    const result = await cli(['publish', 'core/v1.4.0', '--registry', 'http://127.0.0.1:1/', '--root', fixture()], 1);
    expect(result.exit).toBe(1);
    expect(result.err).toContain('pnpm publish exited with 1');
  });
});

describe('keyway-release tags', () => {
  it("lists the tag of each published package's version, sorted", async () => {
    const result = await cli(['tags', '--root', fixture()]);
    expect(result).toMatchObject({ exit: 0, out: 'core/v1.4.0\nedge/v0.3.0-beta.1\nunbuilt/v1.0.0' });
  });

  it('--untagged leaves out the tags git already has', async () => {
    const root = fixture();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'init');
    git('tag', 'core/v1.4.0');
    const result = await cli(['tags', '--untagged', '--root', root]);
    expect(result).toMatchObject({ exit: 0, out: 'edge/v0.3.0-beta.1\nunbuilt/v1.0.0' });
  });

  it('--json', async () => {
    const result = await cli(['tags', '--json', '--root', fixture()]);
    expect(JSON.parse(result.out).map((r: { tag: string; distTag: string }) => [r.tag, r.distTag])).toEqual([
      ['core/v1.4.0', 'latest'],
      ['edge/v0.3.0-beta.1', 'beta'],
      ['unbuilt/v1.0.0', 'latest'],
    ]);
  });

  it('refuses when a version could not be released (an unnamed prerelease)', async () => {
    const root = repo([{ dir: 'core', name: '@keyway/core', version: '1.0.0-0' }]);
    const result = await cli(['tags', '--root', root]);
    expect(result.exit).toBe(1);
    expect(result.err).toContain('refused [UNNAMED_PRERELEASE]');
  });

  it('lists this monorepo by default', async () => {
    const result = await cli(['tags']);
    expect(result.out.split('\n').map((tag) => tag.split('/v')[0])).toEqual([
      'core',
      'edge',
      'mocks',
      'node',
      'openapi',
      'token-store',
    ]);
  });
});
