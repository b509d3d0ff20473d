#!/usr/bin/env node
// @ts-check
// keyway-release: checks release tags against the packages and publishes one package per tag.
// It builds nothing: CI runs `pnpm build` first, and `publish` refuses a package whose `files` are missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPackages, REPO_ROOT } from './packages.mjs';
import { parseReleaseTag, ReleaseTagError, releaseTagOf } from './tags.mjs';

export const USAGE = `Usage:
  keyway-release tag-check <tag>                               is <tag> a release? prints {package, version, distTag}
  keyway-release publish <tag> --registry <url> [--dry-run]    pnpm publish the tag's package under its dist-tag
  keyway-release tags [--untagged] [--json]                    the tag of each package's current version

Options:
  --root <dir>   the monorepo (default: the one holding this script)
  --untagged     only tags that git does not have yet

Exit codes: 0 ok; 1 refused tag or failure; 2 ignored tag (not <package>/v<version>); 64 usage.
A tag may be given as a ref (refs/tags/core/v1.0.0).`;

/**
 * @typedef {object} Io
 * @property {(line: string) => void} out
 * @property {(line: string) => void} err
 * @property {(cmd: string, args: string[], cwd: string) => Promise<number>} run  runs a command, inheriting stdio
 */

/** @type {Io} */
const processIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  run: (cmd, args, cwd) =>
    new Promise((resolveExit, reject) => {
      const child = spawn(cmd, args, { cwd, stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
    }),
};

/**
 * @param {string[]} argv  arguments after the script
 * @param {Io} [io]
 * @returns {Promise<number>} the exit code
 */
export async function main(argv, io = processIo) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        registry: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        root: { type: 'string' },
        untagged: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage(io, /** @type {Error} */ (error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const root = values.root ? resolve(values.root) : REPO_ROOT;

  if (command === 'tags') {
    return rest.length > 0 ? usage(io, 'tags takes no arguments') : tags(root, values, io);
  }
  if (command !== 'tag-check' && command !== 'publish') {
    return usage(io, command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  }
  if (rest.length !== 1 || rest[0] === undefined) {
    return usage(io, `${command} takes exactly one tag`);
  }
  const checked = check(rest[0], root, io);
  if (typeof checked === 'number') {
    return checked;
  }
  if (command === 'tag-check') {
    io.out(JSON.stringify(summary(checked)));
    return 0;
  }
  return publish(checked, values.registry, values['dry-run'] ?? false, io);
}

/**
 * @param {string} raw
 * @param {string} root
 * @param {Io} io
 * @returns {import('./tags.mjs').ReleaseTag | number}
 */
function check(raw, root, io) {
  const tag = raw.startsWith('refs/tags/') ? raw.slice('refs/tags/'.length) : raw;
  try {
    const result = parseReleaseTag(tag, loadPackages(root));
    if ('ignored' in result) {
      io.err(`ignored: ${result.reason}`);
      return 2;
    }
    return result;
  } catch (error) {
    if (error instanceof ReleaseTagError) {
      io.err(`refused [${error.code}]: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * @param {import('./tags.mjs').ReleaseTag} release
 * @param {string | undefined} registry
 * @param {boolean} dryRun
 * @param {Io} io
 */
async function publish(release, registry, dryRun, io) {
  if (!registry) {
    return usage(io, 'publish needs --registry <url> (e.g. https://registry.npmjs.org/)');
  }
  if (!URL.canParse(registry) || !/^https?:$/.test(new URL(registry).protocol)) {
    return usage(io, `--registry ${JSON.stringify(registry)} is not an http(s) URL`);
  }
  const dir = /** @type {string} */ (release.package.dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  /** @type {string[]} */
  const files = Array.isArray(manifest.files) ? manifest.files : [];
  const missing = files.filter((file) => !/[*?]/.test(file) && !existsSync(join(dir, file)));
  if (missing.length > 0) {
    io.err(`${release.package.name}: missing ${missing.join(', ')}: run \`pnpm build\` first (publish builds nothing)`);
    return 1;
  }
  io.err(
    `${dryRun ? '[dry run] ' : ''}publishing ${release.package.name}@${release.version} under "${release.distTag}" to ${registry}`,
  );
  const args = ['publish', '--no-git-checks', '--tag', release.distTag, '--registry', registry];
  if (dryRun) {
    args.push('--dry-run');
  }
  const code = await io.run('pnpm', args, dir);
  if (code !== 0) {
    io.err(`pnpm publish exited with ${code}`);
    return 1;
  }
  io.out(JSON.stringify({ ...summary(release), registry, dryRun }));
  return 0;
}

/**
 * @param {string} root
 * @param {{ untagged?: boolean, json?: boolean }} options
 * @param {Io} io
 */
function tags(root, options, io) {
  const existing = options.untagged ? gitTags(root) : new Set();
  const releases = [];
  for (const pkg of loadPackages(root)) {
    const tag = releaseTagOf(pkg);
    if (existing.has(tag)) {
      continue;
    }
    try {
      const release = parseReleaseTag(tag, [pkg]);
      if ('ignored' in release) {
        throw new Error(`${tag} was not recognised as a release tag`);
      }
      releases.push(release);
    } catch (error) {
      if (error instanceof ReleaseTagError) {
        io.err(`refused [${error.code}]: ${error.message}`);
        return 1;
      }
      throw error;
    }
  }
  if (options.json) {
    io.out(JSON.stringify(releases.map(summary), null, 2));
  } else {
    for (const release of releases) {
      io.out(release.tag);
    }
  }
  return 0;
}

/** @param {string} root */
function gitTags(root) {
  const out = execFileSync('git', ['tag', '--list'], { cwd: root, encoding: 'utf8' });
  return new Set(out.split('\n').filter(Boolean));
}

/** @param {import('./tags.mjs').ReleaseTag} release */
function summary(release) {
  return {
    tag: release.tag,
    package: release.package.name,
    shortName: release.shortName,
    version: release.version,
    distTag: release.distTag,
    dir: release.package.dir,
  };
}

/**
 * @param {Io} io
 * @param {string} message
 */
function usage(io, message) {
  io.err(`${message}\n\n${USAGE}`);
  return 64;
}

const invoked = process.argv[1] ? realpathSync(process.argv[1]) : undefined;
if (invoked === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`keyway-release: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
      process.exitCode = 1;
    },
  );
}
