// Target 1: what an authorization server answers. An OAuthClient whose injected fetch returns
// arbitrary statuses, headers and bodies for every grant and endpoint.
import { OAuthClient, type OAuthClientOptions } from '@keyway/core';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { errorDocument, protocolDocuments, tokenDocument } from '../src/documents.ts';
import { answer, type FakeAnswer } from '../src/http.ts';
import {
  CLIENT_ID,
  claimCandidates,
  ENDPOINTS,
  idClaims,
  inTurn,
  issuerFetch,
  METADATA,
  REDIRECT_URI,
} from '../src/issuer.ts';
import { bodyText, toJsonText } from '../src/json.ts';
import { buildJws, CLIENT_SECRET, type JwsPlan, type KeyRing, keyRing, nearValidJws } from '../src/jwt.ts';
import { expectTypedOutcome } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz, scaledRuns } from '../src/runs.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
beforeAll(async () => {
  keys = await keyRing();
});

/** A body: text, or a JWS built when the case runs (signed userinfo, a token response's id_token). */
type BodyPlan =
  | { kind: 'text'; text: string }
  | { kind: 'jws'; plan: JwsPlan }
  | { kind: 'with-id-token'; doc: unknown; plan: JwsPlan };

const idPlan = nearValidJws(idClaims, claimCandidates(), 'JWT');

const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 6, arbitrary: bodyText(protocolDocuments).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: idPlan.map((plan) => ({ kind: 'jws' as const, plan })) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('with-id-token' as const), doc: tokenDocument, plan: idPlan }),
  },
);

async function buildBody(plan: BodyPlan): Promise<string> {
  switch (plan.kind) {
    case 'text':
      return plan.text;
    case 'jws':
      return buildJws(plan.plan, keys);
    case 'with-id-token': {
      const text = toJsonText(plan.doc);
      const idToken = JSON.stringify(await buildJws(plan.plan, keys));
      return text.startsWith('{') && text.length > 2 ? `{"id_token":${idToken},${text.slice(1)}` : text;
    }
  }
}

/** One to three answers, given in turn (a DPoP nonce retry or a refetch takes the next). */
const answers = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: answer(fc.constant('')).chain((a) => bodyPlan.map((body) => ({ ...a, plan: body }))) },
    // Refusals: an error status with an OAuth error document.
    {
      weight: 1,
      arbitrary: answer(bodyText([errorDocument]), fc.constantFrom(400, 400, 401, 403, 429, 500, 503)).map((a) => ({
        ...a,
        plan: { kind: 'text' as const, text: a.body ?? '' },
      })),
    },
  ),
  { minLength: 1, maxLength: 3 },
);

type PlannedAnswer = Omit<FakeAnswer, 'body'> & { body: string | null; plan: BodyPlan };

async function materialise(list: PlannedAnswer[]): Promise<FakeAnswer[]> {
  return Promise.all(
    list.map(async ({ plan, body, ...rest }) => ({ ...rest, body: body === null ? null : await buildBody(plan) })),
  );
}

/** How the client authenticates and binds tokens. */
const CLIENT_VARIANTS: Record<string, () => Promise<Partial<OAuthClientOptions>>> = {
  basic: async () => ({ clientSecret: CLIENT_SECRET }),
  post: async () => ({ clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post' }),
  public: async () => ({}),
  dpop: async () => ({ dpop: true }),
  privateKeyJwt: async () => ({ privateKey: { key: keys.issuer[1]!.privateKey, kid: 'ec-1' } }),
  hmacIdTokens: async () => ({ clientSecret: CLIENT_SECRET, idTokenSignedResponseAlg: 'HS256' }),
};

type Operation = (client: OAuthClient, signal: AbortSignal | undefined) => Promise<unknown>;

/** Every call that reads an answer from the server. */
const OPERATIONS: Record<string, Operation> = {
  clientCredentials: (c, signal) => c.clientCredentials({ scope: 'read', signal }),
  refresh: (c, signal) => c.refresh('rt-0', { signal }),
  refreshTokenSet: (c, signal) =>
    c.refresh(
      {
        access_token: 'old',
        token_type: 'Bearer',
        refresh_token: 'rt-0',
        claims: { iss: METADATA.issuer, sub: 'user-1', aud: CLIENT_ID, exp: 1, iat: 1 },
      },
      { signal },
    ),
  tokenExchange: (c, signal) =>
    c.tokenExchange({
      subjectToken: 'st',
      subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'https://api.fuzz.test',
      signal,
    }),
  introspect: (c, signal) => c.introspect('at-1', { tokenTypeHint: 'access_token', signal }),
  revoke: (c, signal) => c.revoke('rt-1', { tokenTypeHint: 'refresh_token', signal }),
  userinfo: (c, signal) => c.userinfo('at-1', { signal }),
  userinfoTokenSet: (c, signal) =>
    c.userinfo({ access_token: 'at-1', token_type: 'DPoP' }, { expectedSubject: 'user-1', signal }),
  deviceAuthorization: (c, signal) => c.deviceAuthorization({ scope: 'openid', signal }),
  pushedAuthorization: (c) => c.createAuthorizationUrl({ scope: 'openid', par: true }),
};

const ROUTES = [
  ENDPOINTS.token,
  ENDPOINTS.introspect,
  ENDPOINTS.revoke,
  ENDPOINTS.userinfo,
  ENDPOINTS.device,
  ENDPOINTS.par,
];

interface Setup {
  retry: OAuthClientOptions['retry'];
  signal?: () => AbortSignal;
}

const responseProperty = (
  setup: Setup,
  tally?: Tally,
  run?: (op: Operation, client: OAuthClient) => Promise<unknown>,
) =>
  fc.asyncProperty(
    answers,
    fc.constantFrom(...Object.keys(CLIENT_VARIANTS)),
    fc.constantFrom(...Object.keys(OPERATIONS)),
    async (planned, variant, operation) => {
      const served = inTurn(await materialise(planned));
      const routes = Object.fromEntries(ROUTES.map((url) => [url, served]));
      const client = new OAuthClient(METADATA, {
        clientId: CLIENT_ID,
        redirectUri: REDIRECT_URI,
        retry: setup.retry,
        ...(await CLIENT_VARIANTS[variant]!()),
        fetch: issuerFetch(keys, routes),
      });
      const op = OPERATIONS[operation]!;
      await expectTypedOutcome(() => (run ? run(op, client) : op(client, setup.signal?.())), { tally });
    },
  );

describe('OAuthClient: arbitrary answers from every endpoint', () => {
  it('token, introspection, revocation, userinfo, device and PAR answers: a result or a typed error', async () => {
    const tally = new Tally();
    await fuzz(responseProperty({ retry: false }, tally));
    console.log(`token responses: ${tally}`);
    tally.expectReached([
      'result',
      'invalid_token_response',
      'OAuthError',
      'unexpected_status',
      'invalid_introspection_response',
      'invalid_device_response',
    ]);
  });

  it('with retries on (Retry-After honoured; the caller aborts after 300 ms)', async () => {
    await fuzz(
      responseProperty({
        retry: { maxRetries: 2, initialDelay: 1, maxDelay: 5 },
        signal: () => AbortSignal.timeout(300),
      }),
      scaledRuns(1 / 3),
    );
  });

  it('device polling (one poll after the 1 s minimum interval; few cases: each takes a second)', async () => {
    await fuzz(
      responseProperty({ retry: false }, undefined, (_op, client) =>
        client.pollDeviceToken(
          { device_code: 'dc-1', user_code: 'U', verification_uri: 'https://x', expires_in: 1.2 },
          { interval: 1 },
        ),
      ),
      scaledRuns(1 / 150, 2),
    );
  });

  it('sanity: the property catches an operation that throws a RangeError', async () => {
    await expectPropertyToFail(
      responseProperty({ retry: false }, undefined, async (op, client) => {
        const result = await op(client, undefined).catch(() => undefined);
        if (result !== undefined) {
          throw new RangeError('broken');
        }
        return result;
      }),
      300,
    );
  });
});
