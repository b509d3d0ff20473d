import { beforeAll, describe, expect, it } from 'vitest';
import { FakeOP, rejection } from '../../test/oauth/fake-op.js';
import { TokenValidationError } from '../errors.js';

const API = 'https://api.example.test/';
let op: FakeOP;

beforeAll(async () => {
  op = await FakeOP.create({ algs: ['ES256', 'RS256'] });
});

function jwt(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = { typ: 'at+jwt' }) {
  const now = op.now();
  const claims = {
    iss: op.issuer,
    aud: API,
    sub: 'alice',
    client_id: 'svc',
    jti: 'jti-1',
    iat: now,
    exp: now + 300,
    scope: 'api:read openid',
    ...overrides,
  };
  return op.sign(Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)), header);
}

async function refused(token: Promise<string>, code: string, requiredScopes?: string[]) {
  const error = await rejection(op.client().verifyAccessToken(await token, { audience: API, requiredScopes }));
  expect(TokenValidationError.is(error), String(error)).toBe(true);
  expect(error.code).toBe(code);
}

describe('verifyAccessToken (RFC 9068)', () => {
  it('resolves to the verified claims', async () => {
    const claims = await op.client().verifyAccessToken(await jwt({ aud: [API, 'x'] }), {
      audience: API,
      requiredScopes: ['api:read'],
    });
    expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', client_id: 'svc', scope: 'api:read openid' });
  });

  it('accepts typ application/at+jwt in any case', async () => {
    const claims = await op.client().verifyAccessToken(await jwt({}, { typ: 'Application/AT+JWT' }), { audience: API });
    expect(claims.sub).toBe('alice');
  });

  it('refuses a token without typ at+jwt (e.g. an ID token)', async () => {
    await refused(jwt({}, {}), 'invalid_typ');
    await refused(jwt({}, { typ: 'JWT' }), 'invalid_typ');
  });

  it('refuses another issuer or audience', async () => {
    await refused(jwt({ iss: 'https://evil.example.test' }), 'iss_mismatch');
    await refused(jwt({ aud: 'https://other.example.test/' }), 'aud_mismatch');
  });

  it('refuses expired and future tokens', async () => {
    await refused(jwt({ exp: op.now() - 60 }), 'token_expired');
    await refused(jwt({ iat: op.now() + 120 }), 'iat_in_future');
    await refused(jwt({ nbf: op.now() + 120 }), 'nbf_in_future');
  });

  it.each(['exp', 'iat', 'sub', 'client_id', 'jti'])('refuses a token without %s', async (claim) => {
    await refused(jwt({ [claim]: undefined }), `${claim}_missing`);
  });

  it.each(['exp', 'iat', 'nbf'])(
    'refuses a non-numeric %s as <claim>_invalid (a string nbf never skips the check)',
    async (claim) => {
      for (const value of [String(op.now() + 3600), null, [1], { t: 1 }]) {
        await refused(jwt({ [claim]: value }), `${claim}_invalid`);
      }
    },
  );

  it('splits scope on U+0020 only (RFC 6749 §3.3)', async () => {
    await refused(jwt({ scope: 'api:read\tapi:write' }), 'insufficient_scope', ['api:write']);
    await refused(jwt({ scope: 'api:read\napi:write' }), 'insufficient_scope', ['api:write']);
    const claims = await op.client().verifyAccessToken(await jwt({ scope: 'api:read  api:write' }), {
      audience: API,
      requiredScopes: ['api:write'],
    });
    expect(claims.sub).toBe('alice');
  });

  it('refuses a token lacking a required scope', async () => {
    await refused(jwt(), 'insufficient_scope', ['api:read', 'api:write']);
    await refused(jwt({ scope: undefined }), 'insufficient_scope', ['api:read']);
  });

  it('refuses a bad signature and alg none', async () => {
    const token = await jwt();
    await refused(Promise.resolve(`${token.slice(0, -4)}AAAA`), 'invalid_signature');
    const [header, payload] = token.split('.');
    const none = btoa(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).replace(/=+$/, '');
    await refused(Promise.resolve(`${none}.${payload}.`), 'alg_not_allowed');
    expect(header).toBeDefined();
  });
});
