/*
 * Bundle-size budgets: every browser/edge entry point, bundled like an app would bundle it, must stay
 * within its budget in size-limits.json (raw and gzip bytes). The table is printed on every run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { entries, explain, type Measurement, measure, measureAll, readLimits, table } from '../src/measure.mjs';

const limits = readLimits();
let measurements: Measurement[] = [];
const measured = (name: string): Measurement => {
  const found = measurements.find((m) => m.name === name);
  if (!found) {
    throw new Error(`${name} was not measured`);
  }
  return found;
};

beforeAll(async () => {
  measurements = await measureAll();
  console.log(`\n${table(measurements, limits)}\n`);
}, 60_000);

describe('bundle-size budgets (esbuild, minified, browser, gzip level 9)', () => {
  it('has exactly one budget per entry', () => {
    expect(Object.keys(limits).sort()).toEqual(entries.map((entry) => entry.name).sort());
  });

  it.each(entries.map((entry) => entry.name))('%s stays within its budget', (name) => {
    const { raw, gzip } = measured(name);
    const limit = limits[name];
    expect.soft(raw, `raw bytes of ${name} (budget ${limit?.raw})`).toBeLessThanOrEqual(limit?.raw ?? 0);
    expect.soft(gzip, `gzip bytes of ${name} (budget ${limit?.gzip})`).toBeLessThanOrEqual(limit?.gzip ?? 0);
  });
});

describe('what each entry pulls in (tree shaking)', () => {
  it('the service client alone: openapi-fetch and the operations table, no OAuth libraries', () => {
    expect(measured('@keyway/core: createKeywayClient').packages).toEqual([
      '@keyway/core',
      '@keyway/openapi',
      'openapi-fetch',
    ]);
  });

  it('discover + OAuthClient: oauth4webapi and jose, not the service client', () => {
    expect(measured('@keyway/core: discover + OAuthClient').packages).toEqual(['@keyway/core', 'jose', 'oauth4webapi']);
  });

  it('the resource-server verifier: core alone, neither oauth4webapi nor jose', () => {
    expect(measured('@keyway/core: createAccessTokenVerifier').packages).toEqual(['@keyway/core']);
  });

  it('a Worker verifying requests (withAuth, keywayMiddleware): core and edge, neither oauth4webapi nor jose', () => {
    for (const name of ['@keyway/edge: a withAuth Worker', '@keyway/edge: keywayMiddleware']) {
      expect(measured(name).packages, name).toEqual(['@keyway/core', '@keyway/edge']);
    }
  });

  it("a Worker's client-credentials token source: core's own token request and JWS signing, neither oauth4webapi nor jose", () => {
    for (const name of ['@keyway/edge: createEdgeTokenSource', '@keyway/edge (export *)']) {
      expect(measured(name).packages, name).toEqual(['@keyway/core', '@keyway/edge', '@keyway/token-store']);
    }
  });

  it('the token source and authFetch: no HTTP or JOSE library at all', () => {
    expect(measured('@keyway/core: createTokenSource + authFetch').packages).toEqual([
      '@keyway/core',
      '@keyway/token-store',
    ]);
  });

  it('the token-store entries and the operations table depend on nothing', () => {
    for (const name of [
      '@keyway/token-store (export *)',
      '@keyway/token-store/kv (export *)',
      '@keyway/token-store/web (export *)',
      '@keyway/openapi (export *)',
    ]) {
      expect(measured(name).packages).toEqual([name.split(' ')[0]!.split('/').slice(0, 2).join('/')]);
    }
  });

  it('has a row for every runtime-agnostic entry of the packages, and none for a Node-only one', () => {
    const names = entries.map((entry) => entry.name);
    for (const agnostic of ['@keyway/core', '@keyway/edge', '@keyway/mocks', '@keyway/token-store/redis']) {
      expect(names).toContain(`${agnostic} (export *)`);
    }
    for (const nodeOnly of ['@keyway/node', '@keyway/token-store/file', '@keyway/mocks/node']) {
      expect(names).not.toContain(`${nodeOnly} (export *)`);
    }
  });
});

describe('no module top level of core does work (what would pin code into every bundle)', () => {
  it('importing core and edge for their side effects bundles nothing', async () => {
    const { raw } = await measure({ name: 'side effects', code: "import '@keyway/core'; import '@keyway/edge';" });
    expect(raw).toBe(0);
  });

  it.each([
    ['expiresIn', 'a two-line function'],
    ['DPOP_ALGORITHMS', 'a frozen list'],
  ])("core's %s (%s) comes alone: under 400 bytes, with no table, cache or class of another module", async (name) => {
    const { raw, packages } = await measure({ name, code: `export { ${name} } from '@keyway/core';` });
    expect(packages).toEqual(['@keyway/core']);
    expect(raw).toBeLessThan(400);
  });
});

it('measures deterministically: the same entry twice gives the same bytes', async () => {
  const entry = entries[0]!;
  expect(await measure(entry)).toEqual(measured(entry.name));
});

it('--explain lists, from the sources, the raw bytes each file leaves in a bundle', async () => {
  const entry = entries.find((candidate) => candidate.name === '@keyway/core: createAccessTokenVerifier')!;
  const fromSource = await measure(entry, { fromSource: true });
  const files = fromSource.inputs.map(([path]) => path);
  expect(files).toContain('../../packages/core/src/oauth/access-token-verifier.ts');
  expect(files.filter((path) => !path.includes('packages/core/src/'))).toEqual([]);
  const listed = fromSource.inputs.reduce((sum, [, bytes]) => sum + bytes, 0);
  expect(listed).toBeLessThanOrEqual(fromSource.raw);
  expect(listed).toBeGreaterThan(fromSource.raw * 0.9);
  const text = explain(fromSource, 3);
  expect(text.split('\n')).toHaveLength(5);
  expect(text).toMatch(/^@keyway\/core: createAccessTokenVerifier: \d+ bytes raw\n/);
  expect(text).toContain(`(${files.length - 3} more files)`);
});
