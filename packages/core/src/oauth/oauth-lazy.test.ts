import { expect, it, vi } from 'vitest';

// Counts evaluations of oauth4webapi in this test file's module graph (the real module, passed through).
const evaluated = vi.hoisted(() => ({ count: 0 }));
vi.mock('oauth4webapi', async (importOriginal) => {
  evaluated.count++;
  return importOriginal();
});

it('importing core loads no oauth4webapi; the first OAuth request loads it, once', async () => {
  await import('../index.js');
  const { FakeOP, json } = await import('../../test/oauth/fake-op.js');
  expect(evaluated.count).toBe(0);

  const op = await FakeOP.create();
  op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
  const client = op.client();
  // Two requests at once, then a third: one load, and every request goes through core's transport
  // (the fake provider sees it), so the option symbols came from the loaded module.
  await Promise.all([client.clientCredentials({ scope: 'api' }), client.clientCredentials({ scope: 'api' })]);
  await client.clientCredentials({ scope: 'api' });
  expect(evaluated.count).toBe(1);
  expect(op.callsTo('/token')).toHaveLength(3);
});
