import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IDEMPOTENT_EXTENSION, readOperations } from '../scripts/generate.mjs';
import * as pkg from './index.js';
import { operations } from './index.js';

type Json = Record<string, unknown>;

const spec = parse(readFileSync(new URL('../../../openapi/keyway.yaml', import.meta.url), 'utf8')) as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation object of the spec, straight from the YAML (not through the generator). */
const specOperations = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((method) => (item as Json)[method] !== undefined).map((method) => ({
    path,
    method,
    operation: (item as Json)[method] as Json,
  })),
);

/**
 * The agreed decision per operation. A change here is a change of retry behaviour in every SDK:
 * it must be deliberate, so the table is spelled out rather than derived.
 */
const AGREED: Record<string, boolean> = {
  getOpenIdConfiguration: true,
  getAuthorizationServerMetadata: true,
  getJwks: true,
  // A browser navigation: each visit may issue a new code, and a pushed request_uri is single-use.
  authorize: false,
  // Every call stores a new pushed request.
  pushAuthorizationRequest: false,
  // Codes are redeemed once, refresh tokens rotate: never re-send a token request.
  token: false,
  // Every call starts a new device authorization.
  deviceAuthorization: false,
  // Reads, and RFC 7009 revocation of a revoked token still answers 200.
  introspect: true,
  revoke: true,
  // Every call creates a new client.
  registerClient: false,
  getUserInfo: true,
  postUserInfo: true,
  endSession: true,
  retrieveAccessToken: true,
  // The service answers the same id for the same refresh token and user.
  storeRefreshToken: true,
  // A consent state and a callback code are single-use.
  requestOfflineConsent: false,
  offlineCallback: false,
  revokeOfflineToken: true,
  validateToken: true,
  listExternalTokens: true,
  retrieveExternalToken: true,
};

describe('x-keyway-idempotent in openapi/keyway.yaml', () => {
  it('is stated explicitly, as a boolean, on every operation', () => {
    const missing = specOperations
      .filter(({ operation }) => typeof operation[IDEMPOTENT_EXTENSION] !== 'boolean')
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
  });

  it('has the agreed value for every operation', () => {
    const actual = Object.fromEntries(
      specOperations.map(({ operation }) => [operation.operationId as string, operation[IDEMPOTENT_EXTENSION]]),
    );
    expect(actual).toEqual(AGREED);
  });

  it('marks every GET and DELETE idempotent except the authorization endpoint (a browser navigation)', () => {
    const unsafe = specOperations
      .filter(({ method, operation }) => ['get', 'delete'].includes(method) && operation[IDEMPOTENT_EXTENSION] !== true)
      .map(({ operation }) => operation.operationId);
    expect(unsafe).toEqual(['authorize']);
  });

  it('is documented in the info description and, for storeRefreshToken, in the operation', () => {
    expect((spec.info as Json).description).toContain('`x-keyway-idempotent`');
    const store = specOperations.find(({ operation }) => operation.operationId === 'storeRefreshToken');
    expect(store?.operation.description).toMatch(/same refresh token again for the same user[\s\S]*same\s+`id`/);
  });
});

describe('operations (the runtime table)', () => {
  it('has an entry for every operation of the spec, in the spec’s order, and no other', () => {
    expect(Object.keys(operations)).toEqual(specOperations.map(({ operation }) => operation.operationId));
  });

  it('gives each operation its method, path and idempotent flag from the spec', () => {
    for (const { path, method, operation } of specOperations) {
      const id = operation.operationId as keyof typeof operations;
      expect(operations[id], id).toEqual({ method, path, idempotent: operation[IDEMPOTENT_EXTENSION] === true });
    }
  });

  it('matches the agreed flags', () => {
    expect(Object.fromEntries(Object.entries(operations).map(([id, info]) => [id, info.idempotent]))).toEqual(AGREED);
  });

  it('spells out the entries of the token-manager API', () => {
    expect(operations.retrieveAccessToken).toEqual({ method: 'get', path: '/api/v1/access/{id}', idempotent: true });
    expect(operations.storeRefreshToken).toEqual({ method: 'post', path: '/api/v1/refresh', idempotent: true });
    expect(operations.requestOfflineConsent).toEqual({
      method: 'post',
      path: '/api/v1/offline/consent',
      idempotent: false,
    });
    expect(operations.offlineCallback).toEqual({ method: 'post', path: '/api/v1/offline/callback', idempotent: false });
    expect(operations.revokeOfflineToken).toEqual({ method: 'delete', path: '/api/v1/offline/{id}', idempotent: true });
  });

  it('is, with clientOperations, the only runtime export of the package', () => {
    expect(Object.keys(pkg)).toEqual(['clientOperations', 'operations']);
  });
});

describe('the generator’s reading of the spec', () => {
  it('agrees with the committed table', async () => {
    const read = await readOperations();
    expect(Object.fromEntries(read.map(({ operationId, ...info }) => [operationId, info]))).toEqual(operations);
  });
});
