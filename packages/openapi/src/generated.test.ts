import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_OPERATIONS_OUTPUT_PATH,
  OPERATIONS_OUTPUT_PATH,
  OUTPUT_PATH,
  renderClientTable,
  renderOperations,
  renderSchema,
  SPEC_PATH,
} from '../scripts/generate.mjs';

const committedUrl = new URL(`../${OUTPUT_PATH}`, import.meta.url);
const committedOperationsUrl = new URL(`../${OPERATIONS_OUTPUT_PATH}`, import.meta.url);
const committedClientUrl = new URL(`../${CLIENT_OPERATIONS_OUTPUT_PATH}`, import.meta.url);
const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  sideEffects?: unknown;
};

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

describe('src/generated/operations.ts', () => {
  it('matches what the spec generates now (run `pnpm --filter @keyway/openapi generate` when this fails)', async () => {
    const [fresh, committed] = await Promise.all([renderOperations(), readFile(committedOperationsUrl, 'utf8')]);
    expect(committed, `${OPERATIONS_OUTPUT_PATH} is stale: regenerate it from ${SPEC_PATH}`).toBe(fresh);
  });

  it('is deterministic: two renders are byte-identical', async () => {
    const [a, b] = await Promise.all([renderOperations(), renderOperations()]);
    expect(a).toBe(b);
  });

  it('starts with a do-not-edit header naming the source and the command, without a timestamp', async () => {
    const committed = await readFile(committedOperationsUrl, 'utf8');
    const header = committed.slice(0, committed.indexOf('*/') + 2);
    expect(header).toContain('Do not edit it by hand');
    expect(header).toContain(SPEC_PATH);
    expect(header).toContain('pnpm --filter @keyway/openapi generate');
    expect(header).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}/);
  });

  it('is side-effect free: one plain object literal, no calls at module level, and sideEffects: false', async () => {
    const committed = await readFile(committedOperationsUrl, 'utf8');
    const start = committed.indexOf('export const operations = {\n');
    const end = committed.indexOf('} as const satisfies');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const entries = committed
      .slice(start + 'export const operations = {\n'.length, end)
      .split('\n')
      .filter(Boolean);
    const entry = /^ {2}\w+: \{ method: '[a-z]+', path: '[^'\\]+', idempotent: (true|false) \},$/;
    expect(entries.filter((line) => !entry.test(line))).toEqual([]);
    // Only one value statement: the rest is the header, a type import and type declarations.
    expect(committed.match(/^(export )?(const|let|var|function|class)\b/gm)).toEqual(['export const']);
    expect(packageJson.sideEffects).toBe(false);
  });
});

describe('src/generated/client-operations.ts', () => {
  it('matches what the spec generates now (run `pnpm --filter @keyway/openapi generate` when this fails)', async () => {
    const [fresh, committed] = await Promise.all([renderClientTable(), readFile(committedClientUrl, 'utf8')]);
    expect(committed, `${CLIENT_OPERATIONS_OUTPUT_PATH} is stale: regenerate it from ${SPEC_PATH}`).toBe(fresh);
  });

  it('is deterministic: two renders are byte-identical', async () => {
    const [a, b] = await Promise.all([renderClientTable(), renderClientTable()]);
    expect(a).toBe(b);
  });

  it('starts with a do-not-edit header naming the source and the command, without a timestamp', async () => {
    const committed = await readFile(committedClientUrl, 'utf8');
    const header = committed.slice(0, committed.indexOf('*/') + 2);
    expect(header).toContain('Do not edit it by hand');
    expect(header).toContain(SPEC_PATH);
    expect(header).toContain('pnpm --filter @keyway/openapi generate');
    expect(header).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}/);
  });

  it('is side-effect free: one plain object literal of literals, no calls at module level', async () => {
    const committed = await readFile(committedClientUrl, 'utf8');
    expect(committed.match(/^(export )?(const|let|var|function|class)\b/gm)).toEqual(['export const']);
    const table = committed.slice(
      committed.indexOf('export const clientOperations = {'),
      committed.indexOf('} as const satisfies'),
    );
    // Comments, keys, string literals, booleans, arrays and braces only: no identifiers used as values.
    const code = table.replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/'(?:[^'\\]|\\.)*'/g, "''");
    const values = [...code.matchAll(/:\s*([A-Za-z_$][\w$]*)/g)].map((match) => match[1]);
    expect([...new Set(values)].sort()).toEqual(['false', 'true']);
  });
});
