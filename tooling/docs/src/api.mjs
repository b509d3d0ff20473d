#!/usr/bin/env node
// @ts-check
// The API reference: typedoc over every public entry of every published package, as listed in each
// package.json `exports`, with warnings treated as errors. `@keyway/*` imports are mapped to the
// packages' sources, so a type of core used by edge links to core's page instead of a copy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Application, Converter, OptionDefaults, ReflectionKind } from 'typedoc';
import { DOCS_DIR, REPO_ROOT } from './snippets.mjs';

/** Where the HTML goes (ignored by git). */
export const API_OUT = join(DOCS_DIR, 'api');

/**
 * @typedef {object} ApiEntry
 * @property {string} specifier  what users import, e.g. `@keyway/token-store/file`
 * @property {string} source     absolute path of the entry's source file
 * @property {string} types      absolute path of its built declarations (what users' compilers read)
 */

/**
 * The public entries: each `exports` key of each published package (not `./package.json`), mapped from
 * its `dist/<name>.d.ts` to `src/<name>.ts` (the build's entry names match the exports).
 * @param {string} [root]
 * @returns {ApiEntry[]}
 */
export function apiEntries(root = REPO_ROOT) {
  /** @type {ApiEntry[]} */
  const entries = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifestPath)) {
      continue;
    }
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) {
      continue;
    }
    for (const [key, value] of Object.entries(manifest.exports ?? {})) {
      if (key === './package.json') {
        continue;
      }
      const types = typeof value === 'string' ? value : value?.types;
      const name = typeof types === 'string' ? /^\.\/dist\/(.+)\.d\.ts$/.exec(types)?.[1] : undefined;
      if (!name) {
        throw new Error(`${manifest.name}: exports["${key}"] has no ./dist/<name>.d.ts types to map to a source`);
      }
      const source = join(root, 'packages', dir, 'src', `${name}.ts`);
      if (!existsSync(source)) {
        throw new Error(
          `${manifest.name}: exports["${key}"] types ${types}, but ${relative(root, source)} does not exist`,
        );
      }
      entries.push({
        specifier: key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`,
        source,
        types: join(root, 'packages', dir, types),
      });
    }
  }
  return entries;
}

/** The repository's web address, from a published package's `repository` field. */
function repositoryUrl() {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'core', 'package.json'), 'utf8'));
  const url = String(manifest.repository?.url ?? manifest.repository ?? '');
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/**
 * Builds the reference. Resolves to the warnings and errors typedoc logged (empty on success).
 * @param {{ out?: string, entries?: ApiEntry[], tsconfig?: string }} [options]
 * @returns {Promise<string[]>}
 */
export async function buildApi({
  out = API_OUT,
  entries = apiEntries(),
  tsconfig = join(DOCS_DIR, 'tsconfig.api.json'),
} = {}) {
  /** @type {string[]} */
  const problems = [];
  const paths = Object.fromEntries(entries.map((entry) => [entry.specifier, [entry.source]]));
  const app = await Application.bootstrapWithPlugins({
    name: 'Keyway API reference',
    entryPoints: entries.map((entry) => entry.source),
    entryPointStrategy: 'resolve',
    tsconfig,
    compilerOptions: { paths, baseUrl: REPO_ROOT },
    out,
    readme: 'none',
    treatWarningsAsErrors: true,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    // openapi-typescript writes the spec's `description` and `const` as JSDoc tags in the generated types.
    blockTags: [...OptionDefaults.blockTags, '@description', '@constant'],
    // Source links from the repository field, not from a git remote (a CI checkout may have none).
    disableGit: true,
    displayBasePath: REPO_ROOT,
    // Type errors are the typecheck step's business; typedoc only documents.
    skipErrorChecking: true,
    sourceLinkTemplate: `${repositoryUrl()}/blob/main/{path}#L{line}`,
    githubPages: false,
    hideGenerator: true,
    validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: false },
    logLevel: 'Warn',
  });
  // Collect what typedoc reports instead of only printing it.
  const { logger } = app;
  const log = logger.log.bind(logger);
  logger.log = (message, level) => {
    if (level >= 2) {
      problems.push(String(message));
    }
    log(message, level);
  };
  // Name each entry's module after its import specifier (`@keyway/token-store/file`), not its file path.
  const bySource = new Map(entries.map((entry) => [resolve(entry.source), entry.specifier]));
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const module = /** @type {import('typedoc').DeclarationReflection} */ (reflection);
      const file = module.sources?.[0]?.fullFileName;
      const specifier = file ? bySource.get(resolve(file)) : undefined;
      if (specifier) {
        module.name = specifier;
      }
    }
  });
  const project = await app.convert();
  if (!project) {
    return problems.length > 0 ? problems : ['typedoc could not convert the project'];
  }
  app.validate(project);
  if (problems.length === 0) {
    await app.generateDocs(project, out);
  }
  return problems;
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : undefined;
if (invoked === resolve(DOCS_DIR, 'src', 'api.mjs')) {
  const problems = await buildApi();
  if (problems.length > 0) {
    process.stderr.write(`${problems.length} typedoc warning(s)/error(s); nothing written\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`API reference written to ${relative(process.cwd(), API_OUT)}/index.html\n`);
  }
}
