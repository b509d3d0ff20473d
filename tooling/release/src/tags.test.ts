import { describe, expect, it } from 'vitest';
import { MAX_TAG_LENGTH, parseReleaseTag, parseSemver, ReleaseTagError, releaseTagOf, shortName } from './tags.mjs';

const packages = [
  { name: '@keyway/openapi', version: '1.0.0' },
  { name: '@keyway/core', version: '1.4.0' },
  { name: '@keyway/token-store', version: '0.2.1' },
  { name: '@keyway/node', version: '2.0.0-rc.0' },
  { name: '@keyway/edge', version: '0.3.0-beta.1' },
  { name: '@keyway/mocks', version: '1.0.0-0' },
  { name: 'not-keyway', version: '9.9.9' },
];

function refused(tag: string, list = packages): ReleaseTagError {
  try {
    parseReleaseTag(tag, list);
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseTagError);
    return error as ReleaseTagError;
  }
  throw new Error(`${JSON.stringify(tag)} was not refused`);
}

describe('parseReleaseTag: releases', () => {
  it('a release of the package.json version goes to latest', () => {
    expect(parseReleaseTag('core/v1.4.0', packages)).toEqual({
      tag: 'core/v1.4.0',
      package: packages[1],
      shortName: 'core',
      version: '1.4.0',
      distTag: 'latest',
    });
  });

  it('short names are the part after @keyway/, dashes included', () => {
    const result = parseReleaseTag('token-store/v0.2.1', packages);
    expect(result).toMatchObject({ shortName: 'token-store', version: '0.2.1', distTag: 'latest' });
    expect('package' in result && result.package.name).toBe('@keyway/token-store');
  });

  it('a prerelease goes to the dist-tag of its identifier', () => {
    expect(parseReleaseTag('edge/v0.3.0-beta.1', packages)).toMatchObject({ version: '0.3.0-beta.1', distTag: 'beta' });
    expect(parseReleaseTag('node/v2.0.0-rc.0', packages)).toMatchObject({ version: '2.0.0-rc.0', distTag: 'rc' });
    expect(parseReleaseTag('core/v1.0.0-alpha', [{ name: '@keyway/core', version: '1.0.0-alpha' }])).toMatchObject({
      distTag: 'alpha',
    });
  });

  it('build metadata is allowed when package.json carries it too', () => {
    expect(parseReleaseTag('core/v1.4.0+sha.abc', [{ name: '@keyway/core', version: '1.4.0+sha.abc' }])).toMatchObject({
      version: '1.4.0+sha.abc',
      distTag: 'latest',
    });
  });
});

describe('parseReleaseTag: ignored tags (no known prefix)', () => {
  it.each([
    'v1.0.0',
    '1.0.0',
    'nightly',
    '',
    'docs/update',
    'feature/thing',
    'release/2024-01',
    'keyway/next',
    'corex',
  ])('%j is ignored', (tag) => {
    const result = parseReleaseTag(tag, packages);
    expect(result).toMatchObject({ ignored: true, tag });
    expect('reason' in result && result.reason).toContain('not a <package>/v<version> tag');
  });

  it('a huge string without a known prefix is ignored, fast', () => {
    const huge = 'x'.repeat(5_000_000);
    const started = performance.now();
    expect(parseReleaseTag(huge, packages)).toMatchObject({ ignored: true });
    expect(parseReleaseTag(`${huge}/y`, packages)).toMatchObject({ ignored: true });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('the name of a package outside @keyway is not a prefix', () => {
    expect(parseReleaseTag('not-keyway/x', packages)).toMatchObject({ ignored: true });
    expect(refused('not-keyway/v9.9.9').code).toBe('UNKNOWN_PACKAGE');
  });
});

describe('parseReleaseTag: refused tags', () => {
  it.each([
    ['Core/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['CORE/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['cor/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['../core/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['/core/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['packages/core/v1.4.0', 'UNKNOWN_PACKAGE'],
    [' core/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['@keyway/core/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['core/x/v1.4.0', 'UNKNOWN_PACKAGE'],
    ['tokenstore/v0.2.1', 'UNKNOWN_PACKAGE'],
    ['core/1.4.0', 'MISSING_V'],
    ['core/V1.4.0', 'MISSING_V'],
    ['core/', 'MISSING_V'],
    ['core/latest', 'MISSING_V'],
    ['core/v', 'INVALID_VERSION'],
    ['core/v1.4.0 ', 'INVALID_VERSION'],
    ['core/v1.4.0\n', 'INVALID_VERSION'],
    ['core/v 1.4.0', 'INVALID_VERSION'],
    ['core/vv1.4.0', 'INVALID_VERSION'],
    ['core/v01.4.0', 'INVALID_VERSION'],
    ['core/v1.04.0', 'INVALID_VERSION'],
    ['core/v1.4', 'INVALID_VERSION'],
    ['core/v1.4.0.0', 'INVALID_VERSION'],
    ['core/v1.4.0-', 'INVALID_VERSION'],
    ['core/v1.4.0-beta..1', 'INVALID_VERSION'],
    ['core/v1.4.0-beta.01', 'INVALID_VERSION'],
    ['core/v1.4.0+', 'INVALID_VERSION'],
    ['core/v1.4.0-bêta', 'INVALID_VERSION'],
    ['core/v99999999999999999999.0.0', 'INVALID_VERSION'],
    ['core/v1.5.0', 'VERSION_MISMATCH'],
    ['core/v1.4.0-beta.1', 'VERSION_MISMATCH'],
    ['core/v1.4.0+sha.abc', 'VERSION_MISMATCH'],
    ['edge/v0.3.0', 'VERSION_MISMATCH'],
  ] as const)('%j is refused: %s', (tag, code) => {
    const error = refused(tag);
    expect(error.code).toBe(code);
    expect(error.name).toBe('ReleaseTagError');
    expect(error.tag).toBe(tag);
    expect(error.message.startsWith(JSON.stringify(tag))).toBe(true);
  });

  it('says what names are known, and suggests the one meant', () => {
    expect(refused('Core/v1.4.0').message).toBe(
      '"Core/v1.4.0": "Core" names no package (known: core, edge, mocks, node, openapi, token-store); did you mean core/…?',
    );
    expect(refused('../core/v1.4.0').message).toContain('did you mean core/…?');
    expect(refused('cor/v1.4.0').message).not.toContain('did you mean');
  });

  it('says which version package.json has', () => {
    expect(refused('core/v1.5.0').message).toBe(
      '"core/v1.5.0": @keyway/core is at "1.4.0" in its package.json, not "1.5.0"',
    );
  });

  it('a prerelease without a named identifier is refused, not published under a made-up dist-tag', () => {
    const error = refused('mocks/v1.0.0-0');
    expect(error.code).toBe('UNNAMED_PRERELEASE');
    expect(error.message).toContain('changeset pre enter beta');
    expect(refused('core/v1.0.0-1.beta', [{ name: '@keyway/core', version: '1.0.0-1.beta' }]).code).toBe(
      'UNNAMED_PRERELEASE',
    );
    expect(refused('core/v1.0.0-1beta', [{ name: '@keyway/core', version: '1.0.0-1beta' }]).code).toBe(
      'UNNAMED_PRERELEASE',
    );
  });

  it('a prerelease never becomes latest, nor a semver wildcard dist-tag', () => {
    for (const version of ['1.0.0-latest.1', '1.0.0-x.1', '1.0.0-X']) {
      expect(refused(`core/v${version}`, [{ name: '@keyway/core', version }]).code).toBe('RESERVED_DIST_TAG');
    }
  });

  it('a huge tag with a known prefix is refused quickly, and the message stays short', () => {
    const huge = `core/v1.4.0-${'a'.repeat(1_000_000)}`;
    const started = performance.now();
    const error = refused(huge);
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.code).toBe('INVALID_TAG');
    expect(error.message).toContain(`longer than ${MAX_TAG_LENGTH} characters`);
    expect(error.message.length).toBeLessThan(200);
    expect(refused(`${'../'.repeat(100_000)}core/v1.4.0`).message.length).toBeLessThan(300);
  });

  it('control characters are escaped in messages', () => {
    const error = refused('core/v1.4.0\u001b[31m');
    expect(error.message).not.toContain('\u001b');
    expect(error.message).toContain('\\u001b');
  });

  it('a non-string is a TypeError', () => {
    expect(() => parseReleaseTag(undefined as unknown as string, packages)).toThrow(TypeError);
  });
});

describe('helpers', () => {
  it('shortName', () => {
    expect(shortName('@keyway/token-store')).toBe('token-store');
    expect(shortName('@keyway/')).toBeUndefined();
    expect(shortName('keyway')).toBeUndefined();
    expect(shortName('@other/core')).toBeUndefined();
  });

  it('releaseTagOf round-trips through parseReleaseTag', () => {
    for (const pkg of packages.filter((p) => p.name.startsWith('@keyway/') && p.name !== '@keyway/mocks')) {
      const tag = releaseTagOf(pkg);
      expect(parseReleaseTag(tag, packages)).toMatchObject({ tag, version: pkg.version });
    }
    expect(() => releaseTagOf({ name: 'other', version: '1.0.0' })).toThrow('other is not a @keyway/ package');
  });

  it('parseSemver', () => {
    expect(parseSemver('1.2.3-beta.1+b.2')).toEqual({
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: ['beta', '1'],
      build: ['b', '2'],
    });
    expect(parseSemver('0.0.0')).toMatchObject({ prerelease: [], build: [] });
    expect(parseSemver('1.0.0-0a.-')).toMatchObject({ prerelease: ['0a', '-'] });
    for (const bad of ['', 'v1.0.0', '1.0', '1.0.0-', '1.0.0-01', '00.1.0', '1.0.0 ', '-1.0.0', '1.0.0+a+b']) {
      expect(parseSemver(bad), bad).toBeUndefined();
    }
  });
});
