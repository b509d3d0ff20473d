// Every TypeScript block of every README and every TSDoc `@example` block, type-checked as a user's
// strict project would (each block its own module, `@keyway/*` from the built packages' exports), once
// with moduleResolution bundler and once with nodenext. One test per file that holds blocks.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEntries } from '../src/api.mjs';
import {
  allContexts,
  allSnippets,
  checkSnippets,
  type Finding,
  formatFindings,
  markdownContext,
  markdownSnippets,
  tsdocSnippets,
} from '../src/snippets.mjs';

const snippets = allSnippets();
const contexts = allContexts();
const sources = [...new Set(snippets.map((snippet) => snippet.source))];

let findings: Finding[] = [];
const check = () => findings;

describe('the extraction', () => {
  it('finds README blocks, their first code line, the nocheck flag and its reason', () => {
    const text = [
      '# x', //                           1
      '```ts', //                         2
      'const a = 1;', //                  3
      '```', //                           4
      '```sh', //                         5
      'echo not ts', //                   6
      '```', //                           7
      '<!-- nocheck: needs next -->', //  8
      '```typescript nocheck', //         9
      'import x from "next";', //         10
      '```', //                           11
      '- item', //                        12
      '  ```tsx', //                      13
      '  const b = <div />;', //          14
      '  ```', //                         15
    ].join('\n');
    expect(markdownSnippets(text, 'X.md')).toEqual([
      { source: 'X.md', line: 3, lang: 'ts', code: 'const a = 1;', nocheck: false, reason: undefined },
      {
        source: 'X.md',
        line: 10,
        lang: 'typescript',
        code: 'import x from "next";',
        nocheck: true,
        reason: '<!-- nocheck: needs next -->',
      },
      { source: 'X.md', line: 14, lang: 'tsx', code: 'const b = <div />;', nocheck: false, reason: undefined },
    ]);
  });

  it('finds the fenced blocks under @example tags only, with their line in the source file', () => {
    const text = [
      '/**', //                             1
      ' * Not an example:', //              2
      ' * ```ts', //                        3
      ' * ignored();', //                   4
      ' * ```', //                          5
      ' * @example', //                     6
      ' * ```ts', //                        7
      ' * const x: number = 1;', //         8
      ' * x.toFixed();', //                 9
      ' * ```', //                          10
      ' * @param a nothing', //             11
      ' * ```ts', //                        12
      ' * notAnExample();', //              13
      ' * ```', //                          14
      ' */', //                             15
    ].join('\n');
    expect(tsdocSnippets(text, 'a.ts')).toEqual([
      {
        source: 'a.ts',
        line: 8,
        lang: 'ts',
        code: 'const x: number = 1;\nx.toFixed();',
        nocheck: false,
        reason: undefined,
      },
    ]);
  });

  it('reads one hidden ts-context per Markdown file and refuses a second', () => {
    const one = ['# x', '<!-- ts-context', 'declare const env: { A: string };', '-->'].join('\n');
    expect(markdownContext(one, 'X.md')).toEqual({
      source: 'X.md',
      line: 3,
      code: 'declare const env: { A: string };',
    });
    expect(() => markdownContext(`${one}\n${one}`, 'X.md')).toThrow(/second ts-context/);
  });
});

describe('the check', () => {
  it('reports a wrong block at its file:line with tsc message, under both resolutions', () => {
    const [wrong] = markdownSnippets(
      ['# x', '```ts', "import { createVerifier } from '@keyway/edge';", 'createVerifier({ issuer: 1 });', '```'].join(
        '\n',
      ),
      'FAKE.md',
    );
    const found = [...checkSnippets([wrong!], 'bundler'), ...checkSnippets([wrong!], 'nodenext')];
    expect(found.map((f) => `${f.source}:${f.line} ${f.resolution}`)).toEqual([
      'FAKE.md:4 bundler',
      'FAKE.md:4 nodenext',
    ]);
    expect(found[0]?.message).toMatch(/^TS2322: Type 'number' is not assignable/);
    expect(formatFindings(found)).toEqual([`FAKE.md:4:${found[0]?.column} ${found[0]?.message}`]);
  });

  it('gives a context to the blocks of its file only, and a block may shadow it', () => {
    const text = [
      '<!-- ts-context',
      "declare const env: { ISSUER: string; KV: import('@keyway/token-store/kv').KvNamespaceLike };",
      '-->',
      '```ts',
      'const issuer: string = env.ISSUER;',
      'await env.KV.get("k", "text");',
      '```',
      '```ts',
      'const env = 1;',
      'env.toFixed();',
      '```',
    ].join('\n');
    const context = markdownContext(text, 'WITH.md');
    const [uses, shadows] = markdownSnippets(text, 'WITH.md');
    const [elsewhere] = markdownSnippets('```ts\nenv.ISSUER;\n```', 'WITHOUT.md');
    const found = checkSnippets([uses!, shadows!, elsewhere!], 'bundler', context ? [context] : []);
    expect(found.map((f) => `${f.source}:${f.line} ${f.message.slice(0, 6)}`)).toEqual(['WITHOUT.md:2 TS2304']);
  });
});

describe('README and TSDoc examples compile against the built packages', () => {
  it('the packages are built (their declaration files exist; `pnpm build` makes them)', () => {
    const missing = apiEntries().filter((entry) => !existsSync(entry.types));
    expect(missing.map((entry) => `${entry.specifier}: ${entry.types}`)).toEqual([]);
  });

  // Both passes at once: one program per resolution (and per README with a ts-context), shared parsing.
  beforeAll(() => {
    findings = [...checkSnippets(snippets, 'bundler', contexts), ...checkSnippets(snippets, 'nodenext', contexts)];
  }, 600_000);

  it('finds blocks in the READMEs and in the sources', () => {
    expect(sources).toContain('README.md');
    expect(sources.some((source) => source.startsWith('packages/core/src/'))).toBe(true);
    const optedOut = snippets.filter((snippet) => snippet.nocheck);
    console.log(
      `${snippets.length} blocks in ${sources.length} files; ${optedOut.length} opted out: ${optedOut.map((s) => `${s.source}:${s.line}`).join(', ') || 'none'}`,
    );
  });

  it('every opt-out says why (`<!-- nocheck: why -->` before the fence, or ```ts nocheck: why in TSDoc)', () => {
    const unexplained = snippets.filter((snippet) => snippet.nocheck && !snippet.reason);
    expect(unexplained.map((snippet) => `${snippet.source}:${snippet.line}`)).toEqual([]);
  });

  it.each(sources)('%s', (source) => {
    const mine = check().filter((finding) => finding.source === source);
    expect(formatFindings(mine)).toEqual([]);
  });

  it('the project itself has no error (options, a context that does not compile)', () => {
    const stray = check().filter((finding) => !sources.includes(finding.source));
    expect(formatFindings(stray)).toEqual([]);
  });
});
