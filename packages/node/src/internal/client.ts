import { discover, type OAuthClient, type OAuthClientOptions } from '@keyway/core';

/**
 * How to reach the provider and who the client is: the issuer plus the options of `discover()`
 * (without `redirectUri`, which a code flow sets itself).
 */
export type ClientConfig = { issuer: string } & Omit<OAuthClientOptions, 'redirectUri'>;

/** Discovers (once per issuer and fetch: core caches the metadata) and builds the client. */
export async function clientFor(config: ClientConfig, redirectUri?: string): Promise<OAuthClient> {
  const { issuer, ...options } = config;
  return discover(issuer, { ...options, ...(redirectUri === undefined ? {} : { redirectUri }) });
}
