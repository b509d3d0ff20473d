import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { VERSION } from './version.js';

describe('VERSION', () => {
  it('equals package.json (run tooling/scripts/sync-versions.mjs after changeset version)', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
