/*
 * The built SDK inside Vercel's edge-runtime: the same Worker bundle, as a classic script, evaluated in
 * an EdgeVM (@edge-runtime/vm: its own realm with the edge primitives, no Node globals, no eval) and
 * called through its `fetch` handler there.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../src/cases/types.ts';
import { workerScript } from './bundle.ts';
import { describeCases } from './cases.ts';

const GLOBAL = '__keywayRuntimesWorker';
let vm: EdgeVM;

beforeAll(async () => {
  vm = new EdgeVM();
  vm.evaluate(await workerScript(GLOBAL));
}, 60_000);

async function run(name: string): Promise<CaseResult> {
  const url = JSON.stringify(`http://w/case/${encodeURIComponent(name)}`);
  // The Request is made inside the VM, with the edge runtime's own classes.
  const response = await vm.evaluate<Promise<Response>>(`${GLOBAL}.default.fetch(new Request(${url}))`);
  return (await response.json()) as CaseResult;
}

describe('edge-runtime itself', () => {
  it('runs the Worker: EdgeRuntime is defined, no Node globals', async () => {
    expect(await run('runtime')).toEqual({
      ok: true,
      detail: {
        userAgent: null,
        edgeRuntime: 'edge-runtime',
        localStorage: 'undefined',
        webCrypto: true,
        process: 'undefined',
        buffer: 'undefined',
      },
    });
  });

  it('is a separate realm: the Worker sees the VM globals, not the test’s', () => {
    expect(vm.evaluate('typeof process')).toBe('undefined');
    expect(vm.evaluate('typeof require')).toBe('undefined');
    expect(() => vm.evaluate('eval("1")')).toThrow(/Code generation from strings disallowed/);
  });
});

describeCases('edge-runtime', run);
