import { describe, expect, it } from 'vitest';
import { bundleModule, bundleWorker, WORKER_CONDITIONS } from './bundle.ts';

const entry = new URL('./fixtures/bundle/entry.js', import.meta.url);

/** Evaluates a bundle as an ES module; resolves to its default export. */
async function evaluate(code: string): Promise<unknown> {
  const module = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as { default: unknown };
  return module.default;
}

describe('bundleWorker', () => {
  it('inlines every import into one ES module, resolved with the Worker conditions', async () => {
    expect(WORKER_CONDITIONS).toEqual(['workerd', 'worker', 'browser']);
    const code = await bundleWorker(entry);
    expect(code).not.toMatch(/^\s*import\b/m);
    expect(await evaluate(code)).toBe('resolved for workerd');
  });

  it('takes a path as well as a file URL, and rejects an entry that does not exist', async () => {
    expect(await evaluate(await bundleWorker(entry.pathname))).toBe('resolved for workerd');
    await expect(bundleWorker(new URL('./fixtures/bundle/missing.js', import.meta.url))).rejects.toThrow(
      /Could not resolve/,
    );
  });
});

describe('bundleModule', () => {
  it('resolves with the conditions given, falling back to default', async () => {
    expect(await evaluate(await bundleModule(entry, { platform: 'node', conditions: ['node'] }))).toBe(
      'resolved for node',
    );
    expect(await evaluate(await bundleModule(entry, { platform: 'browser', conditions: [] }))).toBe(
      'resolved for default',
    );
  });
});
