import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The version `keyway --version`, `version` and core's User-Agent print is package.json's, written
// into dist/ by tsup's `define` when a package is built (src/internal/version.ts declares the global):
// nothing has to keep a constant in the sources equal to package.json. (cli-messages.test.ts runs the
// built bin's --version.)

const nodeDir = dirname(dirname(fileURLToPath(import.meta.url)));
// The workspace link of @keyway/core: its package.json, sources and dist/.
const coreDir = dirname(fileURLToPath(import.meta.resolve('@keyway/core/package.json')));

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The text of every file under `dir` whose name passes `keep`, by path relative to `dir`. */
function texts(dir: string, keep: (name: string) => boolean): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (keep(name)) {
      found.set(name, readFileSync(join(dir, name), 'utf8'));
    }
  }
  return found;
}

describe.each([
  ['@keyway/core', coreDir],
  ['@keyway/node', nodeDir],
])('%s', (_name, dir) => {
  const version = versionOf(dir);

  it("dist/ holds package.json's version as a string literal", () => {
    const built = [...texts(join(dir, 'dist'), (name) => name.endsWith('.js')).values()];
    expect(built.some((text) => text.includes(JSON.stringify(version)))).toBe(true);
  });

  it('no source file writes that version (the build defines it)', () => {
    const sources = texts(join(dir, 'src'), (name) => /\.ts$/.test(name) && !/\.test(-d)?\.ts$/.test(name));
    expect(sources.size).toBeGreaterThan(10);
    const literals = [`'${version}'`, `"${version}"`, `\`${version}\``];
    const naming = [...sources].filter(([, text]) => literals.some((literal) => text.includes(literal)));
    expect(naming.map(([name]) => name)).toEqual([]);
    expect(sources.get(join('internal', 'version.ts'))).toMatch(/declare const __KEYWAY_\w+_VERSION__: string;/);
  });
});

describe('the built packages', () => {
  it("@keyway/core's createKeywayClient names core's package.json version in User-Agent", async () => {
    const { createKeywayClient } = await import('@keyway/core');
    const sent: Headers[] = [];
    const client = createKeywayClient({
      baseUrl: 'https://keyway.test',
      token: 'kw_test',
      fetch: async (input, init) => {
        sent.push(new Request(input, init).headers);
        return Response.json({ valid: true, sub: 'usr_1', iss: 'https://keyway.test' });
      },
    });
    await client.validation.verify();
    expect(sent.map((headers) => headers.get('user-agent'))).toEqual([`keyway-core/${versionOf(coreDir)}`]);
  });

  it("@keyway/node's dist exports package.json's version", async () => {
    const built = (await import(join(nodeDir, 'dist/index.js'))) as { version: string };
    expect(built.version).toBe(versionOf(nodeDir));
  });
});
