import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const indexSource = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
const spec = parse(readFileSync(new URL('../../../openapi/keyway.yaml', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, unknown> };
};

/** `export type Name = components['schemas']['Target'];` lines of src/index.ts. */
const aliases = [...indexSource.matchAll(/^export type (\w+) = components\['schemas'\]\['(\w+)'\];$/gm)].map(
  ([, name, target]) => ({ name, target }),
);

describe('src/index.ts (the public surface)', () => {
  it('has a same-named alias for every schema of the spec, and no other', () => {
    expect(aliases.map((a) => a.name).sort()).toEqual(Object.keys(spec.components.schemas).sort());
    expect(aliases.filter((a) => a.name !== a.target)).toEqual([]);
  });

  it('re-exports the generated maps and the operation table by name, and never uses export *', () => {
    expect(indexSource).toContain("export type { components, paths } from './generated/schema.js';");
    expect(indexSource).toContain("export { type OperationInfo, operations } from './generated/operations.js';");
    expect(indexSource).not.toMatch(/export \*/);
    // The generated table is the only runtime code: anything declared here would add more.
    expect(indexSource).not.toMatch(/^export (const|let|var|function|class|enum|default)\b/m);
    expect(indexSource).not.toMatch(/^import (?!type )/m);
  });

  it('documents every alias with TSDoc', () => {
    const undocumented = aliases.filter(({ name }) => !new RegExp(`\\*/\\nexport type ${name} =`).test(indexSource));
    expect(undocumented.map((a) => a.name)).toEqual([]);
  });
});
