// Target 6: Authorization and DPoP headers. @keyway/edge createVerifier(...).verify(new Request(url,
// { headers })) with arbitrary header values (that Request accepts), and core's verifyDpopProof with
// arbitrary strings and near-valid proofs.
import { verifyDpopProof } from '@keyway/core';
import { createVerifier, EdgeAuthError, type VerifierOptions } from '@keyway/edge';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { type DpopKeys, dpopKeys, nearValidProof, type ProofTarget } from '../src/dpop.ts';
import { AUDIENCE, accessClaims, claimCandidates, ISSUER, issuerFetch } from '../src/issuer.ts';
import { edgeNumber } from '../src/json.ts';
import { buildJws, compactLike, type JwsPlan, type KeyRing, keyRing, nearValidJws } from '../src/jwt.ts';
import { expectTypedOutcome, type OutcomeOptions } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString, headerValue, toHeaderValue } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
let dpop: DpopKeys;
let bearerToken: string;
let boundToken: string;

function validPlan(extra: Record<string, unknown>): JwsPlan {
  return {
    header: { alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' },
    payload: accessClaims({ exp: Math.floor(Date.now() / 1000) + 86_400, ...extra }),
    key: 1,
    signature: 'valid',
    randomSignature: new Uint8Array(),
    mutation: { kind: 'none' },
  };
}

beforeAll(async () => {
  keys = await keyRing();
  dpop = await dpopKeys();
  bearerToken = await buildJws(validPlan({}), keys);
  boundToken = await buildJws(validPlan({ cnf: { jkt: dpop.jkt } }), keys);
});

/** An EdgeAuthError must carry a response that can be built and sent, with a status it documents. */
const reasons: Record<string, number> = {};
const edgeOutcome: OutcomeOptions['inspect'] = (outcome) => {
  if (outcome.kind !== 'typed' || !EdgeAuthError.is(outcome.error)) {
    return;
  }
  const error = outcome.error;
  reasons[error.reason] = (reasons[error.reason] ?? 0) + 1;
  const response = error.response;
  if (![400, 401, 403, 503].includes(response.status)) {
    throw new Error(`EdgeAuthError ${error.code} answers with status ${response.status}`);
  }
  JSON.stringify(error);
};

/** The token part of an Authorization header. */
const tokenText = (): fc.Arbitrary<() => Promise<string>> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom('bearer', 'bound')
        .map((which) => async () => (which === 'bearer' ? bearerToken : boundToken)),
    },
    {
      weight: 2,
      arbitrary: nearValidJws(accessClaims, claimCandidates(), 'at+jwt').map((plan) => () => buildJws(plan, keys)),
    },
    { weight: 1, arbitrary: compactLike.map((text) => async () => text) },
  );

interface RequestPlan {
  url: string;
  method: string;
  authorization: Array<() => Promise<string>>;
  proof: 'none' | 'valid' | 'text' | 'two';
  proofText: string;
  proofPlan: () => Promise<string>;
}

const requestUrl = fc
  .oneof(
    { weight: 6, arbitrary: fc.constant(`${AUDIENCE}/things`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${AUDIENCE}/things?access_token=x`,
        `${AUDIENCE}/things?q=%zz#frag`,
        `${AUDIENCE}/TH%C3%89`,
      ),
    },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  )
  .filter((url) => URL.canParse(url));

const method = fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'OPTIONS', 'HEAD', 'FOO');

/** An Authorization value: a scheme, a separator and a token (mostly), or any header value. */
const authorization = (): fc.Arbitrary<() => Promise<string>> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom('Bearer', 'DPoP') },
            { weight: 1, arbitrary: fc.constantFrom('bearer', 'DPOP', 'Basic', '', 'Token', 'Bearer,') },
          ),
          fc.oneof(
            { weight: 8, arbitrary: fc.constant(' ') },
            { weight: 1, arbitrary: fc.constantFrom('  ', '\t', '', ' Bearer ') },
          ),
          tokenText(),
          fc.oneof(
            { weight: 8, arbitrary: fc.constant('') },
            { weight: 1, arbitrary: fc.constantFrom(' ', ',', '=', '==', ' extra') },
          ),
        )
        .map(
          ([scheme, sep, token, tail]) =>
            async () =>
              `${scheme}${sep}${await token()}${tail}`,
        ),
    },
    { weight: 1, arbitrary: headerValue().map((text) => async () => text) },
  );

const requestPlan = (): fc.Arbitrary<RequestPlan> =>
  fc.record({ url: requestUrl, method }).chain(({ url, method: m }) =>
    fc.record({
      url: fc.constant(url),
      method: fc.constant(m),
      authorization: fc.oneof(
        { weight: 8, arbitrary: fc.array(authorization(), { minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.constant<Array<() => Promise<string>>>([]) },
        { weight: 1, arbitrary: fc.array(authorization(), { minLength: 2, maxLength: 2 }) },
      ),
      proof: fc.constantFrom<RequestPlan['proof']>('valid', 'valid', 'valid', 'none', 'text', 'two'),
      proofText: headerValue(fc.oneof(anyString, compactLike)),
      proofPlan: nearValidProof(dpop, () => ({ method: m, url, accessToken: boundToken, nonce: 'server-nonce' })),
    }),
  );

/** The request a plan describes, and a printable form of it for reports. */
async function buildRequest(plan: RequestPlan): Promise<{ request: Request; shown: unknown }> {
  const headers = new Headers();
  for (const make of plan.authorization) {
    headers.append('authorization', toHeaderValue(await make()));
  }
  if (plan.proof === 'valid') {
    headers.set('dpop', await plan.proofPlan());
  } else if (plan.proof === 'text') {
    headers.set('dpop', plan.proofText);
  } else if (plan.proof === 'two') {
    headers.append('dpop', await plan.proofPlan());
    headers.append('dpop', await plan.proofPlan());
  }
  return {
    request: new Request(plan.url, { method: plan.method, headers }),
    shown: { url: plan.url, method: plan.method, headers: [...headers] },
  };
}

const VERIFIER_VARIANTS: Array<Partial<VerifierOptions>> = [
  {},
  { dpop: false },
  { dpop: { required: true } },
  { dpop: { nonce: () => 'server-nonce' } },
  { dpop: { maxAge: 5 } },
  { requiredScopes: ['read'] },
  { requiredScopes: ['admin'] },
  { realm: 'a "quoted" realm\\ with ünïcode' },
];

let verifiers: Array<ReturnType<typeof createVerifier>> | undefined;
function verifierFor(index: number) {
  verifiers ??= VERIFIER_VARIANTS.map((variant) =>
    createVerifier({ issuer: ISSUER, audience: AUDIENCE, fetch: issuerFetch(keys), retry: false, ...variant }),
  );
  return verifiers[index % verifiers.length]!;
}

const edgeProperty = (verify: (request: Request, variant: number) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(requestPlan(), fc.nat(VERIFIER_VARIANTS.length - 1), async (plan, variant) => {
    const { request, shown } = await buildRequest(plan);
    await expectTypedOutcome(() => verify(request, variant), { tally, inspect: edgeOutcome, input: shown });
  });

describe('@keyway/edge createVerifier().verify(request): Authorization and DPoP headers', () => {
  it('claims, or an EdgeAuthError with a response to send', async () => {
    const tally = new Tally();
    await fuzz(edgeProperty((request, variant) => verifierFor(variant).verify(request), tally));
    console.log(`edge: ${tally}`, JSON.stringify(reasons));
    tally.expectReached(['result', 'missing_token', 'invalid_request', 'invalid_token', 'invalid_dpop_proof']);
  });

  it('a token string instead of a request', async () => {
    await fuzz(
      fc.asyncProperty(fc.oneof(anyString, compactLike), fc.nat(VERIFIER_VARIANTS.length - 1), (token, variant) =>
        expectTypedOutcome(() => verifierFor(variant).verify(token), { inspect: edgeOutcome }),
      ),
    );
  });

  it('sanity: the property catches a verifier that throws a TypeError', async () => {
    await expectPropertyToFail(
      edgeProperty(async (request, variant) => {
        const claims = await verifierFor(variant)
          .verify(request)
          .catch(() => undefined);
        if (claims === undefined) {
          throw new TypeError('broken verifier');
        }
        return claims;
      }),
    );
  });
});

/** Options a resource server passes, from the request it got (and odd numbers for the tunables). */
interface ProofCase {
  target: ProofTarget;
  options: { jkt?: string; maxAge?: unknown; clockTolerance?: unknown; now?: unknown };
}

const proofCase: fc.Arbitrary<ProofCase> = fc.record({
  target: fc.record({
    method: fc.oneof(method, anyString),
    url: fc.oneof(requestUrl, anyString),
    accessToken: fc.option(fc.constantFrom('at-1', ''), { nil: undefined }),
    nonce: fc.option(fc.constantFrom('server-nonce', ''), { nil: undefined }),
  }),
  options: fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 2, arbitrary: fc.constant({ jkt: 'x' }) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          jkt: fc.constantFrom('x', ''),
          maxAge: fc.oneof(fc.constantFrom(60, 0, 86_401), edgeNumber),
          clockTolerance: fc.oneof(fc.constantFrom(0, 30), edgeNumber),
          now: fc.oneof(fc.constant(undefined), edgeNumber),
        },
        { requiredKeys: [] },
      ),
    },
  ),
});

const proofProperty = (verify: (proof: string, c: ProofCase) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(
    proofCase.chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.oneof(
          { weight: 4, arbitrary: nearValidProof(dpop, () => c.target) },
          { weight: 1, arbitrary: fc.oneof(anyString, compactLike).map((text) => async () => text) },
        ),
      ),
    ),
    async ([c, make]) => {
      const proof = await make();
      await expectTypedOutcome(() => verify(proof, c), { tally, input: proof });
    },
  );

function verifyProof(proof: string, c: ProofCase) {
  const options = { ...c.options, ...(c.options.jkt === 'x' ? { jkt: dpop.jkt } : {}) };
  return verifyDpopProof(proof, {
    method: c.target.method,
    url: c.target.url,
    ...(c.target.accessToken === undefined ? {} : { accessToken: c.target.accessToken }),
    ...(c.target.nonce === undefined ? {} : { nonce: c.target.nonce }),
    ...(options as object),
  });
}

describe('core verifyDpopProof(proof, { method, url })', () => {
  it('a verified proof, or a typed error', async () => {
    const tally = new Tally();
    await fuzz(proofProperty(verifyProof, tally));
    console.log(`dpop: ${tally}`);
    tally.expectReached(['result', 'dpop_proof_invalid', 'dpop_htm_mismatch', 'dpop_htu_mismatch', 'invalid_option']);
  });

  it('sanity: the property catches a proof check that throws a TypeError', async () => {
    await expectPropertyToFail(
      proofProperty(async (proof, c) => {
        const result = await verifyProof(proof, c).catch(() => undefined);
        if (result === undefined) {
          throw new TypeError('broken');
        }
        return result;
      }),
    );
  });
});
