import { type InteropBrowser, launchBrowser } from './browser.ts';
import { startProvider } from './provider.ts';
import type { InteropTarget, TargetOptions } from './target.ts';

/**
 * oidc-provider in-process, with the user played by a headless Chromium: sign-in and consent pages,
 * the device verification page and the logout confirmation. Chromium starts on the first browser step,
 * so files that need none (client credentials, discovery) never launch it.
 */
export async function startProviderTarget(options: TargetOptions = {}): Promise<InteropTarget> {
  const op = await startProvider(options);
  let launched: Promise<InteropBrowser> | undefined;
  const browser = () => {
    launched ??= launchBrowser();
    return launched;
  };
  return {
    name: 'oidc-provider',
    issuer: op.issuer,
    clients: op.clients,
    callbacks: op.callbacks,
    redirectUri: op.redirectUri,
    postLogoutRedirectUri: op.postLogoutRedirectUri,
    paths: { authorization: '/auth', token: '/token', jwks: '/jwks', endSession: '/session/end' },
    apiTokenAlg: 'ES256',
    deviceInterval: undefined,
    newSession: async () => (await browser()).newSession(),
    login: async (url, loginOptions) => (await browser()).login(url, loginOptions),
    async approveDevice(device, user, decision) {
      const session = await browser();
      // Approvals type the user code on the verification page; denials open the complete URI.
      await (decision === 'approve'
        ? session.approveDevice(device.verification_uri, user, decision, device.user_code)
        : session.approveDevice(device.verification_uri_complete ?? device.verification_uri, user, decision));
    },
    async close() {
      await Promise.all([op.close(), launched?.then((b) => b.close())]);
    },
  };
}
