/*
 * What each case of src/worker.ts must report, shared by the workerd and edge-runtime suites: one
 * vitest test per case, asserting on the detail the runtime sent back.
 */
import { describe, expect, it } from 'vitest';
import type { CaseResult, Detail } from '../src/cases/types.ts';

/** Runs one case in the runtime under test and answers what the Worker sent back. */
export type RunCase = (name: string) => Promise<CaseResult>;

/** The detail of a case that must have passed; a failed case fails the test with the runtime's error. */
async function detailOf(run: RunCase, name: string): Promise<Detail> {
  const result = await run(name);
  if (!result.ok) {
    throw new Error(`case ${name} failed inside the runtime (code ${result.code}): ${result.error}`);
  }
  return result.detail;
}

const signed = (alg: string) => ({
  issuer: true,
  tokenType: 'Bearer',
  expiresAtInFuture: true,
  header: { alg, typ: 'at+jwt' },
  claims: { client_id: 'test-client', aud: 'https://api.example.com', scope: 'api:read', iss: true },
  forged: { isValidationError: true, code: 'invalid_signature' },
  otherAudience: { isValidationError: true, code: 'aud_mismatch' },
});

/** Declares one test per case; `runtime` names the runtime in the titles. */
export function describeCases(runtime: string, run: RunCase): void {
  const detail = (name: string) => detailOf(run, name);

  describe(`the typed service client in ${runtime}`, () => {
    it('access.retrieve() answers an RFC 9068 access token for a persistent id', async () => {
      const result = await detail('service-access-retrieve');
      expect(result).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, scope: 'api:read', jwtTyp: 'at+jwt' });
      expect(result.calls).toEqual([expect.stringMatching(/^GET \/api\/v1\/access\/ptk_\S+ 200$/)]);
    });

    it('validation.verify() sends the bearer token and reads the answer', async () => {
      expect(await detail('service-validation-verify')).toEqual({ valid: true, sentBearer: true });
    });

    it('retries a safe call after a 503, then succeeds', async () => {
      expect(await detail('service-retry-503')).toEqual({ failureHits: 1, statuses: [503, 200], gotToken: true });
    });

    it('turns a 404 into NotFoundError with the request id, without retrying', async () => {
      const result = await detail('service-not-found');
      expect(result).toMatchObject({
        name: 'NotFoundError',
        isNotFound: true,
        isApiError: true,
        instanceOfNotFound: true,
        status: 404,
        attempts: 1,
      });
      expect(result.requestId).toMatch(/^req_/);
      expect(result.requestId).toBe(result.mockRequestId);
    });

    it('gives up a slow answer with KeywayTimeoutError after the timeout', async () => {
      const result = await detail('service-timeout');
      expect(result).toMatchObject({
        name: 'KeywayTimeoutError',
        isTimeout: true,
        isKeywayError: true,
        code: 'timeout',
      });
      // The mock holds the answer 2 s; the client's timeout is 100 ms.
      expect(result.elapsedMs).toBeGreaterThanOrEqual(90);
      expect(result.elapsedMs).toBeLessThan(1_500);
    });
  });

  describe(`OAuth 2.1 / OpenID Connect in ${runtime}`, () => {
    it('discover() + client credentials; the RS256 access token verifies, a forged one does not', async () => {
      expect(await detail('client-credentials-rs256')).toEqual(signed('RS256'));
    });

    it('the same with an ES256 issuer', async () => {
      expect(await detail('client-credentials-es256')).toEqual(signed('ES256'));
    });

    it('the same with an EdDSA issuer', async () => {
      expect(await detail('client-credentials-eddsa')).toEqual(signed('EdDSA'));
    });

    it('code flow: authorization URL, the authorize redirect, handleCallback with a verified ID token', async () => {
      expect(await detail('code-flow')).toEqual({
        authorizeStatus: 302,
        callbackOrigin: 'http://127.0.0.1/callback',
        codeChallengeMethod: 'S256',
        callbackIss: true,
        tokenType: 'Bearer',
        idTokenAlg: 'RS256',
        claims: { sub: 'usr_test', email: 'test@example.com', nonce: true, aud: 'test-client' },
        hasRefreshToken: true,
        replay: { isCallbackError: true, code: 'state_reused' },
        tokenRequests: 1,
      });
    });

    it('device flow: authorize, the user approves, one poll redeems', async () => {
      expect(await detail('device-flow')).toEqual({
        verificationUri: true,
        userCode: true,
        tokenType: 'Bearer',
        sub: 'usr_test',
        hasRefreshToken: true,
        pollStatuses: [200],
      });
    });

    it('DPoP: ES256 proofs at the token endpoint, bound tokens, userinfo with a DPoP proof', async () => {
      expect(await detail('dpop')).toEqual({
        tokenType: 'DPoP',
        jkt: true,
        proofHeader: { typ: 'dpop+jwt', alg: 'ES256', hasJwk: true },
        userinfoScheme: 'DPoP',
        userinfoStatus: 200,
        sub: 'usr_test',
      });
    });
  });

  describe(`the token lifecycle and stores in ${runtime}`, () => {
    it('createTokenSource: 20 callers, one token; authFetch retries once on 401 with a new token', async () => {
      expect(await detail('token-source-auth-fetch')).toEqual({
        tokenRequestsFor20Callers: 1,
        statuses: [200, 200],
        listStatuses: [200, 401, 200],
        tokenRequests: 2,
        storedIsLatest: true,
      });
    });

    it('MemoryTokenStore: expiry, a refresh token kept past it, delete, a refused ttl', async () => {
      expect(await detail('memory-store')).toEqual({
        live: 'at-live',
        stale: null,
        durable: 'rt',
        afterDelete: null,
        badTtl: { isStoreError: true, code: 'invalid_ttl' },
        keyIsHostAware: true,
      });
    });

    it('encryptedStore: AES-GCM round trip; wrong secret, moved value and short secret refused', async () => {
      expect(await detail('encrypted-store')).toEqual({
        roundTrip: { access_token: 'at-plain-secret', refresh_token: 'rt-plain-secret' },
        rawFormat: 'keyway-aes-gcm-v1',
        rawHidesSecrets: true,
        wrongKey: { isStoreError: true, code: 'decrypt_failed' },
        moved: 'decrypt_failed',
        shortSecret: 'invalid_secret',
      });
    });
  });
}
