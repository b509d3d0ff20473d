// @ts-check
// Release tags: `<short-name>/v<version>`, e.g. `core/v1.4.0`, `edge/v0.3.0-beta.1`.
//
// A tag is one of three things:
// - a release: its prefix is a package's short name, `v`, and exactly that package's package.json version;
// - refused (a ReleaseTagError): it looks like a release tag but cannot be one. Either its prefix, or its
//   first path segment, is a package's short name (`core/1.0.0`, `core/x/v1.0.0`), or its last segment
//   starts with `v` and a digit (`Core/v1.0.0`, `../core/v1.0.0`, `cor/v1.0.0`). A typo must fail the
//   release loudly rather than be skipped;
// - ignored: anything else (`v1.0.0`, `docs/update`, `nightly`), so other tags can live in the repo.
//
// The dist-tag is `latest` for a release and the prerelease's first identifier otherwise
// (`1.0.0-beta.1` -> `beta`, `1.0.0-rc.0` -> `rc`). A prerelease whose first identifier does not
// start with a letter (`1.0.0-0`, `1.0.0-1.beta`) is refused rather than published under a made-up
// `next`: it names no channel, and npm refuses dist-tags that parse as semver ranges. So are `latest`
// (a prerelease must never become what `npm install` picks) and `x`/`X` (semver wildcards).

/** Tags longer than this are refused or ignored without being parsed further. */
export const MAX_TAG_LENGTH = 256;

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name      npm name, e.g. `@keyway/core`
 * @property {string} version   package.json version
 * @property {string} [dir]     absolute directory
 */

/**
 * @typedef {object} ReleaseTag
 * @property {string} tag
 * @property {WorkspacePackage} package
 * @property {string} shortName  e.g. `core`
 * @property {string} version
 * @property {string} distTag    `latest` or the prerelease identifier
 */

/** @typedef {{ ignored: true, tag: string, reason: string }} IgnoredTag */

/**
 * @typedef {'INVALID_TAG' | 'UNKNOWN_PACKAGE' | 'MISSING_V' | 'INVALID_VERSION' | 'VERSION_MISMATCH'
 *   | 'UNNAMED_PRERELEASE' | 'RESERVED_DIST_TAG'} ReleaseTagErrorCode
 */

const SCOPE = '@keyway/';

/** A tag that looks like a release tag but is not a valid one. */
export class ReleaseTagError extends Error {
  /**
   * @param {ReleaseTagErrorCode} code
   * @param {string} tag
   * @param {string} message
   */
  constructor(code, tag, message) {
    super(`${show(tag)}: ${message}`);
    this.name = 'ReleaseTagError';
    /** @type {ReleaseTagErrorCode} */
    this.code = code;
    this.tag = tag;
  }
}

/**
 * The short name of a package: its name without `@keyway/`; undefined for other names.
 * @param {string} name
 * @returns {string | undefined}
 */
export function shortName(name) {
  return name.startsWith(SCOPE) && name.length > SCOPE.length ? name.slice(SCOPE.length) : undefined;
}

/**
 * The tag a package's current version gets.
 * @param {WorkspacePackage} pkg
 * @returns {string}
 */
export function releaseTagOf(pkg) {
  const short = shortName(pkg.name);
  if (!short) {
    throw new Error(`${pkg.name} is not a ${SCOPE} package`);
  }
  return `${short}/v${pkg.version}`;
}

/**
 * Classifies a git tag against the workspace's packages.
 *
 * @param {string} tag
 * @param {readonly WorkspacePackage[]} packages
 * @returns {ReleaseTag | IgnoredTag}
 * @throws {ReleaseTagError} for a tag that looks like a release tag but is not a valid one
 * @example
 * parseReleaseTag('edge/v0.3.0-beta.1', [{ name: '@keyway/edge', version: '0.3.0-beta.1' }]);
 * // { package, shortName: 'edge', version: '0.3.0-beta.1', distTag: 'beta', tag }
 */
export function parseReleaseTag(tag, packages) {
  if (typeof tag !== 'string') {
    throw new TypeError(`A tag is a string, got ${typeof tag}`);
  }
  /** @type {Map<string, WorkspacePackage>} */
  const byShortName = new Map();
  for (const pkg of packages) {
    const short = shortName(pkg.name);
    if (short) {
      byShortName.set(short, pkg);
    }
  }

  const firstSlash = tag.indexOf('/');
  const lastSlash = tag.lastIndexOf('/');
  const firstSegment = firstSlash < 0 ? tag : tag.slice(0, firstSlash);
  const prefix = lastSlash < 0 ? undefined : tag.slice(0, lastSlash);
  const rest = lastSlash < 0 ? tag : tag.slice(lastSlash + 1);
  const pkg = prefix === undefined ? undefined : byShortName.get(prefix);
  const looksVersioned = /^v[0-9]/.test(rest);

  if (!pkg) {
    if (lastSlash < 0 || !(looksVersioned || byShortName.has(firstSegment))) {
      return { ignored: true, tag, reason: `${show(tag)} is not a <package>/v<version> tag` };
    }
    const near = prefix === undefined ? undefined : nearest(prefix, byShortName);
    throw new ReleaseTagError(
      'UNKNOWN_PACKAGE',
      tag,
      `${show(prefix ?? '')} names no package (known: ${[...byShortName.keys()].sort().join(', ')})` +
        (near ? `; did you mean ${near}/…?` : ''),
    );
  }
  if (tag.length > MAX_TAG_LENGTH) {
    throw new ReleaseTagError('INVALID_TAG', tag, `longer than ${MAX_TAG_LENGTH} characters`);
  }
  if (!rest.startsWith('v')) {
    throw new ReleaseTagError('MISSING_V', tag, `expected ${prefix}/v<version>, e.g. ${prefix}/v${pkg.version}`);
  }
  const version = rest.slice(1);
  const parsed = parseSemver(version);
  if (!parsed) {
    throw new ReleaseTagError('INVALID_VERSION', tag, `${show(version)} is not a semver version (x.y.z[-pre][+build])`);
  }
  if (version !== pkg.version) {
    throw new ReleaseTagError(
      'VERSION_MISMATCH',
      tag,
      `${pkg.name} is at ${show(pkg.version)} in its package.json, not ${show(version)}`,
    );
  }
  return { tag, package: pkg, shortName: /** @type {string} */ (prefix), version, distTag: distTagOf(tag, parsed) };
}

/**
 * @param {string} tag
 * @param {{ prerelease: string[] }} parsed
 * @returns {string}
 */
function distTagOf(tag, parsed) {
  const [id] = parsed.prerelease;
  if (id === undefined) {
    return 'latest';
  }
  if (!/^[A-Za-z]/.test(id)) {
    throw new ReleaseTagError(
      'UNNAMED_PRERELEASE',
      tag,
      `the prerelease ${show(id)} names no channel: use a named one (\`changeset pre enter beta\` -> x.y.z-beta.N)`,
    );
  }
  if (id === 'latest' || id === 'x' || id === 'X') {
    throw new ReleaseTagError('RESERVED_DIST_TAG', tag, `a prerelease cannot be published under the dist-tag ${id}`);
  }
  return id;
}

const NUMERIC = /^(?:0|[1-9][0-9]*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/**
 * Strict semver 2.0.0 (no `v`, no leading zeros, no whitespace), without backtracking regexes.
 * @param {string} version
 * @returns {{ major: number, minor: number, patch: number, prerelease: string[], build: string[] } | undefined}
 */
export function parseSemver(version) {
  if (version.length === 0 || version.length > MAX_TAG_LENGTH) {
    return undefined;
  }
  const plus = version.indexOf('+');
  const main = plus < 0 ? version : version.slice(0, plus);
  const build = plus < 0 ? [] : version.slice(plus + 1).split('.');
  const dash = main.indexOf('-');
  const core = (dash < 0 ? main : main.slice(0, dash)).split('.');
  const prerelease = dash < 0 ? [] : main.slice(dash + 1).split('.');
  if (core.length !== 3 || !core.every((part) => NUMERIC.test(part) && Number.isSafeInteger(Number(part)))) {
    return undefined;
  }
  if (!prerelease.every((id) => IDENTIFIER.test(id) && (!/^[0-9]+$/.test(id) || NUMERIC.test(id)))) {
    return undefined;
  }
  if (!build.every((id) => IDENTIFIER.test(id))) {
    return undefined;
  }
  const [major, minor, patch] = core.map(Number);
  return { major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0, prerelease, build };
}

/**
 * A known short name that differs from `prefix` only in case or surrounding path, for the error message.
 * @param {string} prefix
 * @param {Map<string, unknown>} known
 */
function nearest(prefix, known) {
  const last = prefix
    .slice(prefix.lastIndexOf('/') + 1)
    .trim()
    .toLowerCase();
  return [...known.keys()].find((name) => name === last);
}

/**
 * A tag as shown in messages: quoted, control characters escaped, cut to 80 characters.
 * @param {string} value
 */
function show(value) {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…(${value.length} chars)` : value;
  return JSON.stringify(cut);
}
