import { ConfigurationError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../internal/http.js';
import { parseServiceUrl } from '../internal/url.js';
import type { TokenSet } from '../token-set.js';
import type { TokenSourceOAuthClient } from '../token-source.js';
import { resolveAuthMethod } from './client-auth.js';
import { epochSeconds, systemClock } from './clock.js';
import { fetchScope } from './fetch-scope.js';
import { encodeBase64url } from './jws.js';
import { hmacSigningKey, importSigningKey, type SigningKey, signJws } from './jws-sign.js';
import { metadataOnDemand } from './metadata-on-demand.js';
import { processTokenResponse } from './token-response.js';
import type { OAuthClientOptions, PrivateKeyInput, TokenEndpointAuthMethod } from './types.js';

/**
 * Options of {@link createClientCredentialsClient}: the issuer, the client's credentials and the
 * transport options every Keyway client takes.
 */
export interface ClientCredentialsClientOptions extends HttpOptions {
  /** The issuer, exactly as in its metadata; discovered (OpenID Connect or RFC 8414 well-known URL) at the first request. */
  issuer: string;
  clientId: string;
  /** The client secret (`client_secret_basic` unless `tokenEndpointAuthMethod` says otherwise). */
  clientSecret?: string | undefined;
  /** A private key for `private_key_jwt`, instead of a secret. */
  privateKey?: PrivateKeyInput | undefined;
  /** Default: `client_secret_basic` with a secret, `private_key_jwt` with a private key, else `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  /** Allows a plain `http:` issuer or token endpoint that is not loopback. Loopback hosts are always allowed. */
  allowInsecureRequests?: boolean | undefined;
}

/** How one token request authenticates the client: headers and body fields to add. */
type Authenticate = (headers: Headers, body: URLSearchParams) => Promise<void>;

/**
 * RFC 6749 §2.3.1: the client id and secret are form-urlencoded before they are joined for Basic,
 * spelled as oauth4webapi spells them (every mark percent-encoded, a space as `+`).
 */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/[-_.!~*'()]|%20/g, (found) =>
    found === '%20' ? '+' : `%${found.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * RFC 7523 §3 client assertion: signed by the client, about itself, for the issuer (the audience
 * oauth4webapi and current providers use), valid for one minute and never replayable (`jti`).
 */
function clientAssertion(clientId: string, audience: string, signer: SigningKey): Promise<string> {
  const now = epochSeconds(systemClock);
  const jti = encodeBase64url(crypto.getRandomValues(new Uint8Array(32)));
  return signJws({ iss: clientId, sub: clientId, aud: audience, jti, iat: now, nbf: now, exp: now + 60 }, signer);
}

/** The client authentication of `method`; secrets stay in the closure it returns. */
function authenticator(method: TokenEndpointAuthMethod, options: ClientCredentialsClientOptions): Authenticate {
  const { clientId, clientSecret = '', issuer } = options;
  const withAssertion = (keyOf: () => Promise<SigningKey>): Authenticate => {
    // Imported once, at the first request (a careless key rejects that request, as an unusable key would).
    let signer: Promise<SigningKey> | undefined;
    return async (_headers, body) => {
      signer ??= keyOf();
      signer.catch(() => {
        signer = undefined;
      });
      body.set('client_id', clientId);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', await clientAssertion(clientId, issuer, await signer));
    };
  };
  switch (method) {
    case 'client_secret_basic':
      return async (headers) => {
        headers.set('authorization', `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`);
      };
    case 'client_secret_post':
      return async (_headers, body) => {
        body.set('client_id', clientId);
        body.set('client_secret', clientSecret);
      };
    case 'client_secret_jwt':
      return withAssertion(() => hmacSigningKey(clientSecret));
    case 'private_key_jwt':
      return withAssertion(() => importSigningKey(options.privateKey as PrivateKeyInput));
    default:
      return async (_headers, body) => {
        body.set('client_id', clientId);
      };
  }
}

/**
 * A client for the client credentials grant alone (RFC 6749 §4.4): the issuer is discovered at the
 * first request (and shares `discover()`'s cache, so snapshots hold it), then one POST to its token
 * endpoint per token, authenticated with `client_secret_basic`, `client_secret_post`,
 * `client_secret_jwt`, `private_key_jwt` or `none`, retried like every safe request, and read with the
 * checks of `OAuthClient.clientCredentials()` (`token_type`, `expires_in`, an oversized or non-JSON
 * body, an OAuth error answer: the same typed errors). It carries neither oauth4webapi, jose nor the
 * `OAuthClient` (JWT client assertions are signed on Web Crypto): what a Worker's token source needs.
 *
 * An `id_token` in the answer is dropped (nothing here verifies it). `refresh()` is refused with
 * `ConfigurationError` `unsupported_grant`: a client-credentials client gets a new token instead.
 *
 * @example
 * ```ts
 * import { createClientCredentialsClient, createTokenSource } from '@keyway/core';
 *
 * const client = createClientCredentialsClient({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-worker',
 *   clientSecret: 'from-the-environment',
 * });
 * const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'things:read' } });
 * const { access_token } = await source.getToken();
 * ```
 */
export function createClientCredentialsClient(options: ClientCredentialsClientOptions): TokenSourceOAuthClient {
  const { issuer, clientId } = options ?? {};
  if (typeof issuer !== 'string' || issuer === '' || typeof clientId !== 'string' || clientId === '') {
    throw new ConfigurationError('createClientCredentialsClient needs an `issuer` and a `clientId`.', {
      code: 'invalid_options',
    });
  }
  const authenticate = authenticator(resolveAuthMethod(options as OAuthClientOptions), options);
  const http = new HttpClient(options);
  const metadataAt = metadataOnDemand(issuer, options, http, fetchScope(options.fetch));
  return {
    issuer,
    clientId,
    async clientCredentials(params = {}): Promise<TokenSet> {
      const { token_endpoint: endpoint } = await metadataAt(systemClock);
      if (typeof endpoint !== 'string') {
        throw new ConfigurationError('The provider has no token_endpoint.', { code: 'missing_endpoint' });
      }
      const url = parseServiceUrl(endpoint, "The provider's token_endpoint", options.allowInsecureRequests);
      const body = new URLSearchParams({ grant_type: 'client_credentials' });
      if (params.scope) {
        body.set('scope', params.scope);
      }
      if (params.resource) {
        body.set('resource', params.resource);
      }
      const headers = new Headers({
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      });
      await authenticate(headers, body);
      const response = await http.send({ url, method: 'POST', headers, body, retry: true });
      const tokens = await processTokenResponse(response, { now: epochSeconds(systemClock), dpop: false });
      delete tokens.id_token;
      return tokens;
    },
    async refresh(): Promise<TokenSet> {
      throw new ConfigurationError('A client-credentials client does not refresh: ask it for a new token.', {
        code: 'unsupported_grant',
      });
    },
  };
}
