import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockKeyway } from './index.js';

const mock = createMockKeyway();
const server = setupServer(...mock.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.reset());
afterAll(() => server.close());

describe('mock.handlers with msw setupServer', () => {
  it('intercepts global fetch for the issuer', async () => {
    const id = mock.seed.persistentToken({ scope: 'api:read' });
    const res = await fetch(`${mock.issuer}/api/v1/access/${id}`, {
      headers: { authorization: `Bearer ${mock.apiToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ scope: 'api:read' });
    expect(mock.callsTo('retrieveAccessToken')).toHaveLength(1);
  });

  it('reads JSON bodies through msw', async () => {
    const res = await fetch(`${mock.issuer}/api/v1/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'rt' }),
    });
    expect(res.status).toBe(201);
  });

  it('turns an injected network error into a fetch rejection', async () => {
    mock.fail('validateToken', { network: true });
    await expect(fetch(`${mock.issuer}/api/v1/validate`)).rejects.toThrow(TypeError);
  });

  it('answers unknown paths under the issuer with 404', async () => {
    const res = await fetch(`${mock.issuer}/api/v2/unknown`);
    expect(res.status).toBe(404);
  });
});
