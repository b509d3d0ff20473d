import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readClientOperations } from '../scripts/client-operations.mjs';
import { CLIENT_EXTENSION, readClientTable } from '../scripts/generate.mjs';
import { clientOperations, operations } from './index.js';

type Json = Record<string, unknown>;

const spec = parse(readFileSync(new URL('../../../openapi/keyway.yaml', import.meta.url), 'utf8')) as Json;

/**
 * The service client's public methods (DESIGN.md) and the operation each calls. Renaming one is a
 * breaking change of `@keyway/core` and `@keyway/node`: it must be deliberate.
 */
const AGREED: Record<string, string> = {
  'access.retrieve': 'retrieveAccessToken',
  'refresh.store': 'storeRefreshToken',
  'offline.requestConsent': 'requestOfflineConsent',
  'offline.callback': 'offlineCallback',
  'offline.revoke': 'revokeOfflineToken',
  'validation.verify': 'validateToken',
  'externalTokens.list': 'listExternalTokens',
  'externalTokens.retrieve': 'retrieveExternalToken',
};

const names = (table: Record<string, Record<string, { operationId: string }>>) =>
  Object.fromEntries(
    Object.entries(table).flatMap(([resource, methods]) =>
      Object.entries(methods).map(([method, info]) => [`${resource}.${method}`, info.operationId]),
    ),
  );

describe('x-keyway-client in openapi/keyway.yaml', () => {
  it('names exactly the agreed methods', () => {
    expect(names(clientOperations)).toEqual(AGREED);
  });

  it('is on every operation of the token-manager API, and on no OAuth endpoint', () => {
    const marked = Object.entries(operations)
      .filter(([id]) => Object.values(AGREED).includes(id))
      .map(([, info]) => info.path);
    const api = Object.values(operations)
      .map((info) => info.path)
      .filter((path) => path.startsWith('/api/'));
    expect(marked.sort()).toEqual(api.sort());
  });

  it('is documented in the info description', () => {
    expect((spec.info as Json).description).toContain(`\`${CLIENT_EXTENSION}: resource.method\``);
  });
});

describe('clientOperations (the runtime table)', () => {
  it('maps each method’s argument onto the request', () => {
    expect(clientOperations.access.retrieve).toMatchObject({ pathParams: ['id'], queryParams: [], jsonBody: false });
    expect(clientOperations.refresh.store).toMatchObject({ pathParams: [], queryParams: [], jsonBody: true });
    expect(clientOperations.validation.verify).toMatchObject({ pathParams: [], queryParams: [], jsonBody: false });
    expect(clientOperations.externalTokens.retrieve).toMatchObject({ pathParams: ['provider'], jsonBody: false });
  });

  it('checks the required fields of each answer, with their JSON types', () => {
    expect(clientOperations.access.retrieve.responseFields).toEqual({ access_token: 'string', expires_in: 'number' });
    expect(clientOperations.externalTokens.list.responseFields).toEqual({ data: 'array' });
    expect(clientOperations.externalTokens.retrieve.responseFields).toEqual({
      provider: 'string',
      access_token: 'string',
      token_type: 'string',
    });
  });

  it('agrees with the generator’s reading of the spec', async () => {
    const read = await readClientTable();
    expect(read.map((entry) => `${entry.resource}.${entry.method}`)).toEqual(Object.keys(AGREED));
  });
});

/** A spec with one operation at `path`, `method`, marked with `name`. */
function oneOperation(operation: Json, { path = '/api/v1/things/{id}', method = 'get', item = {} as Json } = {}): Json {
  return {
    paths: { [path]: { ...item, [method]: { operationId: 'op', 'x-keyway-client': 'things.op', ...operation } } },
    components: {
      parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } } },
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'size'],
          properties: { id: { type: 'string' }, size: { type: 'integer' } },
        },
      },
    },
  };
}
const ok = (schema: Json = { $ref: '#/components/schemas/Thing' }) => ({
  '200': { description: 'ok', content: { 'application/json': { schema } } },
});
const read = (spec: Json) => readClientOperations(spec, 'spec.yaml');

describe('the generator’s reading of x-keyway-client', () => {
  it('reads path parameters (also from the path item and through $ref), query parameters and a JSON body', () => {
    const [entry] = read(
      oneOperation(
        {
          parameters: [{ name: 'expand', in: 'query', schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { label: {} } } } } },
          responses: ok(),
        },
        { method: 'patch', item: { parameters: [{ $ref: '#/components/parameters/Id' }] } },
      ),
    );
    expect(entry).toMatchObject({
      resource: 'things',
      method: 'op',
      operationId: 'op',
      pathParams: ['id'],
      queryParams: ['expand'],
      jsonBody: true,
      responseFields: { id: ['string'], size: ['number'] },
    });
  });

  it('ignores an optional header parameter (per-call headers carry it)', () => {
    const [entry] = read(
      oneOperation(
        { parameters: [{ name: 'x-trace', in: 'header', schema: { type: 'string' } }], responses: ok() },
        {
          path: '/api/v1/things',
        },
      ),
    );
    expect(entry).toMatchObject({ pathParams: [], queryParams: [], jsonBody: false });
  });

  it('merges allOf answers and derives JSON types from type lists, const, enum and unions', () => {
    const [entry] = read(
      oneOperation(
        {
          responses: ok({
            allOf: [
              { $ref: '#/components/schemas/Thing' },
              {
                type: 'object',
                required: ['kind', 'tags', 'note', 'level', 'any'],
                properties: {
                  kind: { const: 'thing' },
                  tags: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
                  note: { type: ['string', 'null'] },
                  level: { enum: [1, 2, 'max'] },
                },
              },
            ],
          }),
        },
        { path: '/api/v1/things' },
      ),
    );
    expect(entry?.responseFields).toEqual({
      id: ['string'],
      size: ['number'],
      kind: ['string'],
      tags: ['string', 'array'],
      note: ['string', 'null'],
      level: ['string', 'number'],
      any: ['string', 'number', 'boolean', 'array', 'object', 'null'],
    });
  });

  it.each([
    ['a name without a resource', { [CLIENT_EXTENSION]: 'retrieve' }, /must be "resource\.method"/],
    ['a reserved resource', { [CLIENT_EXTENSION]: 'setToken.call' }, /must be "resource\.method"/],
    ['a non-string name', { [CLIENT_EXTENSION]: true }, /must be "resource\.method"/],
    [
      'a required header parameter',
      { parameters: [{ name: 'x-tenant', in: 'header', required: true, schema: { type: 'string' } }] },
      /header parameter x-tenant cannot be passed/,
    ],
    [
      'a form body',
      { requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } } } } },
      /needs an application\/json schema/,
    ],
    [
      'a body field named like a parameter',
      {
        parameters: [{ $ref: '#/components/parameters/Id' }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { id: {} } } } } },
      },
      /field id clashes/,
    ],
    ['two 2xx answers', { responses: { ...ok(), '201': ok()['200'] } }, /exactly one 2xx response, found 2/],
    ['no 2xx answer', { responses: { '404': { description: 'no' } } }, /exactly one 2xx response, found 0/],
    [
      'an answer without JSON',
      { responses: { '204': { description: 'gone' } } },
      /204 response needs an application\/json/,
    ],
    ['an array answer', { responses: ok({ type: 'array' }) }, /must be a JSON object schema/],
    ['a union answer', { responses: ok({ oneOf: [{ type: 'object' }, { type: 'object' }] }) }, /must be a JSON object/],
  ])('refuses %s, naming the operation', (_, operation, message) => {
    const spec = oneOperation({ responses: ok(), ...operation }, { path: '/api/v1/things' });
    expect(() => read(spec)).toThrow(message);
    expect(() => read(spec)).toThrow(/^spec\.yaml: GET \/api\/v1\/things/);
  });

  it('refuses a name used twice', () => {
    const spec = oneOperation({ responses: ok() }, { path: '/api/v1/things' });
    (spec.paths as Json)['/api/v1/others'] = (spec.paths as Record<string, Json>)['/api/v1/things'];
    expect(() => read(spec)).toThrow('spec.yaml: GET /api/v1/others: x-keyway-client things.op is used twice.');
  });
});
