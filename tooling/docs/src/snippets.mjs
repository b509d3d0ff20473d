// @ts-check
// Finds the TypeScript a user reads (README code blocks, TSDoc `@example` blocks) and type-checks it as a
// user's project would: strict, each block its own module, `@keyway/*` resolved through node_modules to
// the built packages' `exports` (their dist/*.d.ts), never to their sources.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The monorepo's root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** tooling/docs: snippets are checked as files of this package, so they resolve its node_modules. */
export const DOCS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TS_LANGS = new Set(['ts', 'typescript', 'tsx']);
/** The fence flag that opts a block out of the check; the line before the fence must say why. */
export const NOCHECK = 'nocheck';
const NOCHECK_REASON = /^\s*<!--\s*nocheck:\s*\S[\s\S]*-->\s*$/;

/**
 * @typedef {object} Snippet
 * @property {string} source   repo-relative path of the file the block is in
 * @property {number} line     1-based line (in `source`) of the block's first code line
 * @property {string} lang     `ts`, `typescript` or `tsx`
 * @property {string} code
 * @property {boolean} nocheck  opted out with ```ts nocheck
 * @property {string | undefined} reason  the `<!-- nocheck: why -->` comment before the fence, if any
 */

/**
 * The README.md files a user reads: the root's and those of packages/*, examples/* and tooling/*.
 * @param {string} [root]
 * @returns {string[]} repo-relative paths
 */
export function readmeFiles(root = REPO_ROOT) {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  for (const group of ['packages', 'examples', 'tooling']) {
    const base = join(root, group);
    if (!existsSync(base)) {
      continue;
    }
    for (const dir of readdirSync(base).sort()) {
      if (existsSync(join(base, dir, 'README.md'))) {
        files.push(`${group}/${dir}/README.md`);
      }
    }
  }
  return files;
}

/**
 * Fenced TypeScript blocks of a Markdown text (``` or ~~~ fences, indented ones inside lists too).
 * @param {string} text
 * @param {string} source
 * @returns {Snippet[]}
 */
export function markdownSnippets(text, source) {
  const lines = text.split('\n');
  /** @type {Snippet[]} */
  const snippets = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(lines[i] ?? '');
    if (!open) {
      continue;
    }
    const [, indent = '', fence = '', lang = '', rest = ''] = open;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end] ?? '')) {
      end += 1;
    }
    if (TS_LANGS.has(lang.toLowerCase())) {
      const flags = rest.trim().split(/\s+/).filter(Boolean);
      const body = lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
      const previous = lines[i - 1] ?? '';
      snippets.push({
        source,
        line: i + 2,
        lang: lang.toLowerCase(),
        code: body.join('\n'),
        nocheck: flags.includes(NOCHECK),
        reason: NOCHECK_REASON.test(previous) ? previous.trim() : undefined,
      });
    }
    i = end;
  }
  return snippets;
}

/**
 * Fenced TypeScript blocks under the `@example` tags of a source file's doc comments.
 * @param {string} text
 * @param {string} source
 * @returns {Snippet[]}
 */
export function tsdocSnippets(text, source) {
  /** @type {Snippet[]} */
  const snippets = [];
  const comment = /\/\*\*[\s\S]*?\*\//g;
  for (let match = comment.exec(text); match; match = comment.exec(text)) {
    const firstLine = text.slice(0, match.index).split('\n').length;
    // Each comment line without its leading ` * `.
    const lines = match[0].split('\n').map((line) => line.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''));
    let inExample = false;
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i] ?? '';
      if (/^@\w+/.test(line)) {
        inExample = line.startsWith('@example');
        continue;
      }
      const open = /^(`{3,})\s*(\S*)(.*)$/.exec(line);
      if (!inExample || !open) {
        continue;
      }
      const [, fence = '', lang = '', rest = ''] = open;
      let end = i + 1;
      while (end < lines.length && !(lines[end] ?? '').trimEnd().startsWith(fence)) {
        end += 1;
      }
      if (TS_LANGS.has(lang.toLowerCase())) {
        const flags = rest.trim().split(/\s+/).filter(Boolean);
        snippets.push({
          source,
          line: firstLine + i + 1,
          lang: lang.toLowerCase(),
          code: lines.slice(i + 1, end).join('\n'),
          nocheck: flags.includes(NOCHECK),
          // In a doc comment the reason goes on the fence line itself: ```ts nocheck: why
          reason: flags.includes(NOCHECK) && flags.length > 1 ? rest.trim() : undefined,
        });
      }
      i = end;
    }
  }
  return snippets;
}

/**
 * The source files of the published packages (packages/*\/src, no tests, no generated code).
 * @param {string} [root]
 * @returns {string[]} repo-relative paths
 */
export function packageSourceFiles(root = REPO_ROOT) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'generated' && entry !== '__snapshots__' && entry !== 'node_modules') {
          walk(path);
        }
      } else if (
        /\.(ts|tsx|mts)$/.test(entry) &&
        !/\.(test|test-d|bench)\.tsx?$/.test(entry) &&
        !entry.endsWith('.d.ts')
      ) {
        files.push(relative(root, path).split(sep).join('/'));
      }
    }
  };
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const src = join(root, 'packages', pkg, 'src');
    if (existsSync(src)) {
      walk(src);
    }
  }
  return files;
}

/**
 * Every snippet the docs hold: README blocks, then TSDoc examples.
 * @param {string} [root]
 * @returns {Snippet[]}
 */
export function allSnippets(root = REPO_ROOT) {
  return [
    ...readmeFiles(root).flatMap((file) => markdownSnippets(readFileSync(join(root, file), 'utf8'), file)),
    ...packageSourceFiles(root).flatMap((file) => tsdocSnippets(readFileSync(join(root, file), 'utf8'), file)),
  ];
}

/**
 * The ts-context comments of the README files.
 * @param {string} [root]
 * @returns {Context[]}
 */
export function allContexts(root = REPO_ROOT) {
  return readmeFiles(root).flatMap((file) => markdownContext(readFileSync(join(root, file), 'utf8'), file) ?? []);
}

/** @typedef {'bundler' | 'nodenext'} Resolution */

/**
 * A strict user project's options.
 * @param {Resolution} resolution
 * @returns {ts.CompilerOptions}
 */
export function userCompilerOptions(resolution) {
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    module: resolution === 'bundler' ? ts.ModuleKind.ESNext : ts.ModuleKind.NodeNext,
    moduleResolution: resolution === 'bundler' ? ts.ModuleResolutionKind.Bundler : ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    jsx: ts.JsxEmit.Preserve,
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
  };
}

/**
 * @typedef {object} Finding
 * @property {string} source  repo-relative file of the block
 * @property {number} line    line in that file
 * @property {number} column
 * @property {string} message `TS<code>: <tsc's message>`
 * @property {Resolution} resolution
 */

/**
 * The `<!-- ts-context … -->` comment of a Markdown file: declarations (never shown on the rendered page)
 * that every TypeScript block of that file may use as globals, e.g.
 * `declare const env: { CACHE: import('@keyway/token-store/kv').KvNamespaceLike };`. A block's own
 * declaration of the same name shadows it. At most one per file.
 * @param {string} text
 * @param {string} source
 * @returns {Context | undefined}
 */
export function markdownContext(text, source) {
  const lines = text.split('\n');
  /** @type {Context | undefined} */
  let found;
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^<!--\s*ts-context\s*$/.test((lines[i] ?? '').trim())) {
      continue;
    }
    if (found) {
      throw new Error(`${source}:${i + 1}: a second ts-context comment (one per file)`);
    }
    let end = i + 1;
    while (end < lines.length && (lines[end] ?? '').trim() !== '-->') {
      end += 1;
    }
    found = { source, line: i + 2, code: lines.slice(i + 1, end).join('\n') };
  }
  return found;
}

/**
 * @typedef {object} Context
 * @property {string} source
 * @property {number} line  1-based line of the context's first declaration
 * @property {string} code
 */

/** Library and package declaration files parsed once and shared by every program of a run. */
const parsedFiles = new Map();

/**
 * Type-checks each snippet as its own module of a project in tooling/docs (so `@keyway/*` and the other
 * imports resolve through tooling/docs/node_modules as in a user's project). Opted-out blocks are skipped.
 * The snippets of a file with a context are checked in a program of their own, with that context as a
 * global declaration file.
 * @param {Snippet[]} snippets
 * @param {Resolution} resolution
 * @param {Context[]} [contexts]
 * @param {string} [baseDir]  where the virtual files live (default: tooling/docs/.snippets)
 * @returns {Finding[]}
 */
export function checkSnippets(snippets, resolution, contexts = [], baseDir = join(DOCS_DIR, '.snippets')) {
  const bySource = new Map(contexts.map((context) => [context.source, context]));
  /** @type {Map<string, Snippet[]>} */
  const groups = new Map();
  for (const snippet of snippets) {
    if (!snippet.nocheck) {
      const group = bySource.has(snippet.source) ? snippet.source : '';
      groups.set(group, [...(groups.get(group) ?? []), snippet]);
    }
  }
  return [...groups].flatMap(([source, group]) => checkGroup(group, bySource.get(source), resolution, baseDir));
}

/**
 * @param {Snippet[]} snippets
 * @param {Context | undefined} context
 * @param {Resolution} resolution
 * @param {string} baseDir
 * @returns {Finding[]}
 */
function checkGroup(snippets, context, resolution, baseDir) {
  const options = userCompilerOptions(resolution);
  /** @type {Map<string, Snippet | Context>} */
  const virtual = new Map();
  for (const snippet of snippets) {
    const name = `${snippet.source.replace(/[^\w.-]+/g, '_')}_L${snippet.line}.${snippet.lang === 'tsx' ? 'tsx' : 'ts'}`;
    virtual.set(join(baseDir, name), snippet);
  }
  if (context) {
    virtual.set(join(baseDir, `${context.source.replace(/[^\w.-]+/g, '_')}_context.d.ts`), context);
  }
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => virtual.has(resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(resolve(file))?.code ?? readFile.call(host, file);
  // Type libraries (`types: ['node']`) are looked up from here, as from a user's project directory.
  host.getCurrentDirectory = () => DOCS_DIR;
  host.directoryExists = (dir) => resolve(dir) === baseDir || ts.sys.directoryExists(dir);
  host.getSourceFile = (file, language, onError, create) => {
    const entry = virtual.get(resolve(file));
    if (entry) {
      return ts.createSourceFile(file, entry.code, language, true);
    }
    const key = `${file}|${JSON.stringify(language)}`;
    if (!parsedFiles.has(key)) {
      parsedFiles.set(key, getSourceFile.call(host, file, language, onError, create));
    }
    return parsedFiles.get(key);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  /** @type {Finding[]} */
  const findings = [];
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const file of virtual.keys()) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile) {
      diagnostics.push(...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile));
    }
  }
  for (const diagnostic of diagnostics) {
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    const entry = diagnostic.file ? virtual.get(resolve(diagnostic.file.fileName)) : undefined;
    if (!diagnostic.file || !entry || diagnostic.start === undefined) {
      findings.push({ source: diagnostic.file?.fileName ?? '(project)', line: 0, column: 0, message, resolution });
      continue;
    }
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    findings.push({ source: entry.source, line: entry.line + at.line, column: at.character + 1, message, resolution });
  }
  return findings;
}

/**
 * `file:line:column message` lines, one per finding; a finding both passes share is printed once.
 * @param {Finding[]} findings
 * @returns {string[]}
 */
export function formatFindings(findings) {
  /** @type {Map<string, Resolution[]>} */
  const seen = new Map();
  for (const finding of findings) {
    const key = `${finding.source}:${finding.line}:${finding.column} ${finding.message}`;
    seen.set(key, [...(seen.get(key) ?? []), finding.resolution]);
  }
  return [...seen].map(([key, passes]) => (passes.length === 2 ? key : `${key} [moduleResolution ${passes[0]}]`));
}
