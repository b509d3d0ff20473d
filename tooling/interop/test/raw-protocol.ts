/*
 * The protocol by hand, for the harness's own checks (before any Keyway code is trusted with it): what a
 * target must advertise, a PKCE authorization URL, and the token and device endpoints called with fetch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** The metadata every target advertises and the client's flows rely on. */
export const ADVERTISED_FEATURES = {
  authorization_response_iss_parameter_supported: true,
  code_challenge_methods_supported: ['S256'],
  dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
  token_endpoint_auth_methods_supported: expect.arrayContaining([
    'client_secret_basic',
    'client_secret_post',
    'private_key_jwt',
    'none',
  ]),
  grant_types_supported: expect.arrayContaining([
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:token-exchange',
  ]),
};

/** Each of `endpoints` (metadata names) is advertised, below `issuer`. */
export function expectEndpointsBelow(metadata: Record<string, unknown>, issuer: string, endpoints: string[]): void {
  for (const endpoint of [
    'device_authorization_endpoint',
    'introspection_endpoint',
    'revocation_endpoint',
    'pushed_authorization_request_endpoint',
    'userinfo_endpoint',
    ...endpoints,
  ]) {
    expect(metadata[endpoint], endpoint).toMatch(new RegExp(`^${issuer}/`));
  }
}

/** Where a target's public client talks to it. */
export interface RawClient {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** Endpoint paths below the issuer. */
  paths: { authorization: string; token: string; device: string };
}

/** An authorization URL for the public client (`openid`, state `xyz`, S256 PKCE) and its code verifier. */
export function authorizationUrl(client: RawClient): { url: URL; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${client.issuer}${client.paths.authorization}`);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'xyz',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url, verifier };
}

/** POSTs `params` to the token endpoint; resolves to the JSON answer. */
export async function tokenRequest(
  client: RawClient,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const response = await fetch(`${client.issuer}${client.paths.token}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params),
  });
  return (await response.json()) as Record<string, string>;
}

/** Redeems the code of `callback` (the redirect URI the browser landed on) for the public client. */
export function redeemCode(client: RawClient, callback: URL, verifier: string): Promise<Record<string, string>> {
  return tokenRequest(client, {
    client_id: client.clientId,
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code') ?? '',
    redirect_uri: client.redirectUri,
    code_verifier: verifier,
  });
}

/** Starts a device authorization for the public client (`openid`); resolves to the JSON answer. */
export async function startDevice(client: RawClient): Promise<Record<string, string>> {
  const response = await fetch(`${client.issuer}${client.paths.device}`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: client.clientId, scope: 'openid' }),
  });
  return (await response.json()) as Record<string, string>;
}

/** One poll of the token endpoint for `deviceCode`. */
export function pollDevice(client: RawClient, deviceCode: string | undefined): Promise<Record<string, string>> {
  return tokenRequest(client, {
    client_id: client.clientId,
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: deviceCode ?? '',
  });
}
