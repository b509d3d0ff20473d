import type { JWK } from 'jose';
import type * as oauth from 'oauth4webapi';
import { ConfigurationError } from '../errors.js';
import { printable } from '../internal/printable.js';
import { loadJose } from './jose-lazy.js';
import { loadOAuth } from './oauth-lazy.js';
import type { OAuthClientOptions, PrivateKeyInput, TokenEndpointAuthMethod } from './types.js';

const METHODS = /* @__PURE__ */ new Set<TokenEndpointAuthMethod>([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
]);

/** The endpoints whose authentication method can be chosen apart from the token endpoint's. */
type AuthOption = 'tokenEndpointAuthMethod' | 'introspectionEndpointAuthMethod' | 'revocationEndpointAuthMethod';

/** `method` (the value of the option `name`), checked against the credentials the options give. */
function checkAuthMethod(method: unknown, options: OAuthClientOptions, name: AuthOption): TokenEndpointAuthMethod {
  if (!METHODS.has(method as TokenEndpointAuthMethod)) {
    throw new ConfigurationError(`Unsupported ${name} "${printable(String(method), 40)}".`, {
      code: 'invalid_auth_method',
    });
  }
  const checked = method as TokenEndpointAuthMethod;
  if (checked.startsWith('client_secret_') && !options.clientSecret) {
    throw new ConfigurationError(`${checked} needs a clientSecret.`, { code: 'missing_client_secret' });
  }
  if (checked === 'private_key_jwt' && !options.privateKey) {
    throw new ConfigurationError('private_key_jwt needs a privateKey.', { code: 'missing_private_key' });
  }
  return checked;
}

/** The method the options ask for, or the default that fits the credentials given. */
export function resolveAuthMethod(options: OAuthClientOptions): TokenEndpointAuthMethod {
  const method =
    options.tokenEndpointAuthMethod ??
    (options.clientSecret !== undefined ? 'client_secret_basic' : options.privateKey ? 'private_key_jwt' : 'none');
  return checkAuthMethod(method, options, 'tokenEndpointAuthMethod');
}

/**
 * The methods for the introspection and revocation endpoints: each its own option when given, else
 * the token endpoint's.
 */
export function resolveEndpointAuthMethods(
  options: OAuthClientOptions,
  tokenEndpointAuthMethod: TokenEndpointAuthMethod,
): { introspection: TokenEndpointAuthMethod; revocation: TokenEndpointAuthMethod } {
  const resolve = (name: Exclude<AuthOption, 'tokenEndpointAuthMethod'>) =>
    options[name] === undefined ? tokenEndpointAuthMethod : checkAuthMethod(options[name], options, name);
  return {
    introspection: resolve('introspectionEndpointAuthMethod'),
    revocation: resolve('revocationEndpointAuthMethod'),
  };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

const DEFAULT_JWK_ALG: Record<string, string> = { RSA: 'RS256', 'EC:P-256': 'ES256', 'EC:P-384': 'ES384' };

/**
 * A private key input as a `CryptoKey` (with its `kid`), or as a private JWK with the algorithm to
 * import it for (its `alg`, else the usual one for its key type); `ConfigurationError`
 * `invalid_private_key` for anything else.
 */
export function privateKeyParts(
  input: PrivateKeyInput,
): { key: CryptoKey; kid?: string } | { jwk: JWK; alg: string; kid?: string } {
  if (isCryptoKey(input)) {
    return { key: input };
  }
  if ('key' in input && isCryptoKey(input.key)) {
    return input.kid === undefined ? { key: input.key } : { key: input.key, kid: input.kid };
  }
  const jwk = input as JWK;
  if (typeof jwk.d !== 'string') {
    throw new ConfigurationError('privateKey must be a private key (a JWK with "d", or a CryptoKey).', {
      code: 'invalid_private_key',
    });
  }
  const alg =
    jwk.alg ?? (jwk.kty === 'OKP' ? 'EdDSA' : DEFAULT_JWK_ALG[jwk.kty === 'EC' ? `EC:${jwk.crv}` : String(jwk.kty)]);
  if (!alg) {
    throw new ConfigurationError('privateKey: cannot tell the JWK\'s algorithm; set its "alg".', {
      code: 'invalid_private_key',
    });
  }
  return typeof jwk.kid === 'string' ? { jwk, alg, kid: jwk.kid } : { jwk, alg };
}

/** Imports a private key input into what oauth4webapi's `PrivateKeyJwt` takes. */
async function importPrivateKey(input: PrivateKeyInput): Promise<oauth.PrivateKey> {
  const parts = privateKeyParts(input);
  if ('key' in parts) {
    return parts;
  }
  const { jwk, alg } = parts;
  const { importJWK } = await loadJose();
  let key: CryptoKey;
  try {
    key = (await importJWK(jwk, alg)) as CryptoKey;
  } catch {
    // The import error could quote key material; say what failed without it.
    throw new ConfigurationError(`privateKey: the JWK could not be imported for ${alg}.`, {
      code: 'invalid_private_key',
    });
  }
  return typeof jwk.kid === 'string' ? { key, kid: jwk.kid } : { key };
}

/**
 * Builds the oauth4webapi client authentication for `method`. Secrets live only in the closure it
 * returns, never on an enumerable property.
 */
export async function createClientAuth(
  method: TokenEndpointAuthMethod,
  options: Pick<OAuthClientOptions, 'clientSecret' | 'privateKey'>,
): Promise<oauth.ClientAuth> {
  const lib = await loadOAuth();
  switch (method) {
    case 'client_secret_basic':
      return lib.ClientSecretBasic(options.clientSecret ?? '');
    case 'client_secret_post':
      return lib.ClientSecretPost(options.clientSecret ?? '');
    case 'client_secret_jwt':
      // HS256 over the secret; the assertion's `aud` is the issuer (RFC 7523 §3, as for private_key_jwt).
      return lib.ClientSecretJwt(options.clientSecret ?? '');
    case 'private_key_jwt': {
      const key = await importPrivateKey(options.privateKey as PrivateKeyInput);
      try {
        return lib.PrivateKeyJwt(key);
      } catch (error) {
        throw new ConfigurationError(`privateKey: ${(error as Error).message}`, { code: 'invalid_private_key' });
      }
    }
    default:
      return lib.None();
  }
}
