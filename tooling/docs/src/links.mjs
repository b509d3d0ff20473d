// @ts-check
// The links of the repository's Markdown files: a relative link must name a file or directory of the
// repository (nothing outside it, such as a sibling `../shared` checkout a reader does not have).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from './snippets.mjs';

/** Directories that hold no documentation of the repository (dependencies, build output, caches). */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', '.turbo', '.test-results', 'coverage', '.tmp']);
/** Generated output that is not committed (the API reference). */
const SKIPPED_PATHS = new Set(['tooling/docs/api']);

/**
 * Every Markdown file of the repository, as repo-relative paths.
 * @param {string} [root]
 * @returns {string[]}
 */
export function markdownFiles(root = REPO_ROOT) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const rel = relative(root, path).split(sep).join('/');
      if (statSync(path).isDirectory()) {
        if (!SKIPPED_DIRS.has(entry) && !SKIPPED_PATHS.has(rel) && !entry.startsWith('.dtsprobe')) {
          walk(path);
        }
      } else if (entry.endsWith('.md')) {
        files.push(rel);
      }
    }
  };
  walk(root);
  return files;
}

/**
 * @typedef {object} Link
 * @property {string} target  as written
 * @property {number} line
 */

/**
 * The link targets of a Markdown text: inline links and images `[text](target "title")`, reference
 * definitions `[label]: target`, and `href`/`src` attributes of inline HTML. Code (fenced blocks and
 * inline code spans) is not read.
 * @param {string} text
 * @returns {Link[]}
 */
export function markdownLinks(text) {
  /** @type {Link[]} */
  const links = [];
  let fence = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? '' : marker;
      continue;
    }
    if (fence) {
      continue;
    }
    const line = raw.replace(/(`+)[^`]*?\1/g, '');
    for (const match of line.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+(?:\([^\s)]*\)[^\s)]*)*)(?:\s+["'(][^)]*)?\)/g)) {
      links.push({ target: (match[1] ?? '').replace(/^<|>$/g, ''), line: i + 1 });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition) {
      links.push({ target: (definition[1] ?? '').replace(/^<|>$/g, ''), line: i + 1 });
    }
    for (const match of line.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) {
      links.push({ target: match[1] ?? '', line: i + 1 });
    }
  }
  return links;
}

/** @param {string} target */
export function isExternal(target) {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The broken relative links of a Markdown file: `file:line target: why`.
 * @param {string} file  repo-relative
 * @param {string} [root]
 * @returns {string[]}
 */
export function brokenLinks(file, root = REPO_ROOT) {
  /** @type {string[]} */
  const broken = [];
  const dir = resolve(root, file, '..');
  for (const { target, line } of markdownLinks(readFileSync(join(root, file), 'utf8'))) {
    if (isExternal(target) || target.startsWith('#') || target === '') {
      continue;
    }
    let path = target.replace(/[#?].*$/, '');
    try {
      path = decodeURIComponent(path);
    } catch {
      broken.push(`${file}:${line} ${target}: not a valid URL path`);
      continue;
    }
    const resolved = path.startsWith('/') ? join(root, path) : resolve(dir, path);
    const inside = relative(root, resolved);
    if (inside.startsWith('..') || resolve(root, inside) !== resolved) {
      broken.push(`${file}:${line} ${target}: points outside the repository`);
    } else if (!existsSync(resolved)) {
      broken.push(`${file}:${line} ${target}: no such file in the repository`);
    }
  }
  return broken;
}

/**
 * The absolute links of a file that go to a host other than the allowed ones.
 * @param {string} file  repo-relative
 * @param {readonly string[]} hosts  allowed host names
 * @param {string} [root]
 * @returns {string[]}
 */
export function linksLeaving(file, hosts, root = REPO_ROOT) {
  return markdownLinks(readFileSync(join(root, file), 'utf8'))
    .filter(({ target }) => isExternal(target))
    .filter(({ target }) => !URL.canParse(target) || !hosts.includes(new URL(target).hostname))
    .map(({ target, line }) => `${file}:${line} ${target}`);
}
