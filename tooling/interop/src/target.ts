import type { DeviceAuthorization } from '@keyway/core';
import type { Decision, LoginOptions, UserName } from './browser.ts';
import type { CallbackServer } from './callback-server.ts';
import type { RegisteredClient } from './provider.ts';

/** The authorization servers the suite runs the client's flows against. */
export const TARGETS = ['oidc-provider', 'mock'] as const;
export type TargetName = (typeof TARGETS)[number];

/** One user agent with its cookies: a login and a later logout must share it (the provider's session). */
export interface TargetSession {
  /** Sends the user through the authorization URL and resolves to where the server sent them back. */
  login(authorizationUrl: string | URL, options: LoginOptions): Promise<URL>;
  /** Follows an RP-initiated logout URL (confirming it where the server asks) to the post-logout redirect URI. */
  logout(endSessionUrl: string | URL): Promise<URL>;
  close(): Promise<void>;
}

/**
 * An authorization server the client is run against, with what the flows need from it: one client per
 * authentication method and a way to play the user (sign in, consent, approve a device).
 */
export interface InteropTarget {
  name: TargetName;
  /** `http://127.0.0.1:<port>` (port 0 picked by the OS). */
  issuer: string;
  /** One client per token endpoint authentication method, with the same client ids on every target. */
  clients: {
    basic: RegisteredClient;
    post: RegisteredClient;
    privateKeyJwt: RegisteredClient;
    public: RegisteredClient;
    /** `client_secret_jwt` (oidc-provider only: the mock has no such method). */
    secretJwt?: RegisteredClient;
    /**
     * A `client_secret_basic` client registered with a `backchannel_logout_uri` on `callbacks` and
     * `backchannel_logout_session_required` (oidc-provider only: the mock sends no logout tokens).
     */
    backchannelLogout?: RegisteredClient;
  };
  /** The relying party's server: the browser's callbacks, `form_post` bodies and back-channel logout POSTs. */
  callbacks: CallbackServer;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Endpoint paths below the issuer, as the discovery document names them. */
  paths: { authorization: string; token: string; jwks: string; endSession: string };
  /** The `alg` of the RFC 9068 access tokens issued for `API_RESOURCE`. */
  apiTokenAlg: string;
  /** The device-flow polling interval the server announces, in seconds (oidc-provider leaves out the default 5). */
  deviceInterval: number | undefined;
  newSession(): Promise<TargetSession>;
  /** `newSession().login(...)`, closing the session afterwards. */
  login(authorizationUrl: string | URL, options: LoginOptions): Promise<URL>;
  /** Plays the user on another device: approves or denies the pending authorization. */
  approveDevice(device: DeviceAuthorization, user: UserName, decision: Decision): Promise<void>;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Lifetime of device codes in seconds (default 600): a short one lets `expired_token` be tested. */
  deviceCodeTtl?: number;
}

/** Starts the named target. */
export async function startTarget(name: TargetName, options: TargetOptions = {}): Promise<InteropTarget> {
  if (name === 'mock') {
    const { startMockTarget } = await import('./mock-target.ts');
    return startMockTarget(options);
  }
  const { startProviderTarget } = await import('./provider-target.ts');
  return startProviderTarget(options);
}
