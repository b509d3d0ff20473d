import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// A deliberately loose view of the document: the tests below check its shape themselves.
type Json = Record<string, unknown>;

const SPEC_URL = new URL('../../../openapi/keyway.yaml', import.meta.url);
const spec = parse(readFileSync(SPEC_URL, 'utf8')) as Json;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Follows a local `$ref` (`#/components/...`) until it reaches a real object. */
function resolve(node: unknown): Json {
  let current = node as Json;
  for (let hops = 0; typeof current?.$ref === 'string'; hops++) {
    if (hops > 10) {
      throw new Error(`$ref loop at ${String(current.$ref)}`);
    }
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) {
      throw new Error(`only local $refs are expected, got ${ref}`);
    }
    let target: unknown = spec;
    for (const segment of ref.slice(2).split('/')) {
      target = (target as Json | undefined)?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    if (target === undefined) {
      throw new Error(`unresolved $ref ${ref}`);
    }
    current = target as Json;
  }
  return current;
}

interface Operation {
  method: string;
  path: string;
  operation: Json;
  /** `METHOD path`, for test names. */
  label: string;
}

const operations: Operation[] = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((method) => (item as Json)[method] !== undefined).map((method) => ({
    method,
    path,
    operation: resolve((item as Json)[method]),
    label: `${method.toUpperCase()} ${path}`,
  })),
);

const responsesOf = (op: Operation) =>
  Object.entries(op.operation.responses as Json).map(([code, r]) => ({ code, response: resolve(r) }));
const contentOf = (node: Json) =>
  Object.entries((node.content as Json | undefined) ?? {}).map(([type, m]) => ({ type, media: m as Json }));
const schemaRef = (media: Json) => (media.schema as Json | undefined)?.$ref;
const exampleValues = (media: Json): unknown[] =>
  media.example !== undefined
    ? [media.example]
    : Object.values((media.examples as Json | undefined) ?? {}).map((e) => resolve(e).value);

const isApi = (op: Operation) => op.path.startsWith('/api/');
const apiOperations = operations.filter(isApi);
const oauthOperations = operations.filter((op) => !isApi(op));

/** The contract other packages are written against: method, path, operationId. */
const EXPECTED_OPERATIONS = [
  ['get', '/.well-known/openid-configuration', 'getOpenIdConfiguration'],
  ['get', '/.well-known/oauth-authorization-server', 'getAuthorizationServerMetadata'],
  ['get', '/oauth/jwks', 'getJwks'],
  ['get', '/oauth/authorize', 'authorize'],
  ['post', '/oauth/par', 'pushAuthorizationRequest'],
  ['post', '/oauth/token', 'token'],
  ['post', '/oauth/device/code', 'deviceAuthorization'],
  ['post', '/oauth/introspect', 'introspect'],
  ['post', '/oauth/revoke', 'revoke'],
  ['post', '/oauth/register', 'registerClient'],
  ['get', '/oauth/userinfo', 'getUserInfo'],
  ['post', '/oauth/userinfo', 'postUserInfo'],
  ['get', '/oauth/logout', 'endSession'],
  ['get', '/api/v1/access/{id}', 'retrieveAccessToken'],
  ['post', '/api/v1/refresh', 'storeRefreshToken'],
  ['post', '/api/v1/offline/consent', 'requestOfflineConsent'],
  ['post', '/api/v1/offline/callback', 'offlineCallback'],
  ['delete', '/api/v1/offline/{id}', 'revokeOfflineToken'],
  ['get', '/api/v1/validate', 'validateToken'],
  ['get', '/api/v1/external-tokens', 'listExternalTokens'],
  ['get', '/api/v1/external-tokens/{provider}', 'retrieveExternalToken'],
];

/** Schema names other packages import (through the aliases of src/index.ts). */
const EXPECTED_SCHEMAS = [
  'AuthorizationServerMetadata',
  'JsonWebKeySet',
  'JsonWebKey',
  'OAuthErrorResponse',
  'PushedAuthorizationResponse',
  'TokenRequest',
  'AuthorizationCodeGrantRequest',
  'RefreshTokenGrantRequest',
  'ClientCredentialsGrantRequest',
  'DeviceCodeGrantRequest',
  'TokenExchangeGrantRequest',
  'TokenResponse',
  'DeviceAuthorizationResponse',
  'IntrospectionResponse',
  'UserInfo',
  'Problem',
  'AccessTokenResult',
  'StoreRefreshTokenRequest',
  'RefreshTokenIdResult',
  'OfflineConsentRequest',
  'OfflineConsentResult',
  'OfflineCallbackRequest',
  'OfflineTokenResult',
  'OfflineTokenRevocationResult',
  'TokenValidationResult',
  'ExternalTokenList',
  'ExternalToken',
  'ExternalTokenReconsentProblem',
];

describe('openapi/keyway.yaml: contract', () => {
  it('is OpenAPI 3.1', () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('has exactly the agreed operations, at the agreed paths and methods', () => {
    const actual = operations.map((op) => [op.method, op.path, op.operation.operationId]);
    expect(actual).toEqual(EXPECTED_OPERATIONS);
  });

  it('has every agreed component schema', () => {
    const names = Object.keys((spec.components as Json).schemas as Json);
    expect(EXPECTED_SCHEMAS.filter((name) => !names.includes(name))).toEqual([]);
  });

  it('has unique operationIds', () => {
    const ids = operations.map((op) => op.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe.each(operations)('$label', (op) => {
  it('has an operationId and a summary', () => {
    expect(op.operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(op.operation.summary).toEqual(expect.any(String));
  });

  it('documents a success (2xx or 3xx) and at least one 4xx response', () => {
    const codes = responsesOf(op).map((r) => r.code);
    expect(codes.some((code) => /^[23]\d\d$/.test(code))).toBe(true);
    expect(codes.some((code) => /^4\d\d$/.test(code))).toBe(true);
  });

  it('has an example for every request and response body', () => {
    const bodies = [
      ...(op.operation.requestBody
        ? contentOf(resolve(op.operation.requestBody)).map((c) => ['request', c] as const)
        : []),
      ...responsesOf(op).flatMap(({ code, response }) => contentOf(response).map((c) => [code, c] as const)),
    ];
    const missing = bodies.filter(
      ([, { media }]) => exampleValues(media).length === 0 || exampleValues(media).includes(undefined),
    );
    expect(missing.map(([where, { type }]) => `${where} ${type}`)).toEqual([]);
  });

  it('documents Location on every redirect', () => {
    for (const { response } of responsesOf(op).filter((r) => /^3\d\d$/.test(r.code))) {
      expect(response.headers as Json).toHaveProperty('Location');
    }
  });
});

describe.each(oauthOperations)('OAuth/OIDC $label', (op) => {
  it('answers its JSON errors as RFC 6749 OAuthErrorResponse', () => {
    const errors = responsesOf(op).filter((r) => /^[45]\d\d$/.test(r.code));
    for (const { response } of errors) {
      for (const { type, media } of contentOf(response)) {
        expect(type).toBe('application/json');
        expect(schemaRef(media)).toBe('#/components/schemas/OAuthErrorResponse');
        for (const value of exampleValues(media)) {
          expect(value).toMatchObject({ error: expect.any(String) });
        }
      }
    }
  });
});

describe('OAuth/OIDC request encodings', () => {
  it.each(['/oauth/par', '/oauth/token', '/oauth/device/code', '/oauth/introspect', '/oauth/revoke'])(
    'POST %s takes application/x-www-form-urlencoded only',
    (path) => {
      const op = operations.find((o) => o.path === path && o.method === 'post')!;
      expect(Object.keys(resolve(op.operation.requestBody).content as Json)).toEqual([
        'application/x-www-form-urlencoded',
      ]);
    },
  );

  it('TokenRequest discriminates on grant_type, and each mapped schema pins that grant_type', () => {
    const schemas = (spec.components as Json).schemas as Json;
    const tokenRequest = schemas.TokenRequest as Json;
    const discriminator = tokenRequest.discriminator as { propertyName: string; mapping: Record<string, string> };
    expect(discriminator.propertyName).toBe('grant_type');
    expect(Object.keys(discriminator.mapping)).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ]);
    expect((tokenRequest.oneOf as Json[]).map((s) => s.$ref)).toEqual(Object.values(discriminator.mapping));
    for (const [grantType, ref] of Object.entries(discriminator.mapping)) {
      const member = resolve({ $ref: ref });
      const own = (member.allOf as Json[]).map(resolve).find((part) => (part.properties as Json)?.grant_type);
      expect(own, `${ref} declares grant_type`).toBeDefined();
      expect((own!.properties as Json).grant_type, ref).toEqual({ type: 'string', const: grantType });
      expect(own!.required, ref).toContain('grant_type');
    }
  });

  it('the token endpoint accepts HTTP Basic client authentication or none (body credentials)', () => {
    const op = operations.find((o) => o.operation.operationId === 'token')!;
    expect(op.operation.security).toEqual([{ clientBasic: [] }, {}]);
  });

  it('the UserInfo 401 carries a WWW-Authenticate challenge', () => {
    for (const id of ['getUserInfo', 'postUserInfo']) {
      const op = operations.find((o) => o.operation.operationId === id)!;
      const unauthorized = responsesOf(op).find((r) => r.code === '401')!;
      expect(unauthorized.response.headers as Json, id).toHaveProperty('WWW-Authenticate');
    }
  });
});

describe.each(apiOperations)('token-manager API $label', (op) => {
  it('requires the bearerAuth scheme', () => {
    expect(op.operation.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents x-request-id on every response', () => {
    for (const { code, response } of responsesOf(op)) {
      expect(response.headers as Json, code).toHaveProperty('x-request-id');
    }
  });

  it('answers 401, 429 and 500 as application/problem+json, and documents Retry-After on 429', () => {
    const codes = responsesOf(op).map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['401', '429', '500']));
    const tooMany = responsesOf(op).find((r) => r.code === '429')!;
    expect(tooMany.response.headers as Json).toHaveProperty('Retry-After');
  });

  it('answers every error as a Problem whose examples carry the response status', () => {
    for (const { code, response } of responsesOf(op).filter((r) => /^[45]\d\d$/.test(r.code))) {
      const content = contentOf(response);
      expect(
        content.map((c) => c.type),
        code,
      ).toEqual(['application/problem+json']);
      for (const value of exampleValues(content[0]!.media)) {
        expect(value, code).toMatchObject({
          type: expect.any(String),
          title: expect.any(String),
          status: Number(code),
        });
      }
    }
  });
});

describe('token-manager API specifics', () => {
  const find = (id: string) => operations.find((o) => o.operation.operationId === id)!;
  const response = (id: string, code: string) => responsesOf(find(id)).find((r) => r.code === code)?.response;

  it('storeRefreshToken answers 201', () => {
    expect(response('storeRefreshToken', '201')).toBeDefined();
  });

  it('an error callback answers 400 with code consent_denied', () => {
    const media = contentOf(response('offlineCallback', '400')!)[0]!.media;
    expect(schemaRef(media)).toBe('#/components/schemas/Problem');
    expect(exampleValues(media)).toContainEqual(expect.objectContaining({ status: 400, code: 'consent_denied' }));
  });

  it('retrieveExternalToken answers 401 ExternalTokenReconsentProblem with consent_url, and 404 for an unknown provider', () => {
    const media = contentOf(response('retrieveExternalToken', '401')!)[0]!.media;
    expect(JSON.stringify(media.schema)).toContain('#/components/schemas/ExternalTokenReconsentProblem');
    expect(exampleValues(media)).toContainEqual(
      expect.objectContaining({ code: 'reconsent_required', consent_url: expect.stringMatching(/^https:\/\//) }),
    );
    expect(response('retrieveExternalToken', '404')).toBeDefined();
  });

  it('ExternalTokenReconsentProblem is a Problem pinned to code reconsent_required', () => {
    const schema = resolve({ $ref: '#/components/schemas/ExternalTokenReconsentProblem' });
    const [base, own] = schema.allOf as [Json, Json];
    expect(base).toEqual({ $ref: '#/components/schemas/Problem' });
    expect((own.properties as Json).code).toEqual({ type: 'string', const: 'reconsent_required' });
    expect(own.required).toEqual(['code', 'consent_url']);
  });
});
