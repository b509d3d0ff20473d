import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactTokenSet } from './redact.js';

describe('redactTokenSet', () => {
  const tokens = () => ({
    access_token: 'at-secret-1',
    refresh_token: 'rt-secret-2',
    id_token: 'id-secret-3',
    token_type: 'Bearer',
    scope: 'openid',
    headers: { Authorization: 'Bearer at-secret-1', 'x-trace': 'kept' },
  });

  it('prints no token, the header included, at any depth; JSON and spreading keep them', () => {
    const redacted = redactTokenSet(tokens());
    for (const shown of [
      inspect(redacted),
      inspect({ nested: { redacted } }, { depth: 10 }),
      inspect(redacted.headers),
    ]) {
      expect(shown).not.toMatch(/secret/);
    }
    expect(inspect(redacted)).toMatch(/^TokenSet \{/);
    expect(inspect(redacted)).toContain("Authorization: 'Bearer [redacted]'");
    expect(inspect(redacted)).toContain("'x-trace': 'kept'");
    expect(inspect(redacted)).toContain('[redacted: 11 chars]');
    expect(JSON.parse(JSON.stringify(redacted))).toEqual(tokens());
    expect({ ...redacted }.headers.Authorization).toBe('Bearer at-secret-1');
  });
});
