import { errors, type Provider, type ResourceServer } from 'oidc-provider';

/** RFC 8693 grant type. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 token type identifier of an OAuth access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

interface TokenExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  audience?: string;
  resource?: string | string[];
  scope?: string;
}

/**
 * Registers an RFC 8693 token-exchange grant: a valid access token issued by this provider (the
 * subject token) is exchanged for a JWT access token for one known resource server (the `audience`
 * or `resource`), carrying the subject's `sub` and a scope narrowed to what that server offers.
 */
export function registerTokenExchange(provider: Provider, resourceServers: ReadonlyMap<string, ResourceServer>): void {
  provider.registerGrantType<TokenExchangeParams>(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { client, params } = ctx.oidc;
      if (!params.subject_token || !params.subject_token_type) {
        throw new errors.InvalidRequest('subject_token and subject_token_type are required');
      }
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest('unsupported subject_token_type');
      }
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest('unsupported requested_token_type');
      }

      const subject = await provider.AccessToken.find(params.subject_token);
      if (!subject?.isValid || !subject.accountId) {
        throw new errors.InvalidGrant('subject token is invalid, expired or has no subject');
      }

      const resource = Array.isArray(params.resource) ? params.resource[0] : params.resource;
      const target = params.audience ?? resource;
      const info = target === undefined ? undefined : resourceServers.get(target);
      if (!target || !info) {
        throw new errors.InvalidTarget('audience must name a known resource server');
      }

      const offered = new Set(info.scope.split(' '));
      const requested = params.scope ? params.scope.split(' ') : [...(subject.scope?.split(' ') ?? []), ...offered];
      const scope = [...new Set(requested.filter((value) => offered.has(value)))].join(' ');

      // A grant of its own, so the exchanged token introspects (and is revoked) on its own terms.
      const grant = new provider.Grant({ accountId: subject.accountId, clientId: client.clientId });
      if (scope) {
        grant.addResourceScope(target, scope);
      }
      const token = new provider.AccessToken({
        accountId: subject.accountId,
        client,
        grantId: await grant.save(),
        gty: 'token-exchange',
        scope: scope || undefined,
      });
      token.resourceServer = new provider.ResourceServer(target, info);
      const accessToken = await token.save();

      ctx.body = {
        access_token: accessToken,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: token.tokenType,
        expires_in: token.expiration,
        scope: token.scope || undefined,
      };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
    ['resource'],
  );
}
