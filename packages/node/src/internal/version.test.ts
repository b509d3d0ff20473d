import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { version } from '../index.js';
import { VERSION } from './version.js';

describe('VERSION', () => {
  it("is package.json's version (the build's define; vitest.config.ts defines the same)", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is the version the package exports', () => {
    expect(version).toBe(VERSION);
  });
});
