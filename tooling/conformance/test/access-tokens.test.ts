import { type AccessTokenClaims, TokenValidationError } from '@keyway/core';
import { EdgeAuthError } from '@keyway/edge';
import { describe, expect, it } from 'vitest';
import {
  expectError,
  HOSTILE_TEXT,
  LINE_CONTROLS,
  newClient,
  newEdgeVerifier,
  newVerifier,
  RESOURCE,
  secretScan,
  type TokenTweak,
  useHostileOp,
} from '../src/index.ts';

const op = useHostileOp();

const now = () => Math.floor(Date.now() / 1000);

/** One way a resource server verifies RFC 9068 access tokens, and how it says no. */
interface Api {
  verify(token: string, requiredScopes?: string[]): Promise<AccessTokenClaims>;
  /** Asserts the refusal of `token` with core's TokenValidationError `code` (or edge's rendering of it). */
  refuses(token: string, code: string, requiredScopes?: string[]): Promise<void>;
}

const core = (verify: Api['verify']): Api => ({
  verify,
  async refuses(token, code, requiredScopes) {
    await expectError(verify(token, requiredScopes), TokenValidationError, code);
  },
});

const APIS: Array<[string, () => Api]> = [
  [
    'createAccessTokenVerifier',
    () => {
      const { verifier } = newVerifier(op);
      return core((token, requiredScopes) => verifier.verify(token, { requiredScopes: requiredScopes ?? [] }));
    },
  ],
  [
    'OAuthClient.verifyAccessToken',
    () => {
      const { client } = newClient(op);
      return core((token, requiredScopes) =>
        client.verifyAccessToken(token, { audience: RESOURCE, requiredScopes: requiredScopes ?? [] }),
      );
    },
  ],
  [
    'edge createVerifier',
    () => {
      const { verifier } = newEdgeVerifier(op);
      const request = (token: string) =>
        new Request(`${RESOURCE}/things`, { headers: { authorization: `Bearer ${token}` } });
      const verify: Api['verify'] = (token, requiredScopes) =>
        verifier.verify(request(token), { requiredScopes: requiredScopes ?? [] });
      return {
        verify,
        async refuses(token, code, requiredScopes) {
          const scope = code === 'insufficient_scope';
          const error = await expectError<EdgeAuthError>(
            verify(token, requiredScopes),
            EdgeAuthError,
            scope ? 'insufficient_scope' : 'invalid_token',
          );
          expect({ reason: error.reason, status: error.status }).toEqual({ reason: code, status: scope ? 403 : 401 });
          expect(error.response.headers.get('www-authenticate')).toContain(
            `error="${scope ? 'insufficient_scope' : 'invalid_token'}"`,
          );
        },
      };
    },
  ],
];

const REFUSALS: Array<[string, TokenTweak, string, string[]?]> = [
  ['a token whose typ is not at+jwt', { header: { typ: 'JWT' } }, 'invalid_typ'],
  ['a token without typ', { header: { typ: undefined } }, 'invalid_typ'],
  ['an unsigned token (alg none)', { none: true }, 'alg_not_allowed'],
  ["HS256 signed with the OP's public key (algorithm confusion)", { hmac: 'public-key' }, 'alg_not_allowed'],
  ['a token without kid when two published keys could verify it', { header: { kid: undefined } }, 'kid_missing'],
  ['a token under an unknown kid', { header: { kid: 'no-such-key' } }, 'unknown_kid'],
  ["a token signed by another key under the published key's kid", { key: 'impostor' }, 'invalid_signature'],
  ['a string that is not a JWS', { raw: 'this-is-not-a-jwt-but-a-string' }, 'malformed_jwt'],
  ['a token longer than 64 KiB', { padTo: 70_000 }, 'jwt_too_large'],
  ['a token from another issuer', { claims: { iss: 'https://evil.example.test' } }, 'iss_mismatch'],
  ['a token for another audience', { claims: { aud: 'https://other-api.example.test' } }, 'aud_mismatch'],
  ['an expired token', { claims: { exp: now() - 3600 } }, 'token_expired'],
  ['a token without exp', { claims: { exp: undefined } }, 'exp_missing'],
  ['exp as a string "123"', { claims: { exp: '123' } }, 'exp_invalid'],
  ['iat as a string "123"', { claims: { iat: '123' } }, 'iat_invalid'],
  ['nbf as a string "123"', { claims: { nbf: '123' } }, 'nbf_invalid'],
  [
    'scope "read\\twrite" when write is required (split on U+0020 only)',
    { claims: { scope: 'read\twrite' } },
    'insufficient_scope',
    ['write'],
  ],
  ['a token without scope when read is required', { claims: { scope: undefined } }, 'insufficient_scope', ['read']],
];

describe.each(APIS)('RFC 9068 access tokens through %s', (_name, make) => {
  it('accepts the access token of a correct OP with the scopes it carries', async () => {
    const claims = await make().verify(await op.accessToken(), ['read', 'write']);
    expect(claims.sub).toBe('alice');
    expect(claims.scope).toBe('read write');
  });

  it.each(REFUSALS)('refuses %s', async (_title, tweak, code, requiredScopes) => {
    if (code === 'kid_missing') {
      op.scenario = { published: ['rs', 'rs2', 'es'] };
    }
    await make().refuses(await op.accessToken(tweak), code, requiredScopes);
  });
});

describe('hostile header values do not reach error messages raw', () => {
  it('an unknown kid with CR/LF and escapes (unknown_kid): the message holds no control character', async () => {
    const { verifier } = newVerifier(op);
    const error = await expectError<Error>(
      verifier.verify(await op.accessToken({ header: { kid: `k${HOSTILE_TEXT}` } })),
      TokenValidationError,
      'unknown_kid',
    );
    expect(error.message).not.toMatch(LINE_CONTROLS);
  });

  it('an alg with CR/LF and escapes (alg_not_allowed): the message holds no control character', async () => {
    const { verifier } = newVerifier(op);
    const error = await expectError<Error>(
      verifier.verify(await op.accessToken({ none: true, header: { alg: `none${HOSTILE_TEXT}` } })),
      TokenValidationError,
      'alg_not_allowed',
    );
    expect(error.message).not.toMatch(LINE_CONTROLS);
  });
});

secretScan();
