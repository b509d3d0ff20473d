import { base64url, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection, signingKey } from '../../test/oauth/fake-op.js';
import { ConfigurationError, InvalidResponseError, TokenValidationError } from '../errors.js';
import type { OAuthClientOptions } from './types.js';

let op: FakeOP;

beforeAll(async () => {
  op = await FakeOP.create({ algs: ['ES256', 'RS256', 'PS256', 'EdDSA'] });
});

type Forge = (nonce: string) => Promise<string>;

/** Runs a whole code flow whose token endpoint returns the ID token `forge` makes. */
async function signIn(forge: Forge, options: Partial<OAuthClientOptions> = {}, maxAge?: number) {
  const client = op.client(options);
  const request = await client.createAuthorizationUrl(maxAge === undefined ? {} : { maxAge });
  op.on('/token', async () =>
    json({ access_token: 'at', token_type: 'Bearer', id_token: await forge(request.nonce ?? '') }),
  );
  // A code per flow: a code already redeemed in the process is refused before it is sent.
  return client.handleCallback(op.callback({ code: `c-${request.state}`, state: request.state }), request);
}

async function refused(forge: Forge, code: string, options: Partial<OAuthClientOptions> = {}, maxAge?: number) {
  const error = await rejection(signIn(forge, options, maxAge));
  expect(TokenValidationError.is(error), String(error)).toBe(true);
  expect(error.code).toBe(code);
  return error;
}

function unsigned(payload: object): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none' })}.${encode(payload)}.`;
}

describe('ID token validation on the code flow', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA'])('accepts a good %s token', async (alg) => {
    const key = op.keys.find((k) => k.alg === alg);
    const tokens = await signIn((nonce) => op.idToken({ nonce }, {}, key));
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('refuses a signature made by a key outside the JWKS (same kid)', async () => {
    const impostor = await signingKey('ES256', op.keys[0]!.kid);
    await refused((nonce) => op.idToken({ nonce }, {}, impostor), 'invalid_signature');
  });

  it('refuses a tampered payload', async () => {
    await refused(async (nonce) => {
      const [header, , signature] = (await op.idToken({ nonce })).split('.');
      const forged = base64url.encode(JSON.stringify(op.claims({ nonce, sub: 'mallory' })));
      return `${header}.${forged}.${signature}`;
    }, 'invalid_signature');
  });

  it('refuses alg none', async () => {
    await refused(async (nonce) => unsigned(op.claims({ nonce })), 'alg_not_allowed');
  });

  it('accepts alg none only when the client registered none', async () => {
    const tokens = await signIn(async (nonce) => unsigned(op.claims({ nonce })), { idTokenSignedResponseAlg: 'none' });
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('refuses HS256 signed with the client secret unless registered, and accepts it when registered', async () => {
    const hs256 = (nonce: string) =>
      new SignJWT(op.claims({ nonce }))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(CLIENT_SECRET));
    await refused(hs256, 'alg_not_allowed');
    const tokens = await signIn(hs256, { idTokenSignedResponseAlg: 'HS256' });
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('refuses an algorithm outside the allow-list (RS384) unless configured', async () => {
    const rs384 = await signingKey('RS384');
    op.extraJwks = [rs384.publicJwk];
    op.clock.advance(31_000); // past the JWKS refetch cooldown
    try {
      await refused((nonce) => op.idToken({ nonce }, {}, rs384), 'alg_not_allowed');
      const tokens = await signIn((nonce) => op.idToken({ nonce }, {}, rs384), { idTokenSignedResponseAlg: 'RS384' });
      expect(tokens.claims?.sub).toBe('alice');
    } finally {
      op.extraJwks = [];
    }
  });

  it('refuses another issuer', async () => {
    await refused((nonce) => op.idToken({ nonce, iss: 'https://evil.example.test' }), 'iss_mismatch');
  });

  it('refuses another audience', async () => {
    await refused((nonce) => op.idToken({ nonce, aud: 'other-client' }), 'aud_mismatch');
  });

  it('requires azp = client_id when there are several audiences', async () => {
    await refused((nonce) => op.idToken({ nonce, aud: [CLIENT_ID, 'other'] }), 'azp_mismatch');
    await refused((nonce) => op.idToken({ nonce, aud: [CLIENT_ID, 'other'], azp: 'other' }), 'azp_mismatch');
    const tokens = await signIn((nonce) => op.idToken({ nonce, aud: [CLIENT_ID, 'other'], azp: CLIENT_ID }));
    expect(tokens.claims?.azp).toBe(CLIENT_ID);
  });

  it('refuses a wrong or missing nonce', async () => {
    await refused(() => op.idToken({ nonce: 'replayed-nonce' }), 'nonce_mismatch');
    await refused(() => op.idToken(), 'nonce_mismatch');
  });

  it('refuses an expired token, allowing the clock tolerance', async () => {
    await refused((nonce) => op.idToken({ nonce, exp: op.now() - 31, iat: op.now() - 600 }), 'token_expired');
    const tokens = await signIn((nonce) => op.idToken({ nonce, exp: op.now() - 20, iat: op.now() - 600 }));
    expect(tokens.claims).toBeDefined();
    await refused((nonce) => op.idToken({ nonce, exp: op.now() - 5 }), 'token_expired', { clockTolerance: 0 });
  });

  it('refuses iat and nbf in the future', async () => {
    await refused((nonce) => op.idToken({ nonce, iat: op.now() + 120 }), 'iat_in_future');
    await refused((nonce) => op.idToken({ nonce, nbf: op.now() + 120 }), 'nbf_in_future');
  });

  it('refuses missing exp, iat or sub', async () => {
    await refused((nonce) => op.idToken({ nonce, exp: undefined }), 'exp_missing');
    await refused((nonce) => op.idToken({ nonce, iat: undefined }), 'iat_missing');
    await refused((nonce) => op.idToken({ nonce, sub: undefined }), 'sub_missing');
    await refused((nonce) => op.idToken({ nonce, sub: '' }), 'sub_missing');
  });

  it('checks auth_time against max_age', async () => {
    await refused((nonce) => op.idToken({ nonce }), 'auth_time_missing', {}, 60);
    await refused((nonce) => op.idToken({ nonce, auth_time: op.now() - 600 }), 'auth_time_too_old', {}, 60);
    const tokens = await signIn((nonce) => op.idToken({ nonce, auth_time: op.now() - 10 }), {}, 60);
    expect(tokens.claims?.auth_time).toBe(op.now() - 10);
  });

  it('refuses a token that is not a JWS', async () => {
    await refused(async () => 'not-a-jwt', 'malformed_jwt');
  });

  it('keeps the ID token out of error messages and JSON', async () => {
    let token = '';
    const error = await refused(async (nonce) => {
      token = await op.idToken({ nonce, aud: 'other' });
      return token;
    }, 'aud_mismatch');
    expect(`${String(error)} ${JSON.stringify(error)} ${error.stack}`).not.toContain(token.split('.')[2]);
  });

  it('refuses claims of the wrong type as <claim>_invalid, never skipping the check', async () => {
    for (const name of ['exp', 'iat', 'nbf', 'auth_time']) {
      for (const value of ['9999999999', null, { n: 1 }, true]) {
        await refused((nonce) => op.idToken({ nonce, [name]: value }), `${name}_invalid`);
      }
    }
  });
});

describe('ID token signing algorithm (OpenID Connect Registration id_token_signed_response_alg)', () => {
  const es256 = () => op.keys.find((k) => k.alg === 'ES256');
  const rs256 = () => op.keys.find((k) => k.alg === 'RS256');

  it('accepts only the registered alg when the client says', async () => {
    const tokens = await signIn((nonce) => op.idToken({ nonce }, {}, es256()), { idTokenSignedResponseAlg: 'ES256' });
    expect(tokens.claims?.sub).toBe('alice');
    await refused((nonce) => op.idToken({ nonce }, {}, rs256()), 'alg_not_allowed', {
      idTokenSignedResponseAlg: 'ES256',
    });
  });

  it("accepts the provider's advertised algs when the client does not say, and only RS256 without a list", async () => {
    const advertised = op.metadata.id_token_signing_alg_values_supported;
    try {
      op.metadata.id_token_signing_alg_values_supported = ['RS256'];
      await refused((nonce) => op.idToken({ nonce }, {}, es256()), 'alg_not_allowed');
      delete op.metadata.id_token_signing_alg_values_supported;
      await refused((nonce) => op.idToken({ nonce }, {}, es256()), 'alg_not_allowed');
      expect((await signIn((nonce) => op.idToken({ nonce }, {}, rs256()))).claims?.sub).toBe('alice');
      // An advertised `none` or HS256 is never taken as a default.
      op.metadata.id_token_signing_alg_values_supported = ['none', 'HS256'];
      await refused(async (nonce) => unsigned(op.claims({ nonce })), 'alg_not_allowed');
      expect((await signIn((nonce) => op.idToken({ nonce }, {}, rs256()))).claims?.sub).toBe('alice');
    } finally {
      op.metadata.id_token_signing_alg_values_supported = advertised;
    }
  });

  it('refuses an unknown registered alg at construction', () => {
    for (const alg of ['RS999', '', 42]) {
      let error: unknown;
      try {
        op.client({ idTokenSignedResponseAlg: alg as string });
      } catch (caught) {
        error = caught;
      }
      expect(ConfigurationError.is(error), String(alg)).toBe(true);
      expect((error as ConfigurationError).code).toBe('invalid_option');
    }
  });
});

describe('at_hash and the presence of the ID token', () => {
  async function atHash(accessToken: string): Promise<string> {
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)));
    return base64url.encode(hash.subarray(0, 16));
  }

  it('accepts a matching at_hash and refuses one for another access token', async () => {
    const tokens = await signIn(async (nonce) => op.idToken({ nonce, at_hash: await atHash('at') }));
    expect(tokens.claims?.at_hash).toBe(await atHash('at'));
    await refused(async (nonce) => op.idToken({ nonce, at_hash: await atHash('another-at') }), 'at_hash_mismatch');
    await refused(async (nonce) => op.idToken({ nonce, at_hash: 42 }), 'at_hash_mismatch');
  });

  it('uses the hash of the alg: SHA-512 for EdDSA', async () => {
    const key = op.keys.find((k) => k.alg === 'EdDSA');
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-512', new TextEncoder().encode('at')));
    const good = base64url.encode(hash.subarray(0, 32));
    const tokens = await signIn((nonce) => op.idToken({ nonce, at_hash: good }, {}, key));
    expect(tokens.claims?.sub).toBe('alice');
    await refused(async (nonce) => op.idToken({ nonce, at_hash: await atHash('at') }, {}, key), 'at_hash_mismatch');
  });

  it('requires an id_token when the request asked for openid, and not otherwise', async () => {
    const client = op.client();
    const request = await client.createAuthorizationUrl({ scope: 'openid email' });
    op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
    const error = await rejection(client.handleCallback(op.callback({ code: 'c', state: request.state }), request));
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error.code).toBe('id_token_missing');

    const plain = await client.createAuthorizationUrl({ scope: 'api:read' });
    expect(plain.nonce).toBeUndefined();
    expect(plain.url.searchParams.has('nonce')).toBe(false);
    const tokens = await client.handleCallback(op.callback({ code: 'c2', state: plain.state }), plain);
    expect(tokens.access_token).toBe('at');
    expect(tokens.id_token).toBeUndefined();
  });
});
