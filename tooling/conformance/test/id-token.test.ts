import { InvalidResponseError, TokenValidationError } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  codeFlow,
  decodePayload,
  expectError,
  newClient,
  secretScan,
  type TokenTweak,
  useHostileOp,
} from '../src/index.ts';

const op = useHostileOp();

const now = () => Math.floor(Date.now() / 1000);

/** A code flow against the OP issuing an ID token bent by `tweak`. */
function flowWith(tweak: TokenTweak, options: Parameters<typeof newClient>[1] = {}) {
  const { client } = newClient(op, options);
  op.scenario = { ...op.scenario, idToken: tweak };
  return codeFlow(client);
}

describe('ID token: positive controls', () => {
  it('accepts the ID token of a correct OP and returns its claims', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    expect(tokens.claims?.sub).toBe('alice');
    expect(tokens.claims?.aud).toBe(CLIENT_ID);
    expect(decodePayload(tokens.id_token as string).nonce).toBe(tokens.claims?.nonce);
  });

  it('accepts an ES256 ID token when the provider advertises ES256', async () => {
    const tokens = await flowWith({ key: 'es' });
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('accepts a token without kid when exactly one published key can verify it', async () => {
    const tokens = await flowWith({ header: { kid: undefined } });
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('accepts an expired token within the clock tolerance (exp 10 s ago, tolerance 30 s)', async () => {
    const tokens = await flowWith({ claims: { exp: now() - 10 } });
    expect(tokens.claims?.exp).toBeLessThan(now());
  });

  it('accepts an HS256 ID token signed with the client secret when the client registered HS256', async () => {
    const { client, clientSecret } = newClient(op, { idTokenSignedResponseAlg: 'HS256' });
    op.scenario = { idToken: { hmac: clientSecret } };
    const tokens = await codeFlow(client);
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('accepts aud as an array with azp naming the client', async () => {
    const tokens = await flowWith({ claims: { aud: [CLIENT_ID, 'other-client'], azp: CLIENT_ID } });
    expect(tokens.claims?.azp).toBe(CLIENT_ID);
  });

  it('accepts an ID token without at_hash (optional in the code flow)', async () => {
    const tokens = await flowWith({ claims: { at_hash: undefined } });
    expect(tokens.claims?.at_hash).toBeUndefined();
  });

  it('accepts a 60 000-character ID token (below the 64 KiB cap)', async () => {
    const tokens = await flowWith({ padTo: 60_000 });
    expect((tokens.id_token as string).length).toBeGreaterThanOrEqual(60_000);
    expect((tokens.id_token as string).length).toBeLessThan(65_536);
  });

  it('expects no ID token when the authorization request had no openid scope', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client, { scope: 'profile' });
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.claims).toBeUndefined();
  });

  it('accepts a refreshed ID token about the same subject', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    const fresh = await client.refresh(tokens);
    expect(fresh.claims?.sub).toBe('alice');
    expect(fresh.access_token).not.toBe(tokens.access_token);
  });
});

describe('ID token: algorithms', () => {
  it('refuses RS256 when the client registered ES256 (idTokenSignedResponseAlg)', async () => {
    await expectError(flowWith({}, { idTokenSignedResponseAlg: 'ES256' }), TokenValidationError, 'alg_not_allowed');
  });

  it("refuses RS256 when the provider's id_token_signing_alg_values_supported lists only ES256", async () => {
    op.scenario = { metadata: { id_token_signing_alg_values_supported: ['ES256'] } };
    await expectError(flowWith({}), TokenValidationError, 'alg_not_allowed');
  });

  it('refuses ES256 when neither the client nor the provider names an algorithm (RS256 only)', async () => {
    op.scenario = { metadata: { id_token_signing_alg_values_supported: undefined } };
    await expectError(flowWith({ key: 'es' }), TokenValidationError, 'alg_not_allowed');
  });

  it('accepts RS256 when neither the client nor the provider names an algorithm', async () => {
    op.scenario = { metadata: { id_token_signing_alg_values_supported: undefined } };
    const tokens = await flowWith({});
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('refuses an unsigned ID token (alg none)', async () => {
    await expectError(flowWith({ none: true }), TokenValidationError, 'alg_not_allowed');
  });

  it('refuses alg none even when the provider advertises it', async () => {
    op.scenario = { metadata: { id_token_signing_alg_values_supported: ['RS256', 'none'] } };
    await expectError(flowWith({ none: true }), TokenValidationError, 'alg_not_allowed');
  });

  it("refuses HS256 signed with the OP's public key as the secret (algorithm confusion)", async () => {
    await expectError(flowWith({ hmac: 'public-key' }), TokenValidationError, 'alg_not_allowed');
  });

  it('refuses HS256 signed with the client secret when the client did not register HS256, even if advertised', async () => {
    const { client, clientSecret } = newClient(op);
    op.scenario = {
      metadata: { id_token_signing_alg_values_supported: ['RS256', 'HS256'] },
      idToken: { hmac: clientSecret },
    };
    await expectError(codeFlow(client), TokenValidationError, 'alg_not_allowed');
  });
});

describe('ID token: keys and signatures', () => {
  it('refuses a token without kid when two published keys could verify it (kid_missing)', async () => {
    op.scenario = { published: ['rs', 'rs2', 'es'] };
    await expectError(flowWith({ header: { kid: undefined } }), TokenValidationError, 'kid_missing');
  });

  it('refuses a token whose kid is in no published key (unknown_kid)', async () => {
    await expectError(flowWith({ header: { kid: 'no-such-key' } }), TokenValidationError, 'unknown_kid');
  });

  it("refuses a token signed by another key under the published key's kid (invalid_signature)", async () => {
    await expectError(flowWith({ key: 'impostor' }), TokenValidationError, 'invalid_signature');
  });

  it('refuses a token whose payload was changed after signing (invalid_signature)', async () => {
    await expectError(flowWith({ tamper: true }), TokenValidationError, 'invalid_signature');
  });

  it('refuses a token that is not a JWS (malformed_jwt)', async () => {
    await expectError(flowWith({ raw: 'this-is-not-a-jwt-but-a-string' }), TokenValidationError, 'malformed_jwt');
  });

  it('refuses a five-part token (JWE shape) as malformed_jwt', async () => {
    const raw = 'eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVydGV4dA.dGFn';
    await expectError(flowWith({ raw }), TokenValidationError, 'malformed_jwt');
  });

  it('refuses a token marking an unknown extension critical (crit) as malformed_jwt', async () => {
    await expectError(
      flowWith({ header: { crit: ['exp-ext'], 'exp-ext': true } }),
      TokenValidationError,
      'malformed_jwt',
    );
  });

  it('refuses a token longer than 64 KiB (jwt_too_large)', async () => {
    await expectError(flowWith({ padTo: 70_000 }), TokenValidationError, 'jwt_too_large');
  });
});

describe('ID token: claims', () => {
  it('refuses an ID token from another issuer (iss_mismatch)', async () => {
    await expectError(flowWith({ claims: { iss: 'https://evil.example.test' } }), TokenValidationError, 'iss_mismatch');
  });

  it('refuses an ID token for another client (aud_mismatch)', async () => {
    await expectError(flowWith({ claims: { aud: 'other-client' } }), TokenValidationError, 'aud_mismatch');
  });

  it('refuses several audiences without azp (azp_mismatch)', async () => {
    await expectError(flowWith({ claims: { aud: [CLIENT_ID, 'other-client'] } }), TokenValidationError, 'azp_mismatch');
  });

  it('refuses an azp naming another client (azp_mismatch)', async () => {
    await expectError(flowWith({ claims: { azp: 'other-client' } }), TokenValidationError, 'azp_mismatch');
  });

  it('refuses an expired ID token (token_expired)', async () => {
    await expectError(flowWith({ claims: { exp: now() - 3600 } }), TokenValidationError, 'token_expired');
  });

  it('refuses exp 10 s ago with clockTolerance 0 (token_expired)', async () => {
    await expectError(
      flowWith({ claims: { exp: now() - 10 } }, { clockTolerance: 0 }),
      TokenValidationError,
      'token_expired',
    );
  });

  it('refuses an ID token issued an hour in the future (iat_in_future)', async () => {
    await expectError(flowWith({ claims: { iat: now() + 3600 } }), TokenValidationError, 'iat_in_future');
  });

  it('refuses an ID token not valid for another hour (nbf_in_future)', async () => {
    await expectError(flowWith({ claims: { nbf: now() + 3600 } }), TokenValidationError, 'nbf_in_future');
  });

  it('refuses another nonce (nonce_mismatch)', async () => {
    await expectError(
      flowWith({ claims: { nonce: 'a-nonce-from-another-request' } }),
      TokenValidationError,
      'nonce_mismatch',
    );
  });

  it('refuses an ID token without the nonce that was sent (nonce_mismatch)', async () => {
    await expectError(flowWith({ claims: { nonce: undefined } }), TokenValidationError, 'nonce_mismatch');
  });

  it('refuses an ID token without sub (sub_missing)', async () => {
    await expectError(flowWith({ claims: { sub: undefined } }), TokenValidationError, 'sub_missing');
  });

  it('refuses an empty sub (sub_missing)', async () => {
    await expectError(flowWith({ claims: { sub: '' } }), TokenValidationError, 'sub_missing');
  });

  it('refuses an ID token without exp (exp_missing)', async () => {
    await expectError(flowWith({ claims: { exp: undefined } }), TokenValidationError, 'exp_missing');
  });

  it('refuses an ID token without iat (iat_missing)', async () => {
    await expectError(flowWith({ claims: { iat: undefined } }), TokenValidationError, 'iat_missing');
  });

  it('refuses exp as a string "123" (exp_invalid)', async () => {
    await expectError(flowWith({ claims: { exp: '123' } }), TokenValidationError, 'exp_invalid');
  });

  it('refuses exp null (exp_invalid)', async () => {
    await expectError(flowWith({ claims: { exp: null } }), TokenValidationError, 'exp_invalid');
  });

  it('refuses iat as an object (iat_invalid)', async () => {
    await expectError(flowWith({ claims: { iat: { seconds: now() } } }), TokenValidationError, 'iat_invalid');
  });

  it('refuses nbf as a string "123" (nbf_invalid)', async () => {
    await expectError(flowWith({ claims: { nbf: '123' } }), TokenValidationError, 'nbf_invalid');
  });

  it('refuses auth_time as a string (auth_time_invalid)', async () => {
    await expectError(flowWith({ claims: { auth_time: String(now()) } }), TokenValidationError, 'auth_time_invalid');
  });

  it('refuses an ID token without auth_time when max_age was sent (auth_time_missing)', async () => {
    const { client } = newClient(op);
    op.scenario = { idToken: { claims: { auth_time: undefined } } };
    await expectError(codeFlow(client, { maxAge: 300 }), TokenValidationError, 'auth_time_missing');
  });

  it('refuses an at_hash that does not match the access token (at_hash_mismatch)', async () => {
    await expectError(
      flowWith({ claims: { at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
      TokenValidationError,
      'at_hash_mismatch',
    );
  });

  it('refuses a token response without id_token when openid was asked for (id_token_missing)', async () => {
    await expectError(
      (async () => {
        const { client } = newClient(op);
        op.scenario = { idToken: 'omit' };
        return codeFlow(client);
      })(),
      InvalidResponseError,
      'id_token_missing',
    );
  });

  it('refuses a refreshed ID token about another subject (sub_mismatch)', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    op.scenario = { subject: 'mallory' };
    await expectError(client.refresh(tokens), TokenValidationError, 'sub_mismatch');
  });

  it('refuses a refreshed ID token about another subject than expectedSubject (sub_mismatch)', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    op.scenario = { subject: 'mallory' };
    await expectError(
      client.refresh(tokens.refresh_token as string, { expectedSubject: 'alice' }),
      TokenValidationError,
      'sub_mismatch',
    );
  });
});

secretScan();
