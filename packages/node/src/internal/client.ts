import { discover, type OAuthClient, type OAuthClientOptions } from '@keyway/core';
import { audienceFetch } from './audience-fetch.js';

/**
 * How to reach the provider and who the client is: the issuer plus the options of `discover()`
 * (without `redirectUri`, which a code flow sets itself).
 */
export type ClientConfig = { issuer: string } & Omit<OAuthClientOptions, 'redirectUri'>;

/**
 * Discovers (once per issuer and fetch: core caches the metadata) and builds the client. With an
 * `audience`, the device authorization request and refresh grants carry it as well.
 */
export async function clientFor(config: ClientConfig, redirectUri?: string, audience?: string): Promise<OAuthClient> {
  const { issuer, ...options } = config;
  const withAudience = audience === undefined ? undefined : audienceFetch(options.fetch, audience);
  const client = await discover(issuer, {
    ...options,
    ...(withAudience === undefined ? {} : { fetch: withAudience.fetch }),
    ...(redirectUri === undefined ? {} : { redirectUri }),
  });
  if (withAudience) {
    const { device_authorization_endpoint: device, token_endpoint: token } = client.metadata;
    withAudience.target(typeof device === 'string' ? device : undefined);
    withAudience.target(typeof token === 'string' ? token : undefined);
  }
  return client;
}
