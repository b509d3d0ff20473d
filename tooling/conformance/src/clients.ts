import {
  type AccessTokenVerificationOptions,
  type AccessTokenVerifier,
  type AuthorizationRequest,
  type AuthorizationUrlOptions,
  createAccessTokenVerifier,
  discover,
  OAuthClient,
  type OAuthClientOptions,
} from '@keyway/core';
import { createVerifier, type Verifier, type VerifierOptions } from '@keyway/edge';
import type { HostileOp } from './hostile-op.ts';
import { type FakeHandler, type Network, network } from './network.ts';
import { CLIENT_ID, RESOURCE } from './op-endpoints.ts';
import { newSecret } from './secrets.ts';

/** Where the suite's client says it receives callbacks; nothing listens there (the OP's redirect is read, not followed). */
export const REDIRECT_URI = 'https://app.conformance.test/callback';

/** A client of `op` with its own network (own caches, own request log) and short timeouts. */
export interface TestClient {
  client: OAuthClient;
  net: Network;
  clientSecret: string;
}

/** The options every suite client starts from: a fresh secret, 2 s timeout, no retries. */
export function clientOptions(net: Network, extra: Partial<OAuthClientOptions> = {}): OAuthClientOptions {
  return {
    clientId: CLIENT_ID,
    clientSecret: newSecret('cs'),
    redirectUri: REDIRECT_URI,
    fetch: net.fetch,
    timeout: 2_000,
    retry: false,
    ...extra,
  };
}

/** `new OAuthClient(op's metadata, options)`: no discovery request. */
export function newClient(
  op: HostileOp,
  extra: Partial<OAuthClientOptions> = {},
  fake: Record<string, FakeHandler> = {},
): TestClient {
  const net = network(fake);
  const options = clientOptions(net, extra);
  return {
    client: new OAuthClient(op.metadata() as never, options),
    net,
    clientSecret: options.clientSecret as string,
  };
}

/** `discover(op.issuer, options)`. */
export async function discoveredClient(op: HostileOp, extra: Partial<OAuthClientOptions> = {}): Promise<TestClient> {
  const net = network();
  const options = clientOptions(net, extra);
  return { client: await discover(op.issuer, options), net, clientSecret: options.clientSecret as string };
}

/** An authorization request and the callback URL the OP redirected the browser to. */
export interface Authorized {
  request: AuthorizationRequest;
  callback: URL;
}

/**
 * Plays the browser: builds the authorization URL, asks the OP's authorization endpoint (which
 * approves at once), and returns the redirect it answered with.
 */
export async function authorize(client: OAuthClient, options: AuthorizationUrlOptions = {}): Promise<Authorized> {
  const request = await client.createAuthorizationUrl({ scope: 'openid', ...options });
  const response = await fetch(request.url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`the OP's authorization endpoint answered ${response.status} without a redirect`);
  }
  return { request, callback: new URL(location) };
}

/** Authorizes and handles the callback: the whole code flow. */
export async function codeFlow(client: OAuthClient, options: AuthorizationUrlOptions = {}) {
  const { request, callback } = await authorize(client, options);
  return client.handleCallback(callback, request);
}

/** What both resource-server verifiers of the suite share: the OP as issuer, its own network, short timeouts. */
function verifierBase(op: HostileOp, net: Network) {
  return { issuer: op.issuer, audience: RESOURCE, fetch: net.fetch, timeout: 2_000, retry: false as const };
}

/** A resource server's `createAccessTokenVerifier` for the OP's tokens, with its own network. */
export function newVerifier(
  op: HostileOp,
  extra: Partial<AccessTokenVerificationOptions> = {},
  fake: Record<string, FakeHandler> = {},
): { verifier: AccessTokenVerifier; net: Network } {
  const net = network(fake);
  return { verifier: createAccessTokenVerifier({ ...verifierBase(op, net), ...extra }), net };
}

/** An @keyway/edge `createVerifier` for the OP's tokens, with its own network. */
export function newEdgeVerifier(
  op: HostileOp,
  extra: Partial<VerifierOptions> = {},
  fake: Record<string, FakeHandler> = {},
): { verifier: Verifier; net: Network } {
  const net = network(fake);
  return { verifier: createVerifier({ ...verifierBase(op, net), ...extra }), net };
}
