import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError, InvalidResponseError } from './errors.js';
import { callInput } from './internal/client-builder.js';
import { createKeywayClient, KEYWAY_CLIENT_METHODS } from './service-client.js';

// The client has no method of its own: every one comes from `clientOperations` of @keyway/openapi.
// Add an entry here (over an existing operation, with a path parameter, a query parameter and a
// body, none of which the spec's client methods combine) and the client grows a method for it.
vi.mock('@keyway/openapi', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@keyway/openapi')>();
  return {
    ...actual,
    clientOperations: {
      ...actual.clientOperations,
      things: {
        amend: {
          operationId: 'revokeOfflineToken',
          pathParams: ['id'],
          queryParams: ['reason', 'dryRun'],
          jsonBody: true,
          responseFields: { revoked: ['boolean', 'null'] },
        },
      },
    },
  };
});

interface Sent {
  method: string;
  url: string;
  body: string;
}

function setup(answer: unknown = { revoked: true }) {
  const sent: Sent[] = [];
  const client = createKeywayClient({
    baseUrl: 'https://keyway.test',
    token: 'tok',
    retry: false,
    fetch: async (input, init) => {
      const body = init?.body ? new TextDecoder().decode(init.body as Uint8Array) : '';
      sent.push({ method: init?.method ?? 'GET', url: String(input), body });
      return Response.json(answer);
    },
  });
  // The mocked entry is not in the generated types: reach it the way a newer table would type it.
  const things = (client as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)
    .things!;
  return { client, things, sent };
}

describe('the client is built from clientOperations', () => {
  it('grows a method for a new entry, mapping its argument onto path, query and JSON body', async () => {
    const { things, sent } = setup();
    const result = await things.amend!({ id: 'ptk 1', reason: 'gone', dryRun: undefined, note: 'n', count: 2 });
    expect(result).toEqual({ revoked: true });
    expect(sent).toEqual([
      {
        method: 'DELETE',
        url: 'https://keyway.test/api/v1/offline/ptk%201?reason=gone',
        body: JSON.stringify({ note: 'n', count: 2 }),
      },
    ]);
  });

  it('checks the new entry’s answer with its field types, naming the method', async () => {
    const { things } = setup({ revoked: 'yes' });
    const error = await things.amend!({ id: 'ptk_1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).message).toBe(
      'things.amend: field "revoked" should be boolean or null, got string.',
    );
    expect(await setup({ revoked: null }).things.amend!({ id: 'ptk_1' })).toEqual({ revoked: null });
  });

  it('lists the new method in KEYWAY_CLIENT_METHODS, after the spec’s own', () => {
    expect(KEYWAY_CLIENT_METHODS.at(-1)).toEqual({ name: 'things.amend', takesParams: true });
    expect(KEYWAY_CLIENT_METHODS.map((m) => m.name)).toContain('access.retrieve');
    expect(Object.isFrozen(KEYWAY_CLIENT_METHODS) && Object.isFrozen(KEYWAY_CLIENT_METHODS[0])).toBe(true);
  });

  it('keeps the spec’s methods beside it', async () => {
    const { client, sent } = setup({ valid: true });
    expect(await client.validation.verify()).toEqual({ valid: true });
    expect(sent[0]).toMatchObject({ method: 'GET', url: 'https://keyway.test/api/v1/validate', body: '' });
  });
});

describe('callInput: one argument onto the request', () => {
  const info = {
    operationId: 'revokeOfflineToken',
    pathParams: ['id'],
    queryParams: ['q'],
    jsonBody: false,
    responseFields: {},
  } as const;

  it('passes a body-only argument as it is, and sends no body when there is none', () => {
    const body = { refresh_token: 'rt' };
    const bodyOnly = { ...info, pathParams: [], queryParams: [], jsonBody: true } as const;
    expect(callInput(bodyOnly, body).body).toBe(body);
    expect(callInput({ ...info, pathParams: [], queryParams: [] }, undefined)).toEqual({ params: {} });
  });

  it('accepts a finite number as a path parameter and leaves unset query parameters out', () => {
    expect(callInput(info, { id: 42 })).toEqual({ params: { path: { id: '42' }, query: {} } });
  });

  it.each([
    ['a missing argument', undefined],
    ['a string argument', 'ptk_1'],
    ['an array argument', ['ptk_1']],
    ['NaN as the path parameter', { id: Number.NaN }],
    ['an object as the path parameter', { id: {} }],
  ])('refuses %s with a ConfigurationError', (_, params) => {
    let error: unknown;
    try {
      callInput(info, params);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('invalid_parameter');
  });
});
