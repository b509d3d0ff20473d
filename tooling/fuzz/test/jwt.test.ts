// Target 2: JWTs. Access tokens through createAccessTokenVerifier (discovery and JWKS served by an
// injected fetch), and ID tokens through an OAuthClient's token response.
import { createAccessTokenVerifier, OAuthClient, type OAuthClientOptions } from '@keyway/core';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { jsonAnswer } from '../src/http.ts';
import {
  AUDIENCE,
  accessClaims,
  CLIENT_ID,
  claimCandidates,
  ENDPOINTS,
  ISSUER,
  idClaims,
  issuerFetch,
  METADATA,
} from '../src/issuer.ts';
import { buildJws, CLIENT_SECRET, compactLike, type KeyRing, keyRing, nearValidJws, wildJws } from '../src/jwt.ts';
import { expectTypedOutcome } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
beforeAll(async () => {
  keys = await keyRing();
});

/** Token inputs: garbage, near-valid access tokens, wild documents. */
const accessToken = () =>
  fc.oneof(
    { weight: 1, arbitrary: compactLike.map((token) => async () => token) },
    {
      weight: 6,
      arbitrary: nearValidJws(accessClaims, claimCandidates(), 'at+jwt').map((plan) => () => buildJws(plan, keys)),
    },
    { weight: 1, arbitrary: wildJws.map((plan) => () => buildJws(plan, keys)) },
  );

const requiredScopes = fc.option(fc.array(fc.oneof(fc.constantFrom('read', 'write', 'admin', ''), anyString)), {
  nil: undefined,
});

type Verify = (token: string, scopes: string[] | undefined) => Promise<unknown>;

const verifyProperty = (verify: () => Verify, tally?: Tally) =>
  fc.asyncProperty(accessToken(), requiredScopes, async (make, scopes) => {
    const token = await make();
    await expectTypedOutcome(() => verify()(token, scopes), { tally });
  });

/** Checks every access-token verifier must reach with these inputs (else the generators degenerated). */
const ACCESS_REACHED = ['result', 'malformed_jwt', 'invalid_signature', 'iss_mismatch', 'insufficient_scope'];

describe('createAccessTokenVerifier().verify', () => {
  let verifier: ReturnType<typeof createAccessTokenVerifier>;
  beforeAll(() => {
    verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: issuerFetch(keys),
      retry: false,
    });
  });
  const verify: () => Verify = () => (token, scopes) =>
    verifier.verify(token, scopes === undefined ? {} : { requiredScopes: scopes });

  it('arbitrary, near-valid and signed-but-wrong tokens: claims or a typed error', async () => {
    const tally = new Tally();
    await fuzz(verifyProperty(verify, tally));
    console.log(`verify: ${tally}`);
    tally.expectReached(ACCESS_REACHED);
  });

  it('a cold verifier per case (discovery and JWKS fetched each time)', async () => {
    await fuzz(
      verifyProperty(() => (token) => {
        const cold = createAccessTokenVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          fetch: issuerFetch(keys),
          retry: false,
        });
        return cold.verify(token);
      }),
    );
  });

  it('OAuthClient.verifyAccessToken: the same checks', async () => {
    const client = new OAuthClient(METADATA, { clientId: CLIENT_ID, fetch: issuerFetch(keys), retry: false });
    await fuzz(
      verifyProperty(
        () => (token, scopes) => client.verifyAccessToken(token, { audience: AUDIENCE, requiredScopes: scopes }),
      ),
    );
  });

  it('sanity: the property catches a verifier that throws a TypeError', async () => {
    await expectPropertyToFail(
      verifyProperty(() => async (token, scopes) => {
        if (token.length % 3 === 0) {
          throw new TypeError('broken verifier');
        }
        return verify()(token, scopes);
      }),
    );
  });
});

/** ID-token settings a client may register. */
const CLIENT_VARIANTS: Array<Partial<OAuthClientOptions>> = [
  {},
  { clientSecret: CLIENT_SECRET },
  { clientSecret: CLIENT_SECRET, idTokenSignedResponseAlg: 'HS256' },
  { idTokenSignedResponseAlg: 'ES256' },
  { idTokenSignedResponseAlg: 'none' },
  { clockTolerance: 0 },
];

const idToken = () =>
  fc.oneof(
    { weight: 1, arbitrary: compactLike.map((token) => async () => token) },
    {
      weight: 6,
      arbitrary: nearValidJws(idClaims, claimCandidates(), 'JWT', { hmac: true }).map(
        (plan) => () => buildJws(plan, keys),
      ),
    },
    { weight: 1, arbitrary: wildJws.map((plan) => () => buildJws(plan, keys)) },
  );

type Grant = (client: OAuthClient) => Promise<unknown>;

const GRANTS: Record<string, Grant> = {
  clientCredentials: (client) => client.clientCredentials(),
  refresh: (client) => client.refresh('rt'),
  refreshWithSubject: (client) => client.refresh('rt', { expectedSubject: 'user-1' }),
  refreshTokenSet: (client) =>
    client.refresh({
      access_token: 'old',
      token_type: 'Bearer',
      refresh_token: 'rt',
      id_token: 'old.id.token',
      claims: { iss: ISSUER, sub: 'user-1', aud: CLIENT_ID, exp: 1, iat: 1 },
    }),
  tokenExchange: (client) =>
    client.tokenExchange({ subjectToken: 's', subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token' }),
};

const idTokenProperty = (run: (grant: Grant, client: OAuthClient) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(
    idToken(),
    fc.constantFrom(...CLIENT_VARIANTS),
    fc.constantFrom(...Object.keys(GRANTS)),
    fc.constantFrom('Bearer', 'bearer', 'N_A'),
    async (make, variant, grant, type) => {
      // N_A is a token type of token exchange only.
      const tokenType = type === 'N_A' && grant !== 'tokenExchange' ? 'Bearer' : type;
      const id_token = await make();
      const client = new OAuthClient(METADATA, {
        clientId: CLIENT_ID,
        retry: false,
        ...variant,
        fetch: issuerFetch(keys, {
          [ENDPOINTS.token]: () =>
            jsonAnswer({
              access_token: 'at',
              token_type: tokenType,
              id_token,
              issued_token_type: 'urn:ietf:params:oauth:token-type:id_token',
            }),
        }),
      });
      await expectTypedOutcome(() => run(GRANTS[grant] as Grant, client), { tally });
    },
  );

describe('OAuthClient ID-token validation (a token response carrying an arbitrary id_token)', () => {
  it('every grant: a token set with validated claims, or a typed error', async () => {
    const tally = new Tally();
    await fuzz(idTokenProperty((grant, client) => grant(client), tally));
    console.log(`id tokens: ${tally}`);
    tally.expectReached(['result', 'malformed_jwt', 'invalid_signature', 'alg_not_allowed']);
  });

  it('sanity: the property catches a grant that throws a SyntaxError', async () => {
    await expectPropertyToFail(
      idTokenProperty(async (grant, client) => {
        const tokens = (await grant(client).catch(() => undefined)) as { id_token?: string } | undefined;
        if (tokens?.id_token === undefined) {
          throw new SyntaxError('broken');
        }
        return tokens;
      }),
    );
  });
});
