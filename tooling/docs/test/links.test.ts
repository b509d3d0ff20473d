// Relative links of every Markdown file resolve inside the repository; the contributor docs link
// nowhere but the repository, standards and npm.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, linksLeaving, markdownFiles, markdownLinks } from '../src/links.mjs';
import { REPO_ROOT } from '../src/snippets.mjs';

/** Where the repository's own docs may link outside it: standards bodies and the npm registry. */
const STANDARDS_AND_NPM = [
  'www.rfc-editor.org',
  'datatracker.ietf.org',
  'openid.net',
  'www.w3.org',
  'www.npmjs.com',
  'docs.npmjs.com',
];

describe('reading links', () => {
  it('finds inline links, images, definitions and HTML attributes, not code', () => {
    const text = [
      'See [a](docs/a.md), ![logo](img/logo.png "Logo") and [b](<with space.md>).', // 1
      '`[not](code.md)` but [c](c.md#part)', //                                       2
      '```md', //                                                                       3
      '[fenced](fenced.md)', //                                                         4
      '```', //                                                                         5
      '[ref]: ../ref.md', //                                                            6
      '<a href="html.md">x</a> [ext](https://www.rfc-editor.org/rfc/rfc6749)', //       7
    ].join('\n');
    expect(markdownLinks(text)).toEqual([
      { target: 'docs/a.md', line: 1 },
      { target: 'img/logo.png', line: 1 },
      { target: 'with space.md', line: 1 },
      { target: 'c.md#part', line: 2 },
      { target: '../ref.md', line: 6 },
      { target: 'https://www.rfc-editor.org/rfc/rfc6749', line: 7 },
      { target: 'html.md', line: 7 },
    ]);
  });

  const root = mkdtempSync(join(tmpdir(), 'keyway-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports a missing file and a link out of the repository (../shared), not a good one', () => {
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'a.md'), '# a\n');
    writeFileSync(
      join(root, 'README.md'),
      [
        '[ok](docs/a.md#top) [dir](docs) [root](/docs/a.md) [anchor](#x) [web](https://example.com/x.md)',
        '[gone](docs/missing.md)',
        '[design](../shared/DESIGN.md)',
      ].join('\n'),
    );
    expect(brokenLinks('README.md', root)).toEqual([
      'README.md:2 docs/missing.md: no such file in the repository',
      'README.md:3 ../shared/DESIGN.md: points outside the repository',
    ]);
    expect(linksLeaving('README.md', STANDARDS_AND_NPM, root)).toEqual(['README.md:1 https://example.com/x.md']);
  });
});

describe("the repository's Markdown", () => {
  const files = markdownFiles();

  it('includes the contributor docs', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/architecture.md']));
  });

  it.each(files)('%s: every relative link resolves to a file of the repository', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(['CONTRIBUTING.md', ...files.filter((file) => file.startsWith('docs/'))])(
    '%s links nowhere outside the repository but standards and npm',
    (file) => {
      expect(linksLeaving(file, STANDARDS_AND_NPM)).toEqual([]);
    },
  );

  it('the root README links CONTRIBUTING.md and docs/architecture.md', () => {
    const targets = markdownLinks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).map((link) => link.target);
    expect(targets).toEqual(expect.arrayContaining(['CONTRIBUTING.md', 'docs/architecture.md']));
  });
});
