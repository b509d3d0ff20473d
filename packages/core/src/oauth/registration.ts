import { ConfigurationError, InvalidResponseError } from '../errors.js';
import { headerToken } from '../internal/headers.js';
import { HttpClient, type HttpOptions } from '../internal/http.js';
import { redactFieldsOnInspect } from '../internal/redact.js';
import { parseServiceUrl } from '../internal/url.js';
import { discoverMetadata } from './discover.js';
import { errorFromResponse } from './errors-map.js';
import { checkRedirectUri } from './request-values.js';
import type { OAuthCacheUpdate } from './types.js';

/**
 * The client metadata sent to a registration endpoint (RFC 7591 §2, OpenID Connect Dynamic Client
 * Registration §2), in the protocol's own names. The server may change or refuse any of it.
 */
export interface ClientRegistrationMetadata {
  redirect_uris?: string[];
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  response_types?: string[];
  /** OpenID Connect: `web` (default) or `native` (RFC 8252 loopback and custom-scheme redirects). */
  application_type?: 'web' | 'native';
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  scope?: string;
  contacts?: string[];
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  jwks?: { keys: Record<string, unknown>[] };
  software_id?: string;
  software_version?: string;
  software_statement?: string;
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  [field: string]: unknown;
}

/**
 * What a registration endpoint answered (RFC 7591 §3.2.1): the client's `client_id`, its secret when
 * one was issued, and the metadata the server registered. `client_secret` and
 * `registration_access_token` are secrets: `console.log` / `util.inspect` print them redacted, JSON
 * keeps them (store it like a token set).
 */
export interface ClientRegistration extends ClientRegistrationMetadata {
  client_id: string;
  client_secret?: string;
  /** Epoch seconds. */
  client_id_issued_at?: number;
  /** Epoch seconds; 0 when the secret never expires. */
  client_secret_expires_at?: number;
  /** RFC 7592: the token for reading or updating this registration at `registration_client_uri`. */
  registration_access_token?: string;
  registration_client_uri?: string;
}

/**
 * Options of {@link registerClient}: the transport options of every Keyway client, plus the initial
 * access token a provider may require for registration.
 */
export interface RegisterClientOptions extends HttpOptions {
  /** RFC 7591 §3: sent as `Authorization: Bearer` when the provider restricts registration. */
  initialAccessToken?: string | undefined;
  /** Allows plain `http:` to non-loopback hosts. Loopback hosts are always allowed. */
  allowInsecureRequests?: boolean;
  /** Told when discovering the issuer stored new metadata in the shared cache. */
  onCacheUpdate?: (event: OAuthCacheUpdate) => void;
  signal?: AbortSignal;
}

/** Fields the server assigns: a request carrying one is the caller's mistake. */
const ASSIGNED = [
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
];

function invalidArgument(message: string): never {
  throw new ConfigurationError(message, { code: 'invalid_argument' });
}

/** Checks the metadata before anything is sent. */
function checkMetadata(metadata: unknown): ClientRegistrationMetadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    invalidArgument('registerClient needs the client metadata as an object.');
  }
  const fields = metadata as ClientRegistrationMetadata;
  for (const name of ASSIGNED) {
    if (fields[name] !== undefined) {
      invalidArgument(`The registration server assigns "${name}": leave it out of the metadata.`);
    }
  }
  if (fields.redirect_uris !== undefined) {
    if (!Array.isArray(fields.redirect_uris)) {
      invalidArgument('redirect_uris must be a list of URIs.');
    }
    for (const uri of fields.redirect_uris) {
      checkRedirectUri(uri);
    }
  }
  return fields;
}

function invalidResponse(message: string, status: number): never {
  throw new InvalidResponseError(`Registration response: ${message}`, {
    code: 'invalid_registration_response',
    status,
  });
}

/**
 * Reads a client registration response (RFC 7591 §3.2): 201 (or 200) with a JSON object holding a
 * `client_id`, the optional fields typed as the RFC says. An error answer is an `OAuthError`
 * (`invalid_redirect_uri`, `invalid_client_metadata`, ...), another status a `KeywayApiError`.
 */
async function processRegistrationResponse(response: Response): Promise<ClientRegistration> {
  const status = response.status;
  if (status !== 201 && status !== 200) {
    throw await errorFromResponse(response, 'The registration endpoint');
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    invalidResponse('the body is not JSON.', status);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    invalidResponse('the body is not a JSON object.', status);
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.client_id !== 'string' || fields.client_id === '') {
    invalidResponse('"client_id" is missing.', status);
  }
  for (const name of ['client_secret', 'registration_access_token', 'registration_client_uri']) {
    if (fields[name] !== undefined && typeof fields[name] !== 'string') {
      invalidResponse(`"${name}" must be a string.`, status);
    }
  }
  for (const name of ['client_id_issued_at', 'client_secret_expires_at']) {
    const value = fields[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      invalidResponse(`"${name}" must be a number of seconds.`, status);
    }
  }
  return redactFieldsOnInspect(fields as ClientRegistration, 'ClientRegistration', [
    'client_secret',
    'registration_access_token',
  ]);
}

/**
 * Registers a client at `issuer` (OAuth 2.0 Dynamic Client Registration, RFC 7591; RFC 8252 for native
 * clients): discovers the issuer (the shared metadata cache), POSTs `metadata` as JSON to its
 * `registration_endpoint`, and resolves to the registration, `client_id` and (for a confidential
 * client) `client_secret` included. The request is never retried (a retry could register twice).
 *
 * Errors: `ConfigurationError` `missing_endpoint` (the provider advertises no registration endpoint:
 * a client id is needed), `invalid_argument` (metadata that is not an object, carries a field the
 * server assigns, or a redirect URI with a fragment), `invalid_token` (an initial access token a
 * header cannot carry), `insecure_request`; `OAuthError` for the provider's refusal
 * (`invalid_redirect_uri`, `invalid_client_metadata`, `invalid_token` ...); `InvalidResponseError`
 * `invalid_registration_response` for a 2xx without a usable `client_id`.
 *
 * @example
 * ```ts
 * import { discover, registerClient } from '@keyway/core';
 *
 * const registration = await registerClient('https://auth.example.com', {
 *   application_type: 'native',
 *   client_name: 'my-cli',
 *   redirect_uris: ['http://127.0.0.1/callback'],
 *   token_endpoint_auth_method: 'none',
 *   grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
 * });
 * const client = await discover('https://auth.example.com', {
 *   clientId: registration.client_id,
 *   redirectUri: 'http://127.0.0.1/callback',
 * });
 * ```
 */
export async function registerClient(
  issuer: string | URL,
  metadata: ClientRegistrationMetadata,
  options: RegisterClientOptions = {},
): Promise<ClientRegistration> {
  // Everything the caller controls is checked before anything is sent.
  const body = JSON.stringify(checkMetadata(metadata));
  const token =
    options.initialAccessToken === undefined
      ? undefined
      : headerToken(options.initialAccessToken, 'The initial access token');
  const http = new HttpClient(options);
  const provider = await discoverMetadata(issuer, options);
  const endpoint = provider.registration_endpoint;
  if (typeof endpoint !== 'string') {
    throw new ConfigurationError(
      'The provider advertises no registration_endpoint: it cannot register clients, so a client id is needed.',
      { code: 'missing_endpoint' },
    );
  }
  const url = parseServiceUrl(endpoint, "The provider's registration_endpoint", options.allowInsecureRequests);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`;
  }
  const response = await http.send({ url, method: 'POST', headers, body, retry: false, signal: options.signal });
  return processRegistrationResponse(response);
}
