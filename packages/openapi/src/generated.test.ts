import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OUTPUT_PATH, renderSchema, SPEC_PATH } from '../scripts/generate.mjs';

const committedUrl = new URL(`../${OUTPUT_PATH}`, import.meta.url);

describe('src/generated/schema.ts', () => {
  it('matches what the spec generates now (run `pnpm --filter @keyway/openapi generate` when this fails)', async () => {
    const [fresh, committed] = await Promise.all([renderSchema(), readFile(committedUrl, 'utf8')]);
    // Compare lengths first: a readable failure instead of a 2 000-line diff when the file is stale.
    expect(committed.length, `${OUTPUT_PATH} is stale: regenerate it from ${SPEC_PATH}`).toBe(fresh.length);
    expect(committed === fresh, `${OUTPUT_PATH} is stale: regenerate it from ${SPEC_PATH}`).toBe(true);
  });

  it('is deterministic: two renders are byte-identical', async () => {
    const [a, b] = await Promise.all([renderSchema(), renderSchema()]);
    expect(a).toBe(b);
  });

  it('starts with a do-not-edit header naming the source and the command, without a timestamp', async () => {
    const committed = await readFile(committedUrl, 'utf8');
    const header = committed.slice(0, committed.indexOf('*/') + 2);
    expect(header).toContain('Do not edit it by hand');
    expect(header).toContain(SPEC_PATH);
    expect(header).toContain('pnpm --filter @keyway/openapi generate');
    expect(header).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}/);
  });

  it('declares paths, components and operations', async () => {
    const committed = await readFile(committedUrl, 'utf8');
    expect(committed).toMatch(/^export interface paths \{/m);
    expect(committed).toMatch(/^export interface components \{/m);
    expect(committed).toMatch(/^export interface operations \{/m);
  });
});
