/*
 * The steps many of this package's tests take against a mock: a PKCE authorization request, the code
 * it yields, and a client assertion sent again. Written once here; tests pass only what they vary.
 */
import * as oauth from 'oauth4webapi';
import { completeAuthorization, type MockKeyway } from '../src/index.js';

/** A loopback redirect URI: the mock's seeded clients accept it (on any port, RFC 8252). */
export const REDIRECT = 'http://127.0.0.1:5173/callback';

/**
 * A code-flow authorization request of `test-client` to `mock`, with an S256 PKCE challenge and
 * {@link REDIRECT}; `fields` add parameters (`scope`, `state`, ...) or replace these.
 */
export async function authorizationRequest(
  mock: MockKeyway,
  fields: Record<string, string> = {},
): Promise<{ url: URL; verifier: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(`${mock.issuer}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: 'test-client',
    response_type: 'code',
    redirect_uri: REDIRECT,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...fields,
  }).toString();
  return { url, verifier };
}

/** The code `mock` grants for {@link authorizationRequest}`(mock, fields)`, and what redeeming it takes. */
export async function authorizationCode(
  mock: MockKeyway,
  fields: Record<string, string> = {},
): Promise<{ code: string; code_verifier: string; redirect_uri: string }> {
  const { url, verifier } = await authorizationRequest(mock, fields);
  const callback = await completeAuthorization(url, { fetch: mock.fetch });
  return {
    code: callback.searchParams.get('code') ?? '',
    code_verifier: verifier,
    redirect_uri: url.searchParams.get('redirect_uri') ?? REDIRECT,
  };
}

/** Sends the `client_assertion` of the mock's last token request again, in a client-credentials grant. */
export function replayLastAssertion(mock: MockKeyway): Promise<Response> {
  const [last] = mock.callsTo('token').slice(-1);
  const assertion = (last?.body as Record<string, string> | undefined)?.client_assertion;
  if (assertion === undefined) {
    throw new Error('The last token request carried no client_assertion.');
  }
  return mock.fetch(`${mock.issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
}

/** The mock's metadata as oauth4webapi reads it (OpenID Connect discovery through `mock.fetch`). */
export async function discoveredServer(mock: MockKeyway): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(mock.issuer);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { [oauth.customFetch]: mock.fetch }),
  );
}
