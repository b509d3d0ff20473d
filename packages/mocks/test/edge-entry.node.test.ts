/*
 * The root entry as workerd and Vercel Edge bundlers resolve it (conditions `workerd`/`edge-light`,
 * `worker`, `browser`): package.json `imports` swap msw's handlers for a stub, so msw — which throws
 * on import where there is neither `process` nor `localStorage` — is never loaded. Each bundle runs in
 * `@edge-runtime/vm`'s EdgeVM, a realm with neither. A browser page's bundle carries msw only when it
 * imports `@keyway/mocks/msw`.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import tsup from '../tsup.config.ts';
import { importTarget, packageImportsFromSource } from './package-imports.ts';

const entry = new URL('../src/index.ts', import.meta.url).pathname;

async function bundle(conditions: string[]): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'iife',
    globalName: 'keywayMocks',
    platform: 'browser',
    conditions,
    target: 'es2022',
    plugins: [packageImportsFromSource(conditions)],
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) };
}

/** What the mock does inside the VM, as plain data. */
const probe = `(async () => {
  const { createMockKeyway, UnsupportedRuntimeError } = keywayMocks;
  const mock = createMockKeyway({ issuer: 'https://edge.keyway.test' });
  const discovery = await mock.fetch(mock.issuer + '/.well-known/openid-configuration');
  const token = await mock.handle(new Request(mock.issuer + '/oauth/token', {
    method: 'POST',
    headers: { authorization: 'Basic ' + btoa('test-client:test-secret'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=api:read',
  }));
  const refusal = (run) => {
    try { run(); return null; } catch (error) { return error; }
  };
  const handlersError = refusal(() => mock.handlers);
  const listenError = await mock.listen().then(() => null, (error) => error);
  const describe = (error) => error && {
    name: error.name, code: error.code, feature: error.feature, message: error.message,
    is: UnsupportedRuntimeError.is(error), instance: error instanceof UnsupportedRuntimeError,
  };
  return {
    globals: { process: typeof process, localStorage: typeof localStorage },
    discovery: { status: discovery.status, issuer: (await discovery.json()).issuer },
    token: { status: token.status, type: (await token.json()).token_type },
    calls: mock.calls.map((call) => call.route),
    handlers: describe(handlersError),
    listen: describe(listenError),
  };
})()`;

describe.each([
  { runtime: 'workerd (wrangler)', conditions: ['workerd', 'worker', 'browser'] },
  { runtime: 'Vercel Edge', conditions: ['edge-light', 'worker', 'browser'] },
  { runtime: 'a web worker', conditions: ['worker', 'browser'] },
])('the root entry bundled for $runtime', ({ conditions }) => {
  it('leaves msw out of the bundle', async () => {
    const { inputs } = await bundle(conditions);
    expect(inputs).toContain('src/msw/unsupported.ts');
    expect(inputs.filter((input) => /node_modules\/.*msw|src\/msw\/handlers|src\/server\/node/.test(input))).toEqual(
      [],
    );
  });

  it('serves fetch and handle with neither process nor localStorage; handlers and listen() refuse, typed', async () => {
    const vm = new EdgeVM();
    vm.evaluate((await bundle(conditions)).code);
    const result = await vm.evaluate<Promise<Record<string, unknown>>>(probe);
    expect(result).toEqual({
      globals: { process: 'undefined', localStorage: 'undefined' },
      discovery: { status: 200, issuer: 'https://edge.keyway.test' },
      token: { status: 200, type: 'Bearer' },
      calls: ['getOpenIdConfiguration', 'token'],
      handlers: {
        name: 'UnsupportedRuntimeError',
        code: 'unsupported_runtime',
        feature: 'handlers',
        message: expect.stringMatching(
          /mock\.handlers needs msw, which runs only in Node\.js and browsers.*mock\.fetch/,
        ),
        is: true,
        instance: true,
      },
      listen: {
        name: 'UnsupportedRuntimeError',
        code: 'unsupported_runtime',
        feature: 'listen',
        message: expect.stringMatching(/listen\(\) needs Node\.js/),
        is: true,
        instance: true,
      },
    });
  });
});

/** The inputs of an app bundled for a browser page from `source`, resolving this package's source. */
async function browserApp(source: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: new URL('../src/', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'iife',
    globalName: 'app',
    platform: 'browser',
    target: 'es2022',
    plugins: [packageImportsFromSource(['browser'])],
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) };
}

const fromMsw = (inputs: string[]) => inputs.filter((input) => /node_modules\/.*(msw|@mswjs)/.test(input));

describe('a browser page bundled with the root entry', () => {
  it('that only uses createMockKeyway().fetch carries no msw; there mock.handlers refuses, typed', async () => {
    const { code, inputs } = await browserApp(
      "export { UnsupportedRuntimeError } from './index.ts'; import { createMockKeyway } from './index.ts'; export const mock = createMockKeyway();",
    );
    expect(inputs).toContain('src/msw/browser.ts');
    expect(fromMsw(inputs)).toEqual([]);
    const vm = new EdgeVM();
    vm.evaluate(code);
    const result = await vm.evaluate<Promise<Record<string, unknown>>>(`(async () => {
      const jwks = await app.mock.fetch(app.mock.issuer + '/oauth/jwks');
      try { app.mock.handlers; return { status: jwks.status }; }
      catch (error) { return { status: jwks.status, is: app.UnsupportedRuntimeError.is(error), feature: error.feature, message: error.message }; }
    })()`);
    expect(result).toEqual({
      status: 200,
      is: true,
      feature: 'handlers',
      message: expect.stringContaining("import { mswHandlers } from '@keyway/mocks/msw'"),
    });
  });

  it('with mswHandlers() of @keyway/mocks/msw carries msw (control: the test above would see it)', async () => {
    const { code, inputs } = await browserApp(
      "import { createMockKeyway } from './index.ts'; import { mswHandlers } from './msw.ts'; export const handlers = mswHandlers(createMockKeyway());",
    );
    expect(fromMsw(inputs).some((input) => /msw\/lib\/core\/utils\/cookieStore/.test(input))).toBe(true);
    // msw cannot even load where there is neither process nor localStorage: why workerd and friends get no msw.
    expect(() => new EdgeVM().evaluate(code)).toThrow(
      /Failed to create a CookieStore: `localStorage` is not available/,
    );
  });
});

describe('package.json imports', () => {
  it.each([
    { conditions: ['node'], msw: './dist/msw/node.js', server: './dist/server/node.js' },
    { conditions: ['browser'], msw: './dist/msw/browser.js', server: './dist/server/unsupported.js' },
    {
      conditions: ['workerd', 'worker', 'browser'],
      msw: './dist/msw/unsupported.js',
      server: './dist/server/unsupported.js',
    },
    {
      conditions: ['edge-light', 'worker', 'browser'],
      msw: './dist/msw/unsupported.js',
      server: './dist/server/unsupported.js',
    },
  ])('under $conditions', ({ conditions, msw, server }) => {
    expect({ msw: importTarget('#msw', conditions), server: importTarget('#server', conditions) }).toEqual({
      msw,
      server,
    });
  });

  it('point at files tsup builds', () => {
    const config = Array.isArray(tsup) ? tsup[0] : tsup;
    const built = Object.keys((config as { entry: Record<string, string> }).entry).map((name) => `./dist/${name}.js`);
    const targets = ['node', 'browser', 'workerd', 'edge-light', 'worker'].flatMap((condition) => [
      importTarget('#msw', [condition]),
      importTarget('#server', [condition]),
    ]);
    expect(built).toEqual(expect.arrayContaining([...new Set(targets)]));
  });
});
