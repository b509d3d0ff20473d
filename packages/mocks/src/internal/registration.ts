import type { ClientMetadata, ClientRegistrationResponse } from '@keyway/openapi';
import type { ClientAuthMethod, MockClient } from '../types.js';
import { json, oauthError } from './http.js';
import { randomId } from './random.js';
import type { RouteContext } from './routes.js';
import { GRANT_TYPES } from './token-endpoint.js';

const AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

const invalidMetadata = (description: string) => oauthError('invalid_client_metadata', description);
const invalidRedirect = (description: string) => oauthError('invalid_redirect_uri', description);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** RFC 8252: a native client redirects to a loopback `http` URI or a private-use scheme, never to a web page. */
function redirectProblem(uri: string, native: boolean): string | undefined {
  if (!URL.canParse(uri)) {
    return `${uri} is not an absolute URI`;
  }
  const url = new URL(uri);
  if (url.hash) {
    return `${uri} has a fragment`;
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  if (native && web && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return `a native client redirects to a loopback http URI or a private-use scheme, not ${uri}`;
  }
  if (!native && !web) {
    return `a web client redirects to an http(s) URI, not ${uri}`;
  }
  return undefined;
}

/** Checks metadata the way RFC 7591 section 3.2.2 asks; the refusal, or the client to register. */
function toClient(metadata: ClientMetadata, clientId: string): MockClient | Response {
  const method = (metadata.token_endpoint_auth_method ?? 'client_secret_basic') as ClientAuthMethod;
  if (!AUTH_METHODS.includes(method)) {
    return invalidMetadata(`token_endpoint_auth_method ${String(method)} is not supported`);
  }
  const grantTypes = metadata.grant_types ?? ['authorization_code'];
  if (!isStringArray(grantTypes) || grantTypes.some((grant) => !GRANT_TYPES.includes(grant))) {
    return invalidMetadata(`grant_types must be some of ${GRANT_TYPES.join(', ')}`);
  }
  if (grantTypes.includes('client_credentials') && method === 'none') {
    return invalidMetadata('a public client cannot use client_credentials');
  }
  const redirectUris = metadata.redirect_uris ?? [];
  if (!isStringArray(redirectUris)) {
    return invalidRedirect('redirect_uris must be an array of URIs');
  }
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    return invalidRedirect('the authorization_code grant needs redirect_uris');
  }
  const native = metadata.application_type === 'native';
  const problem = redirectUris.map((uri) => redirectProblem(uri, native)).find((found) => found !== undefined);
  if (problem) {
    return invalidRedirect(problem);
  }
  if (method === 'private_key_jwt' && !Array.isArray(metadata.jwks?.keys)) {
    return invalidMetadata('private_key_jwt needs jwks (jwks_uri is not supported by the mock)');
  }
  const logoutUri = metadata.backchannel_logout_uri;
  if (logoutUri !== undefined && (typeof logoutUri !== 'string' || !URL.canParse(logoutUri))) {
    return invalidMetadata('backchannel_logout_uri must be an absolute URI');
  }
  const postLogout = metadata.post_logout_redirect_uris;
  if (postLogout !== undefined && !isStringArray(postLogout)) {
    return invalidMetadata('post_logout_redirect_uris must be an array of URIs');
  }
  const confidential = method !== 'none';
  return {
    clientId,
    ...(confidential && method !== 'private_key_jwt' ? { clientSecret: randomId('secret_', 32) } : {}),
    ...(metadata.jwks ? { jwks: metadata.jwks as MockClient['jwks'] & object } : {}),
    tokenEndpointAuthMethod: method,
    redirectUris,
    ...(postLogout ? { postLogoutRedirectUris: postLogout } : {}),
    grantTypes,
    ...(logoutUri ? { backchannelLogoutUri: logoutUri } : {}),
  };
}

/**
 * `POST /oauth/register` (RFC 7591): registers a client from its JSON metadata, open to anyone (no
 * initial access token), and answers the metadata with `client_id` (and a `client_secret` for a
 * client that authenticates with one). The client lives until `reset()`.
 */
export function registerClient(ctx: RouteContext): Response {
  const { body } = ctx;
  if (ctx.malformed || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalidMetadata('the body must be a JSON object of client metadata');
  }
  const metadata = body as ClientMetadata;
  const client = toClient(metadata, randomId('cl_', 16));
  if (client instanceof Response) {
    return client;
  }
  ctx.engine.clients.set(client.clientId, client);
  const answer: ClientRegistrationResponse = {
    ...metadata,
    client_id: client.clientId,
    client_id_issued_at: ctx.engine.clock.now(),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret, client_secret_expires_at: 0 }),
  };
  return json(answer, 201);
}
