import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { version } from '../index.js';
import { VERSION } from './version.js';

describe('VERSION', () => {
  it('equals package.json (run tooling/scripts/sync-versions.mjs after changeset version)', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is the version the package exports', () => {
    expect(version).toBe(VERSION);
  });
});
