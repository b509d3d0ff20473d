/*
 * The built SDK inside workerd: src/worker.ts, bundled like a Worker, runs in miniflare (one instance
 * for the whole file) without `nodejs_compat`, so a Node built-in anywhere in the graph would fail.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../src/cases/types.ts';
import { workerModule } from './bundle.ts';
import { describeCases } from './cases.ts';

let mf: Miniflare;

beforeAll(async () => {
  const script = await workerModule();
  mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-06-01' });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

async function run(name: string): Promise<CaseResult> {
  const response = await mf.dispatchFetch(`http://w/case/${encodeURIComponent(name)}`);
  return (await response.json()) as CaseResult;
}

describe('workerd itself', () => {
  it('runs the Worker: navigator.userAgent is Cloudflare-Workers, no Node globals', async () => {
    expect(await run('runtime')).toEqual({
      ok: true,
      detail: {
        userAgent: 'Cloudflare-Workers',
        edgeRuntime: null,
        localStorage: 'undefined',
        webCrypto: true,
        process: 'undefined',
        buffer: 'undefined',
      },
    });
  });

  it('answers an unknown case with 404', async () => {
    const response = await mf.dispatchFetch('http://w/case/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error: 'no case "nope"', code: null });
  });
});

describeCases('workerd', run);
