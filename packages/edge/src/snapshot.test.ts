import { ConfigurationError } from '@keyway/core';
import { MemoryTokenStore } from '@keyway/token-store';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, freshMock, isolateFetch, now } from '../test/helpers.js';
import { restore, snapshot } from './snapshot.js';
import { createVerifier } from './verifier.js';

describe('snapshot() / restore()', () => {
  it('carries discovery and the JWKS to a new isolate; no tokens unless asked', async () => {
    const { mock, fetch } = freshMock();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    await createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch }).verify(token);
    const value = await snapshot({ fetch });
    expect(value.tokens).toEqual([]);
    expect(value.oauth.discovery).toHaveLength(1);

    const calls = mock.calls.length;
    const cold = isolateFetch(mock);
    await restore(JSON.stringify(value), { fetch: cold });
    expect((await createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: cold }).verify(token)).sub).toBe(
      'usr_test',
    );
    expect(mock.calls.length).toBe(calls);
  });

  it('includes the token sets it is given, and restores them into a store (expired ones skipped)', async () => {
    const store = new MemoryTokenStore();
    const valid = { access_token: 'at-1', token_type: 'Bearer', expires_at: now() + 600 };
    await store.set('k1', valid);
    const value = await snapshot({
      tokens: [
        { store, key: 'k1' },
        { store, key: 'absent' },
      ],
    });
    expect(value.tokens).toEqual([{ key: 'k1', value: valid }]);

    const target = new MemoryTokenStore();
    const expired = { key: 'k2', value: { access_token: 'at-2', expires_at: now() - 10 } };
    await restore({ ...value, tokens: [...value.tokens, expired] }, { store: target });
    expect(await target.get('k1')).toEqual(valid);
    expect(await target.get('k2')).toBeUndefined();
  });

  it('restores nothing for null, and accepts a core OAuthCacheSnapshot', async () => {
    await expect(restore(null)).resolves.toBeUndefined();
    await expect(restore(undefined)).resolves.toBeUndefined();
    await expect(restore({ version: 1, discovery: [], jwks: [] })).resolves.toBeUndefined();
  });

  it('refuses a malformed snapshot whole: ConfigurationError invalid_snapshot, nothing restored', async () => {
    const store = new MemoryTokenStore();
    const good = { key: 'k', value: { access_token: 'at' } };
    const cases: unknown[] = [
      'not json',
      '[]',
      { version: 2, oauth: { version: 1, discovery: [], jwks: [] }, tokens: [] },
      { version: 1 },
      { version: 1, oauth: { version: 1, discovery: [], jwks: [] }, tokens: {} },
      { version: 1, oauth: { version: 1, discovery: [], jwks: [] }, tokens: [good, { key: 'x', value: {} }] },
      { version: 1, oauth: { version: 1, discovery: [], jwks: [] }, tokens: [good, { key: '', value: good.value }] },
      {
        version: 1,
        oauth: { version: 1, discovery: [], jwks: [] },
        tokens: [{ key: 'k', value: { access_token: 'a', expires_at: 'soon' } }],
      },
      { version: 1, oauth: { version: 1, discovery: 'x', jwks: [] }, tokens: [good] },
    ];
    for (const value of cases) {
      const error = await restore(value as string, { store }).catch((caught: unknown) => caught);
      expect(ConfigurationError.is(error)).toBe(true);
      expect((error as ConfigurationError).code).toBe('invalid_snapshot');
    }
    expect(await store.get('k')).toBeUndefined();
  });
});
