import { describe, expect, it } from 'vitest';
import { useMockKeyway } from './vitest.js';

describe('useMockKeyway() from @keyway/mocks/vitest', () => {
  const mock = useMockKeyway();

  it('listens before the tests, with the server URL as issuer', async () => {
    expect(mock.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    mock.seed.externalToken('usr_test', 'github');
    const res = await fetch(`${mock.issuer}/api/v1/external-tokens`, {
      headers: { authorization: `Bearer ${mock.apiToken}` },
    });
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('reset the mock after the previous test', async () => {
    expect(mock.calls).toEqual([]);
    const res = await fetch(`${mock.issuer}/api/v1/external-tokens`, {
      headers: { authorization: `Bearer ${mock.apiToken}` },
    });
    expect(await res.json()).toEqual({ data: [] });
  });
});

describe("useMockKeyway({ serve: 'msw' })", () => {
  const mock = useMockKeyway({ serve: 'msw', issuer: 'https://msw.keyway.test' });

  it('intercepts fetch to the issuer', async () => {
    const res = await fetch(`${mock.issuer}/.well-known/openid-configuration`);
    expect(await res.json()).toMatchObject({ issuer: 'https://msw.keyway.test' });
  });
});
