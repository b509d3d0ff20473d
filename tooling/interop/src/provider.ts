import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata, errors, type ResourceServer } from 'oidc-provider';
import { findAccount } from './accounts.ts';
import { type CallbackServer, close, listen, startCallbackServer } from './callback-server.ts';
import { registerTokenExchange, TOKEN_EXCHANGE } from './token-exchange.ts';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/** The resource server whose access tokens are RFC 9068 JWTs. */
export const API_RESOURCE = 'https://api.example.test/';
/** Scopes the API resource server offers. */
export const API_SCOPES = ['api:read', 'api:write'] as const;

/** Options a test passes to `discover()` for one registered client (spread them in). */
export interface RegisteredClient {
  clientId: string;
  clientSecret?: string;
  /** The private half of the key registered for `private_key_jwt`, as a JWK with `kid` and `alg`. */
  privateKey?: JWK;
  /** The same private key as a `CryptoKey` (its `kid` is `rp-key-1`). */
  privateCryptoKey?: CryptoKey;
  tokenEndpointAuthMethod:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'client_secret_jwt'
    | 'private_key_jwt'
    | 'none';
  redirectUri: string;
}

export interface TestProvider {
  /** `http://127.0.0.1:<port>` */
  issuer: string;
  /** One client per token endpoint authentication method. */
  clients: {
    basic: RegisteredClient;
    post: RegisteredClient;
    privateKeyJwt: RegisteredClient;
    public: RegisteredClient;
    secretJwt: RegisteredClient;
    backchannelLogout: RegisteredClient;
  };
  /** Where the provider sends the browser back after login (a recording server on 127.0.0.1). */
  redirectUri: string;
  /** Registered post-logout redirect URI of every client. */
  postLogoutRedirectUri: string;
  /** The relying party's callback server: every URL the browser reached on it. */
  callbacks: CallbackServer;
  provider: Provider;
  close(): Promise<void>;
}

export interface ProviderOptions {
  /** Lifetime of device codes in seconds (default 600); a short one lets `expired_token` be tested. */
  deviceCodeTtl?: number;
}

/**
 * Starts oidc-provider in-process on 127.0.0.1 (port 0) with every feature the Keyway OAuth client
 * uses, real RS256 + ES256 signing keys, one client per authentication method, and a client with a
 * back-channel logout URI.
 */
export async function startProvider(options: ProviderOptions = {}): Promise<TestProvider> {
  const callbacks = await startCallbackServer();
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const { redirectUri, postLogoutRedirectUri } = callbacks;

  const [rsa, ec, clientKey] = await Promise.all([
    signingKey('RS256'),
    signingKey('ES256'),
    generateKeyPair('ES256', { extractable: true }),
  ]);
  const clientPublicJwk = { ...(await exportJWK(clientKey.publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
  const clientPrivateJwk = { ...(await exportJWK(clientKey.privateKey)), kid: 'rp-key-1', alg: 'ES256' };

  const confidentialGrants = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE, TOKEN_EXCHANGE];
  const common: Partial<ClientMetadata> = {
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    response_types: ['code'],
    scope: `openid offline_access email profile ${API_SCOPES.join(' ')}`,
  };
  const secret = (): string => randomBytes(24).toString('base64url');
  const basicSecret = secret();
  const postSecret = secret();
  const jwtSecret = secret();
  const logoutSecret = secret();
  const clientMetadata: ClientMetadata[] = [
    {
      ...common,
      client_id: 'basic-client',
      client_secret: basicSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: confidentialGrants,
    },
    {
      ...common,
      client_id: 'post-client',
      client_secret: postSecret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: confidentialGrants,
    },
    {
      ...common,
      client_id: 'jwt-client',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [clientPublicJwk] },
      grant_types: confidentialGrants,
    },
    {
      ...common,
      client_id: 'secret-jwt-client',
      client_secret: jwtSecret,
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
      grant_types: confidentialGrants,
    },
    {
      ...common,
      client_id: 'logout-client',
      client_secret: logoutSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: confidentialGrants,
      backchannel_logout_uri: callbacks.backchannelLogoutUri,
      backchannel_logout_session_required: true,
    },
    {
      ...common,
      client_id: 'public-client',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE],
    },
  ];

  const resourceServers = new Map<string, ResourceServer>([
    [
      API_RESOURCE,
      {
        audience: API_RESOURCE,
        scope: API_SCOPES.join(' '),
        accessTokenFormat: 'jwt',
        accessTokenTTL: 300,
        jwt: { sign: { alg: 'ES256' } },
      },
    ],
  ]);

  const provider = new Provider(issuer, {
    clients: clientMetadata,
    jwks: { keys: [rsa, ec] },
    findAccount,
    cookies: { keys: [secret(), secret()] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', ...API_SCOPES],
    responseTypes: ['code'],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: { enabled: true },
      // Logout tokens POSTed to the logout-client's backchannel_logout_uri (the callback server).
      backchannelLogout: { enabled: true },
      // Dynamic Client Registration (RFC 7591), open: no initial access token.
      registration: { enabled: true },
      // Nonces are required so the client's `use_dpop_nonce` retry is exercised on every DPoP call.
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        // A code flow that asked for one resource gets its access token for it without repeating it.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const info = resourceServers.get(indicator);
          if (!info) {
            throw new errors.InvalidTarget();
          }
          return info;
        },
      },
    },
    // The relying party's back-channel logout URI is on 127.0.0.1: drop oidc-provider's SSRF guard
    // (its dispatcher refuses special-use addresses) for the provider's own outgoing requests.
    fetch: (url, init) => {
      const { dispatcher: _guard, ...options } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, options);
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: options.deviceCodeTtl ?? 600,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 3600,
      Session: 3600,
    },
  });
  registerTokenExchange(provider, resourceServers);
  server.on('request', provider.callback());

  return {
    issuer,
    clients: {
      basic: {
        clientId: 'basic-client',
        clientSecret: basicSecret,
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUri,
      },
      post: {
        clientId: 'post-client',
        clientSecret: postSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
        redirectUri,
      },
      privateKeyJwt: {
        clientId: 'jwt-client',
        privateKey: clientPrivateJwk,
        privateCryptoKey: clientKey.privateKey,
        tokenEndpointAuthMethod: 'private_key_jwt',
        redirectUri,
      },
      public: { clientId: 'public-client', tokenEndpointAuthMethod: 'none', redirectUri },
      secretJwt: {
        clientId: 'secret-jwt-client',
        clientSecret: jwtSecret,
        tokenEndpointAuthMethod: 'client_secret_jwt',
        redirectUri,
      },
      backchannelLogout: {
        clientId: 'logout-client',
        clientSecret: logoutSecret,
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUri,
      },
    },
    redirectUri,
    postLogoutRedirectUri,
    callbacks,
    provider,
    close: async () => {
      await Promise.all([close(server), callbacks.close()]);
    },
  };
}

async function signingKey(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `op-${alg.toLowerCase()}`, alg, use: 'sig' };
}
