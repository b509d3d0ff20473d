import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockKeyway } from './index.js';
import { mswHandlers } from './msw.js';

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

describe('mswHandlers() of @keyway/mocks/msw', () => {
  it('builds the same routes as mock.handlers, answering for the mock', async () => {
    const other = createMockKeyway({ issuer: 'https://other.keyway.test' });
    const handlers = mswHandlers(other);
    expect(handlers.map((handler) => handler.info.header)).toEqual(
      other.handlers.map((handler) => handler.info.header),
    );
    server.use(...handlers);
    try {
      const res = await fetch('https://other.keyway.test/.well-known/openid-configuration');
      expect(await res.json()).toMatchObject({ issuer: 'https://other.keyway.test' });
      expect(other.callsTo('getOpenIdConfiguration')).toHaveLength(1);
    } finally {
      server.resetHandlers();
    }
  });

  it.each([undefined, null, {}, { handlers: [] }])(
    'refuses %o, which no createMockKeyway() made, with a TypeError',
    (value) => {
      expect(() => mswHandlers(value as never)).toThrow(
        new TypeError('@keyway/mocks: mswHandlers() takes a mock made by createMockKeyway().'),
      );
    },
  );
});
