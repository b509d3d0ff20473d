/*
 * A Worker that imports nothing but @keyway/mocks' root entry, built as each platform's bundler builds
 * it: wrangler's conditions (`workerd`, `worker`, `browser`) for workerd, Vercel's (`edge-light`,
 * `worker`, `browser`) for edge-runtime. There msw cannot load (its cookie store needs Node's `process`
 * or `localStorage`), so the mock's package.json `imports` leave it out: `createMockKeyway()`,
 * `mock.fetch` and `mock.handle` work, and `mock.handlers` throws `UnsupportedRuntimeError`.
 * Once, this was a known issue: importing the mock killed the Worker at startup.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build, transform } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';

const source = `
import { createMockKeyway, UnsupportedRuntimeError } from '@keyway/mocks';
export default {
  async fetch() {
    const mock = createMockKeyway();
    const discovery = await mock.fetch(mock.issuer + '/.well-known/openid-configuration');
    const jwks = await mock.handle(new Request(mock.issuer + '/oauth/jwks'));
    let handlers = null;
    try {
      handlers = { count: mock.handlers.length };
    } catch (error) {
      handlers = { name: error.name, code: error.code, feature: error.feature, is: UnsupportedRuntimeError.is(error), message: error.message };
    }
    return Response.json({
      localStorage: typeof localStorage,
      discovery: discovery.status,
      jwks: (await jwks.json()).keys.length,
      handlers,
    });
  },
};`;

const wrangler = ['workerd', 'worker', 'browser'];
const vercel = ['edge-light', 'worker', 'browser'];

async function bareMockWorker(conditions: string[]): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

const expected = {
  localStorage: 'undefined',
  discovery: 200,
  jwks: 1,
  handlers: {
    name: 'UnsupportedRuntimeError',
    code: 'unsupported_runtime',
    feature: 'handlers',
    is: true,
    message: expect.stringMatching(/mock\.handlers needs msw.*`mock\.fetch`/),
  },
};

describe('@keyway/mocks where there is no process and no localStorage', () => {
  it.each([
    ['wrangler', wrangler],
    ['Vercel', vercel],
  ])("the %s bundle holds the mock's msw stub, not msw", async (_name, conditions) => {
    const { inputs } = await bareMockWorker(conditions);
    expect(inputs.some((input) => input.endsWith('packages/mocks/dist/msw/unsupported.js'))).toBe(true);
    expect(inputs.filter((input) => /\/msw\/lib\/|\/mocks\/dist\/msw\/handlers/.test(input))).toEqual([]);
  });

  it('in workerd without nodejs_compat', async () => {
    const { code } = await bareMockWorker(wrangler);
    const mf = new Miniflare({ modules: true, script: code, compatibilityDate: '2025-06-01' });
    try {
      const response = await mf.dispatchFetch('http://w/');
      expect(await response.json()).toEqual(expected);
    } finally {
      await mf.dispose().catch(() => {});
    }
  });

  it('in edge-runtime', async () => {
    const { code } = await transform((await bareMockWorker(vercel)).code, {
      format: 'iife',
      globalName: 'bare',
      target: 'es2022',
    });
    const vm = new EdgeVM();
    vm.evaluate(code);
    const response = await vm.evaluate<Promise<Response>>('bare.default.fetch(new Request("http://w/"))');
    expect(await response.json()).toEqual(expected);
  });
});
