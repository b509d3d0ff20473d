import { expect, it, vi } from 'vitest';

// Counts evaluations of openapi-fetch in this test file's module graph (the real module, passed through).
const evaluated = vi.hoisted(() => ({ count: 0 }));
vi.mock('openapi-fetch', async (importOriginal) => {
  evaluated.count++;
  return importOriginal();
});

it('importing core and creating a service client load no openapi-fetch; the first call loads it, once', async () => {
  const { createKeywayClient } = await import('./index.js');
  const { createMockKeyway } = await import('@keyway/mocks');
  const mock = createMockKeyway();
  const client = createKeywayClient({ baseUrl: mock.issuer, token: mock.apiToken, fetch: mock.fetch });
  expect(evaluated.count).toBe(0);

  const id = mock.seed.persistentToken({ sub: 'usr_42', scope: 'api:read' });
  // Two calls at once, then a third: one load, and every call reaches the service with its path built.
  await Promise.all([client.access.retrieve({ id }), client.validation.verify()]);
  expect((await client.access.retrieve({ id })).token_type).toBe('Bearer');
  expect(evaluated.count).toBe(1);
  expect(mock.calls.map((call) => call.route)).toEqual(['retrieveAccessToken', 'validateToken', 'retrieveAccessToken']);
});
