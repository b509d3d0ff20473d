/*
 * Keyway's declaration files type-check in a consumer's strict program without the DOM lib:
 * `lib: ["ES2022"]`, `skipLibCheck: false`, once with `types: []` and once with `types: ["node"]`
 * (a Node project: the Web globals @types/node declares, and nothing of the DOM), and every entry a
 * worker resolves once more with `types: ["@cloudflare/workers-types"]` (a Worker project: the runtime's
 * own Web types, which is where a program without the DOM gets `Request` and `URL`). A consumer project
 * is built in a temporary directory whose node_modules links each published package (its built
 * dist, through its package.json `exports`), and every public entry, listed from those `exports`
 * (tooling/scripts/agnostic-entries.mjs), is imported alone and compiled.
 *
 * Where an entry cannot type-check yet, KNOWN_GAPS says so and why, and which diagnostics the gap
 * covers: any other diagnostic still fails the test, and so does a gap that has closed (delete it).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agnosticEntries, publicEntries } from '../../scripts/agnostic-entries.mjs';

const repo = realpathSync(new URL('../../..', import.meta.url).pathname);

/** The two consumer programs: a runtime-neutral one and a Node one. */
const CONFIGS = {
  'types: []': [] as string[],
  'types: ["node"]': ['node'],
} as const;
type ConfigName = keyof typeof CONFIGS;

/** An open gap: why, and the diagnostics it covers (`file(line): message`, the file relative to the repository). */
interface Gap {
  reason: string;
  covers: RegExp;
}

/** Diagnostics inside third-party declarations (node_modules), which Keyway cannot fix. */
const THIRD_PARTY = /^node_modules\//;

/**
 * The fetch-based API (core, and edge, node and mocks above it) names the Web globals that a program
 * with neither the DOM lib nor @types/node does not declare, and so do the declarations of
 * oauth4webapi, jose and msw it exposes.
 */
const WEB_GLOBALS: Gap = {
  reason: 'URL, Request, Response, RequestInit and AbortSignal are not declared without the DOM lib or @types/node',
  covers: new RegExp(
    `${THIRD_PARTY.source}|^packages/[\\w-]+/dist/.*: Cannot find name '(URL|Request|Response|RequestInit|AbortSignal)'\\.$`,
  ),
};

/** msw's own declarations (its WebSocket and fetch interceptors) need the DOM lib even in a Node program. */
const MSW_NEEDS_DOM: Gap = {
  reason: "msw's declarations, which @keyway/mocks exposes, need the DOM lib",
  covers: /^node_modules\/\.pnpm\/(msw|@mswjs\+interceptors|rettime)@/,
};

/**
 * Entries that do not type-check yet under a config. Close a gap, then delete its line: a closed gap
 * fails the test, and so does any diagnostic the gap does not cover.
 */
const KNOWN_GAPS: Partial<Record<string, Partial<Record<ConfigName, Gap>>>> = {
  '@keyway/core': { 'types: []': WEB_GLOBALS },
  '@keyway/edge': { 'types: []': WEB_GLOBALS },
  '@keyway/edge/hono': { 'types: []': WEB_GLOBALS },
  '@keyway/node': { 'types: []': WEB_GLOBALS },
  '@keyway/mocks': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
  '@keyway/mocks/jest': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
  '@keyway/mocks/msw': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
  '@keyway/mocks/node': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
  '@keyway/mocks/playwright': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
  '@keyway/mocks/vitest': { 'types: []': WEB_GLOBALS, 'types: ["node"]': MSW_NEEDS_DOM },
};

const entries = publicEntries();
let project: string;
let previous: ts.Program | undefined;

/** The consumer project: package.json, node_modules/@keyway/* and @types/node linked to this checkout. */
function createConsumer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-dts-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const scope = join(dir, 'node_modules', '@keyway');
  mkdirSync(scope, { recursive: true });
  for (const packageDir of new Set(entries.map((entry) => entry.dir))) {
    const name = entries.find((entry) => entry.dir === packageDir)?.pkg ?? '';
    symlinkSync(packageDir, join(scope, name.slice('@keyway/'.length)), 'dir');
  }
  const typesNode = dirname(createRequire(import.meta.url).resolve('@types/node/package.json'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(typesNode, join(dir, 'node_modules', '@types', basename(typesNode)), 'dir');
  const workersTypes = dirname(createRequire(import.meta.url).resolve('@cloudflare/workers-types/package.json'));
  mkdirSync(join(dir, 'node_modules', '@cloudflare'), { recursive: true });
  symlinkSync(workersTypes, join(dir, 'node_modules', '@cloudflare', 'workers-types'), 'dir');
  return dir;
}

/** Compiles a file that imports `specifier` alone; returns its diagnostics as `file(line): message`. */
function check(specifier: string, types: readonly string[]): string[] {
  return compile(
    `${specifier.replace(/[@/]/g, '_')}.ts`,
    `import * as entry from '${specifier}';\nexport type Entry = typeof entry;\n`,
    { types },
  );
}

/** Compiles `source` as `name` in the consumer project (lib ES2022 plus `lib`); returns its diagnostics. */
function compile(name: string, source: string, { types, lib = [] }: { types: readonly string[]; lib?: string[] }) {
  const file = join(project, name);
  writeFileSync(file, source);
  const options: ts.CompilerOptions = {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    lib: ['lib.es2022.d.ts', ...lib],
    types: [...types],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  // The previous program lends its parsed files: each entry then costs a type check, not a parse.
  const program = ts.createProgram({ rootNames: [file], options, oldProgram: previous });
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!diagnostic.file || diagnostic.start === undefined) {
      return text;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${relative(repo, realpathSync(diagnostic.file.fileName))}(${line + 1}): ${text}`;
  });
}

beforeAll(() => {
  project = createConsumer();
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('declaration files type-check without the DOM lib (lib: ES2022, skipLibCheck: false)', () => {
  it('lists the public entries from the packages’ exports', () => {
    expect(entries.map((entry) => entry.specifier)).toEqual(
      expect.arrayContaining(['@keyway/core', '@keyway/edge', '@keyway/mocks/vitest', '@keyway/token-store/file']),
    );
    for (const specifier of Object.keys(KNOWN_GAPS)) {
      expect(
        entries.map((entry) => entry.specifier),
        `KNOWN_GAPS names ${specifier}`,
      ).toContain(specifier);
    }
  });

  it('a program with the DOM lib passes its own CryptoKey, CryptoKeyPair and Storage, and gets them back', () => {
    const source = [
      "import type { OAuthClientOptions, PrivateKeyInput } from '@keyway/core';",
      "import type { DpopKey } from '@keyway/mocks';",
      "import { encryptedStore, MemoryTokenStore } from '@keyway/token-store';",
      "import { WebStorageTokenStore } from '@keyway/token-store/web';",
      'declare const key: CryptoKey;',
      'declare const pair: CryptoKeyPair;',
      'declare const dpopKey: DpopKey;',
      'encryptedStore(new MemoryTokenStore(), key);',
      'new WebStorageTokenStore({ storage: sessionStorage });',
      'export const input: PrivateKeyInput = { key, kid: "k1" };',
      'export const options: Pick<OAuthClientOptions, "dpop"> = { dpop: pair };',
      // What Keyway hands out is the DOM's own type in a DOM program, not a look-alike.
      'export const back: CryptoKeyPair = dpopKey;',
      'export const signing: CryptoKey = dpopKey.privateKey;',
      '',
    ].join('\n');
    const diagnostics = compile('dom-types.ts', source, { types: [], lib: ['lib.dom.d.ts'] });
    expect(diagnostics.filter((diagnostic) => !THIRD_PARTY.test(diagnostic))).toEqual([]);
  }, 120_000);

  it('a Node program passes node:crypto’s CryptoKey where Keyway takes one', () => {
    const source = [
      "import { webcrypto } from 'node:crypto';",
      "import type { PrivateKeyInput } from '@keyway/core';",
      "import { encryptedStore, MemoryTokenStore } from '@keyway/token-store';",
      'declare const key: webcrypto.CryptoKey;',
      'encryptedStore(new MemoryTokenStore(), key);',
      'export const input: PrivateKeyInput = key;',
      '',
    ].join('\n');
    expect(compile('node-types.ts', source, { types: ['node'] })).toEqual([]);
  }, 120_000);

  // A Worker program: the Web globals come from the runtime's own types (@cloudflare/workers-types), not
  // from the DOM lib or @types/node. Every entry a worker resolves type-checks there with no gap at all.
  describe('types: ["@cloudflare/workers-types"] (a Worker program)', () => {
    it.each(agnosticEntries().map((entry) => entry.specifier))(
      '%s',
      (specifier) => {
        const diagnostics = check(specifier, ['@cloudflare/workers-types']);
        expect(diagnostics.filter((diagnostic) => !MSW_NEEDS_DOM.covers.test(diagnostic))).toEqual([]);
      },
      120_000,
    );
  });

  for (const [config, types] of Object.entries(CONFIGS) as [ConfigName, readonly string[]][]) {
    describe(config, () => {
      it.each(entries.map((entry) => entry.specifier))(
        '%s',
        (specifier) => {
          const diagnostics = check(specifier, types);
          const gap = KNOWN_GAPS[specifier]?.[config];
          if (gap) {
            expect(diagnostics.length, `the gap "${gap.reason}" is closed: remove it from KNOWN_GAPS`).toBeGreaterThan(
              0,
            );
            expect(diagnostics.filter((diagnostic) => !gap.covers.test(diagnostic))).toEqual([]);
          } else {
            expect(diagnostics).toEqual([]);
          }
        },
        120_000,
      );
    });
  }
});
