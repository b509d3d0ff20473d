import { SignJWT } from 'jose';
import type { Engine } from './engine.js';
import { randomId } from './random.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The session the authorize endpoint signs `sub` in with (OpenID Connect `sid`): one per user until
 * a logout ends it, remembering each client that got a code in it.
 */
export function signInSession(engine: Engine, sub: string, clientId: string): string {
  let session = engine.state.sessions.get(sub);
  if (!session) {
    session = { sid: randomId('sid_', 24), clients: new Set() };
    engine.state.sessions.set(sub, session);
  }
  session.clients.add(clientId);
  return session.sid;
}

/** A logout token (OIDC Back-Channel Logout 1.0 section 2.4): `events`, `sid` and `sub`, never a `nonce`. */
async function logoutToken(engine: Engine, clientId: string, sub: string, sid: string): Promise<string> {
  const key = await engine.keys.current();
  const now = engine.clock.now();
  return new SignJWT({ sub, sid, events: { [EVENT]: {} } })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
    .setIssuer(engine.issuer)
    .setAudience(clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .setJti(randomId('lt_', 24))
    .sign(key.privateKey);
}

/**
 * Ends the session `sid` of `sub` (the one an ID token hint names) and POSTs a logout token to the
 * `backchannelLogoutUri` of every client that signed in through it. Waits for the deliveries, so a
 * test sees them once the logout is answered; a receiver that fails or cannot be reached does not
 * fail the logout, as at a real provider.
 */
export async function endSessionWithBackchannel(engine: Engine, sub: string, sid: string | undefined): Promise<void> {
  const session = engine.state.sessions.get(sub);
  if (!session || (sid !== undefined && session.sid !== sid)) {
    return;
  }
  engine.state.sessions.delete(sub);
  const deliveries = [...session.clients].map(async (clientId) => {
    const uri = engine.clients.get(clientId)?.backchannelLogoutUri;
    if (uri === undefined) {
      return;
    }
    const token = await logoutToken(engine, clientId, sub, session.sid);
    try {
      const response = await engine.outboundFetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }),
      });
      await response.body?.cancel();
    } catch {
      // An unreachable receiver misses its logout, as it would at a real provider.
    }
  });
  await Promise.all(deliveries);
}
