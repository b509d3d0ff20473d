import { ConfigurationError } from '../errors.js';

/**
 * Request parameters the client sets itself at the token and device authorization endpoints (grant,
 * client authentication, PKCE, the grant's own values, and `scope` / `resource`, which have their own
 * options): `extraParams` may not replace them.
 */
const PROTECTED = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'code',
  'code_verifier',
  'redirect_uri',
  'refresh_token',
  'device_code',
  'scope',
  'resource',
]);

/**
 * Adds `extraParams` to a request body; throws `ConfigurationError` `invalid_argument` (like
 * `createAuthorizationUrl()`) when one would replace a parameter the client sets itself.
 */
export function withExtraParams(
  params: URLSearchParams,
  extraParams: Record<string, string> | undefined,
): URLSearchParams {
  for (const [name, value] of Object.entries(extraParams ?? {})) {
    if (PROTECTED.has(name)) {
      throw new ConfigurationError(`extraParams cannot set "${name}".`, { code: 'invalid_argument' });
    }
    params.set(name, String(value));
  }
  return params;
}
