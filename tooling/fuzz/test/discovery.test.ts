// Target 4: discovery. discover(issuer, options) with arbitrary metadata documents and statuses at both
// well-known addresses, then one call of the client built from what was discovered (metadata flows
// into every endpoint, algorithm and flag the client uses).
import { discover, type OAuthClient } from '@keyway/core';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { answer, type FakeAnswer, jsonAnswer, toResponse } from '../src/http.ts';
import { AUDIENCE, accessClaims, CLIENT_ID, ISSUER, METADATA, REDIRECT_URI } from '../src/issuer.ts';
import { bodyText, mutatedObject, oddValue } from '../src/json.ts';
import { buildJws, CLIENT_SECRET, jwksOf, type KeyRing, keyRing } from '../src/jwt.ts';
import { expectTypedOutcome } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
let accessToken: string;
beforeAll(async () => {
  keys = await keyRing();
  accessToken = await buildJws(
    {
      header: { alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' },
      payload: accessClaims({ exp: Math.floor(Date.now() / 1000) + 86_400 }),
      key: 1,
      signature: 'valid',
      randomSignature: new Uint8Array(),
      mutation: { kind: 'none' },
    },
    keys,
  );
});

/** Issuer identifiers as callers pass them: the issuer (mostly), near misses, garbage, URL objects. */
const issuerInput = fc.oneof(
  { weight: 8, arbitrary: fc.constant(ISSUER) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      `${ISSUER}/`,
      `${ISSUER}/tenant/a`,
      'HTTPS://ISSUER.fuzz.test',
      'http://127.0.0.1:1',
      'http://issuer.fuzz.test',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '',
      'issuer.fuzz.test',
      `${ISSUER}?x=1#f`,
    ),
  },
  { weight: 1, arbitrary: anyString },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }).map((u) => new URL(u)) },
);

const endpoint = fc.oneof(
  fc.constantFrom(
    `${ISSUER}/token`,
    'http://insecure.example/token',
    'http://127.0.0.1:9/token',
    'javascript:alert(1)',
    '/relative',
    '',
    'https://[::1',
    'https://other.example/x?y#z',
  ),
  anyString,
);

const algList = fc.oneof(fc.constantFrom([], ['none'], ['HS256'], 'RS256', [1], null, ['RS256', 'none']), oddValue);

/** Candidates for the members the client reads. */
const metadataCandidates: Record<string, fc.Arbitrary<unknown>> = {
  issuer: fc.constantFrom(ISSUER, `${ISSUER}/`, 'https://evil.example', '', null),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  device_authorization_endpoint: endpoint,
  introspection_endpoint: endpoint,
  revocation_endpoint: endpoint,
  userinfo_endpoint: endpoint,
  end_session_endpoint: endpoint,
  pushed_authorization_request_endpoint: endpoint,
  require_pushed_authorization_requests: fc.constantFrom(true, false, 'true', 1),
  authorization_response_iss_parameter_supported: fc.constantFrom(true, false, 'yes'),
  id_token_signing_alg_values_supported: algList,
  code_challenge_methods_supported: algList,
  dpop_signing_alg_values_supported: algList,
  token_endpoint_auth_methods_supported: algList,
  mtls_endpoint_aliases: fc.oneof(fc.constant({ token_endpoint: `${ISSUER}/mtls` }), oddValue),
};

/** Metadata for the issuer the case asks for, mutated. */
const metadataBody = (issuer: string) => bodyText([mutatedObject({ ...METADATA, issuer }, metadataCandidates)]);

/** The answers of the two well-known addresses: OpenID Connect first, then RFC 8414. */
const discoveryAnswers = (issuer: string) =>
  fc.tuple(
    fc.oneof(
      { weight: 4, arbitrary: answer(metadataBody(issuer), fc.constant(200)) },
      { weight: 1, arbitrary: answer(metadataBody(issuer)) },
    ),
    answer(metadataBody(issuer)),
  );

/** One answer every other endpoint can live with: token, introspection, device, userinfo, PAR and JWKS members in one. */
function universalAnswer(): FakeAnswer {
  return jsonAnswer({
    access_token: 'at',
    token_type: 'Bearer',
    expires_in: 60,
    active: true,
    device_code: 'dc',
    user_code: 'UC',
    verification_uri: `${ISSUER}/device`,
    sub: 'user-1',
    request_uri: 'urn:ietf:params:oauth:request_uri:x',
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    ...jwksOf(keys),
  });
}

/** A fetch answering both well-known addresses in turn, and everything else with the universal answer. */
function discoveryFetch(served: [FakeAnswer, FakeAnswer]) {
  let discoveries = 0;
  return async (input: string | URL | Request): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes('/.well-known/')) {
      return toResponse(served[Math.min(discoveries++, 1)] as FakeAnswer);
    }
    return toResponse(universalAnswer());
  };
}

let states = 0;

/** One use of a discovered client each case. */
const USES: Record<string, (client: OAuthClient) => unknown> = {
  authorizationUrl: (c) => c.createAuthorizationUrl({ scope: 'openid', prompt: 'login', maxAge: 60 }),
  pushedAuthorization: (c) => c.createAuthorizationUrl({ scope: 'openid', par: true }),
  endSessionUrl: (c) =>
    c.endSessionUrl({ idTokenHint: 'x', postLogoutRedirectUri: 'https://app.fuzz.test/', state: 's' }),
  clientCredentials: (c) => c.clientCredentials({ scope: 'read' }),
  refresh: (c) => c.refresh('rt'),
  tokenExchange: (c) =>
    c.tokenExchange({ subjectToken: 's', subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token' }),
  introspect: (c) => c.introspect('t'),
  revoke: (c) => c.revoke('t'),
  userinfo: (c) => c.userinfo('t'),
  deviceAuthorization: (c) => c.deviceAuthorization(),
  verifyAccessToken: (c) => c.verifyAccessToken(accessToken, { audience: AUDIENCE }),
  handleCallback: (c) => {
    const state = `state-${++states}-${Date.now()}`;
    // A code per case: one the process already redeemed would stop at `code_reused`, before the token endpoint.
    return c.handleCallback(`${REDIRECT_URI}?code=c-${state}&state=${state}&iss=${encodeURIComponent(ISSUER)}`, {
      state,
      codeVerifier: 'v'.repeat(43),
    });
  },
};

const CLIENT_OPTIONS = [
  {},
  { clientSecret: CLIENT_SECRET },
  { clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post' as const },
  { dpop: true as const },
  { allowInsecureRequests: true },
];

const discoveryProperty = (
  run: (
    issuer: string | URL,
    fetch: ReturnType<typeof discoveryFetch>,
    options: object,
    use: string,
  ) => Promise<unknown>,
  tally?: Tally,
) =>
  fc.asyncProperty(
    issuerInput.chain((issuer) => fc.tuple(fc.constant(issuer), discoveryAnswers(String(issuer)))),
    fc.constantFrom(...CLIENT_OPTIONS),
    fc.constantFrom(...Object.keys(USES)),
    async ([issuer, served], options, use) => {
      await expectTypedOutcome(() => run(issuer, discoveryFetch(served), options, use), { tally });
    },
  );

async function discoverAndUse(
  issuer: string | URL,
  fetch: ReturnType<typeof discoveryFetch>,
  options: object,
  use: string,
) {
  const client = await discover(issuer, {
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    retry: false,
    ...options,
    fetch,
  });
  return USES[use]!(client);
}

describe('discover(): arbitrary metadata and statuses, then the client built from them', () => {
  it('a client that works, or a typed error (discovery or the call)', async () => {
    const tally = new Tally();
    await fuzz(discoveryProperty(discoverAndUse, tally));
    console.log(`discovery: ${tally}`);
    tally.expectReached(['result', 'invalid_metadata', 'issuer_mismatch', 'discovery_failed', 'ConfigurationError']);
  });

  it('sanity: the property catches a discovery that throws a TypeError', async () => {
    await expectPropertyToFail(
      discoveryProperty(async (issuer, fetch, options, use) => {
        const client = await discover(issuer, { clientId: CLIENT_ID, retry: false, ...options, fetch }).catch(
          () => undefined,
        );
        if (client === undefined) {
          throw new TypeError('broken discovery');
        }
        return USES[use]!(client);
      }),
    );
  });
});
