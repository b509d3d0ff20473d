import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { ClientAuthMethod, MockClient } from '../types.js';
import { checkDpopProof, type DpopKey } from './dpop.js';
import type { Engine } from './engine.js';
import { oauthForm } from './form.js';
import { type FormFields, oauthError } from './http.js';
import type { RouteContext } from './routes.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The MACs `client_secret_jwt` assertions may use. */
export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];

interface AuthenticatedClient {
  client: MockClient;
  method: ClientAuthMethod;
}

function invalidClient(description: string): Response {
  return oauthError('invalid_client', description, 401, { 'www-authenticate': 'Basic realm="keyway"' });
}

function methodsOf(client: MockClient): ClientAuthMethod[] {
  if (client.tokenEndpointAuthMethod) {
    return [client.tokenEndpointAuthMethod];
  }
  const methods: ClientAuthMethod[] = [];
  if (client.clientSecret !== undefined) {
    methods.push('client_secret_basic', 'client_secret_post', 'client_secret_jwt');
  }
  if (client.jwks) {
    methods.push('private_key_jwt');
  }
  return methods.length > 0 ? methods : ['none'];
}

export function isPublic(client: MockClient): boolean {
  return methodsOf(client).includes('none');
}

function decodeBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    return undefined;
  }
  let decoded: string;
  try {
    decoded = atob(match[1]);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return undefined;
  }
  try {
    // RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
    const unform = (s: string) => decodeURIComponent(s.replaceAll('+', ' '));
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Client authentication at the token, PAR, device, introspection and revocation endpoints:
 * `client_secret_basic`, `client_secret_post`, `client_secret_jwt`, `private_key_jwt` or `none` (public clients).
 * Answers the OAuth error a real server gives instead of throwing.
 */
export async function authenticateClient(
  engine: Engine,
  request: Request,
  form: FormFields,
  endpoint: string,
): Promise<AuthenticatedClient | Response> {
  const header = request.headers.get('authorization');
  const basic = header && /^basic\s/i.test(header) ? decodeBasic(header) : undefined;
  if (header && /^basic\s/i.test(header) && !basic) {
    return invalidClient('Malformed HTTP Basic credentials');
  }
  const formId = typeof form.client_id === 'string' ? form.client_id : undefined;
  const secret = typeof form.client_secret === 'string' ? form.client_secret : undefined;
  const assertion = typeof form.client_assertion === 'string' ? form.client_assertion : undefined;
  const used = [basic, secret, assertion].filter((x) => x !== undefined).length;
  if (used > 1) {
    return oauthError('invalid_request', 'Use exactly one client authentication method');
  }

  if (basic) {
    if (formId !== undefined && formId !== basic.id) {
      return oauthError('invalid_request', 'client_id does not match the Basic credentials');
    }
    return checkSecret(engine.clients.get(basic.id), basic.secret, 'client_secret_basic');
  }
  if (secret !== undefined) {
    if (formId === undefined) {
      return oauthError('invalid_request', 'client_id is required with client_secret');
    }
    return checkSecret(engine.clients.get(formId), secret, 'client_secret_post');
  }
  if (assertion !== undefined) {
    return checkAssertion(engine, form, assertion, endpoint);
  }
  if (formId === undefined) {
    return invalidClient('Client authentication is required');
  }
  const client = engine.clients.get(formId);
  if (!client) {
    return invalidClient('Unknown client');
  }
  if (!methodsOf(client).includes('none')) {
    return invalidClient('This client must authenticate');
  }
  return { client, method: 'none' };
}

function checkSecret(
  client: MockClient | undefined,
  secret: string,
  method: 'client_secret_basic' | 'client_secret_post',
): AuthenticatedClient | Response {
  if (!client || client.clientSecret === undefined || client.clientSecret !== secret) {
    return invalidClient('Client authentication failed');
  }
  if (!methodsOf(client).includes(method)) {
    return invalidClient(`${method} is not allowed for this client`);
  }
  return { client, method };
}

async function checkAssertion(
  engine: Engine,
  form: FormFields,
  assertion: string,
  endpoint: string,
): Promise<AuthenticatedClient | Response> {
  if (form.client_assertion_type !== ASSERTION_TYPE) {
    return oauthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
  }
  let claimed: string | undefined;
  let method: 'client_secret_jwt' | 'private_key_jwt';
  try {
    const payload = JSON.parse(new TextDecoder().decode(b64url(assertion.split('.')[1] ?? ''))) as { sub?: unknown };
    claimed = typeof payload.sub === 'string' ? payload.sub : undefined;
    // RFC 7523 with a MAC (HS*) over the client secret is client_secret_jwt (OIDC Core 9), a signature is private_key_jwt.
    method = /^HS\d+$/.test(String(decodeProtectedHeader(assertion).alg)) ? 'client_secret_jwt' : 'private_key_jwt';
  } catch {
    return invalidClient('Malformed client assertion');
  }
  const client = claimed === undefined ? undefined : engine.clients.get(claimed);
  const key = method === 'client_secret_jwt' ? client?.clientSecret : client?.jwks;
  if (!client || key === undefined || (typeof form.client_id === 'string' && form.client_id !== claimed)) {
    return invalidClient('Client authentication failed');
  }
  if (!methodsOf(client).includes(method)) {
    return invalidClient(`${method} is not allowed for this client`);
  }
  try {
    const checks = {
      issuer: client.clientId,
      subject: client.clientId,
      audience: [engine.issuer, `${engine.issuer}${endpoint}`, `${engine.issuer}/oauth/token`],
      currentDate: new Date(engine.clock.now() * 1000),
      requiredClaims: ['exp', 'jti'],
    };
    const { payload } =
      typeof key === 'string'
        ? await jwtVerify(assertion, new TextEncoder().encode(key), { ...checks, algorithms: HMAC_ALGS })
        : await jwtVerify(assertion, createLocalJWKSet(key), checks);
    const jti = `${client.clientId}:${payload.jti}`;
    if (engine.state.assertionIds.has(jti)) {
      return invalidClient('The client assertion was already used');
    }
    engine.state.assertionIds.add(jti);
  } catch (error) {
    return invalidClient(`Invalid client assertion: ${error instanceof Error ? error.message : 'verification failed'}`);
  }
  return { client, method };
}

function b64url(input: string): Uint8Array {
  const base64 = input.replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A request to the token endpoint or PAR, read and authenticated. */
interface ClientRequest {
  form: FormFields;
  /** The verified DPoP proof's key, when the request carried one. */
  dpop: DpopKey | undefined;
  auth: AuthenticatedClient;
}

/**
 * Reads a request to the token endpoint or PAR in the order both need: the form, then the DPoP proof
 * (before the grant or the client is looked at, so a `use_dpop_nonce` answer burns no code; at PAR
 * it binds the code to its key, as `dpop_jkt` does: RFC 9449 section 10.1), then the client.
 */
export async function readClientRequest(ctx: RouteContext, endpoint: string): Promise<ClientRequest | Response> {
  const form = oauthForm(ctx);
  if (form instanceof Response) {
    return form;
  }
  const dpop = await checkDpopProof(ctx.engine, ctx.request, 'token');
  if (dpop instanceof Response) {
    return dpop;
  }
  const auth = await authenticateClient(ctx.engine, ctx.request, form, endpoint);
  return auth instanceof Response ? auth : { form, dpop, auth };
}
