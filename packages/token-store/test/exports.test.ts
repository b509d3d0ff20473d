/*
 * The public surface of every entry point, as a snapshot: a change shows up in review. Checked on the
 * source and on the built files (what users import).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageDir, requireDist } from './harness/node.js';

const entries = {
  '.': ['MemoryTokenStore', 'TokenStoreError', 'encryptedStore', 'parseTokenKey', 'tokenKey'],
  './file': ['CorruptTokenFileError', 'FileTokenStore', 'defaultTokenFilePath'],
  './redis': ['RedisTokenStore', 'redisAdapter'],
  './kv': ['KvTokenStore'],
  './web': ['WebStorageTokenStore'],
} as const;

const sources: Record<keyof typeof entries, () => Promise<Record<string, unknown>>> = {
  '.': () => import('../src/index.js'),
  './file': () => import('../src/file.js'),
  './redis': () => import('../src/redis.js'),
  './kv': () => import('../src/kv.js'),
  './web': () => import('../src/web.js'),
};

describe('exports', () => {
  for (const [entry, names] of Object.entries(entries) as Array<[keyof typeof entries, readonly string[]]>) {
    it(`${entry} exports exactly ${names.join(', ')} (source and dist)`, async () => {
      expect(Object.keys(await sources[entry]()).sort()).toEqual([...names].sort());
      requireDist();
      const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
      const target = manifest.exports[entry];
      const file = typeof target === 'string' ? target : (target.node ?? target.default);
      const built = await import(join(packageDir, file));
      expect(Object.keys(built).sort()).toEqual([...names].sort());
    });
  }

  it('keeps Node built-ins out of every entry but ./file', async () => {
    requireDist();
    for (const entry of ['index', 'redis', 'kv', 'web']) {
      const code = await readFile(join(packageDir, 'dist', `${entry}.js`), 'utf8');
      const chunks = [...code.matchAll(/from ["']\.\/(chunk-[\w-]+\.js)["']/g)].map((m) => m[1]!);
      const all = [code, ...(await Promise.all(chunks.map((c) => readFile(join(packageDir, 'dist', c), 'utf8'))))];
      for (const text of all) {
        expect(text, entry).not.toMatch(/["']node:/);
      }
    }
  });
});
