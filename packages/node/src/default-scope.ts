/**
 * The default scope of a login: an ID token and a refresh token. In a module of its own (exported by
 * authenticate.ts) so that `keyway --help`, which prints it, loads nothing else.
 *
 * @example
 * ```ts
 * import { authenticate, DEFAULT_SCOPE } from '@keyway/node';
 *
 * await authenticate({ issuer: 'https://auth.example.com', clientId: 'my-cli', scope: `${DEFAULT_SCOPE} api:read` });
 * ```
 */
export const DEFAULT_SCOPE = 'openid offline_access';
