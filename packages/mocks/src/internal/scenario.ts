import type { MockKeyway } from '../create-mock-keyway.js';
import type { MockUser } from '../types.js';
import { pendingDevice } from './device-page.js';
import type { Engine } from './engine.js';
import { signIdToken, userClaims } from './tokens.js';

type Scenario = Pick<
  MockKeyway,
  | 'mintAccessToken'
  | 'mintIdToken'
  | 'jwks'
  | 'rotateKeys'
  | 'expireAll'
  | 'signInAs'
  | 'denyAuthorization'
  | 'approveDevice'
  | 'denyDevice'
>;

/** The test-side controls of the OAuth half: minting, keys, expiry, the signed-in user, device approval. */
export function createScenario(engine: Engine): Scenario {
  const firstClient = () => engine.clients.keys().next().value ?? 'test-client';
  const userSub = (user: string | MockUser | undefined): string => {
    if (user === undefined) {
      return engine.defaultUser().sub;
    }
    if (typeof user === 'string') {
      return user;
    }
    if (!engine.users.has(user.sub)) {
      engine.users.set(user.sub, { ...user });
    }
    return user.sub;
  };
  const pending = (userCode: string) => {
    const device = pendingDevice(engine, userCode);
    if (device === 'expired') {
      throw new Error(`@keyway/mocks: device authorization ${userCode} has expired.`);
    }
    if (device === 'unknown') {
      throw new Error(`@keyway/mocks: no pending device authorization with user code ${userCode}.`);
    }
    return device;
  };

  return {
    async mintAccessToken(claims = {}) {
      const { sub, aud, client_id, scope, exp, ...rest } = claims;
      const now = engine.clock.now();
      const issued = await engine.issueAccessToken({
        sub: sub ?? engine.defaultUser().sub,
        clientId: client_id ?? firstClient(),
        scope,
        aud,
        ttl: exp === undefined ? undefined : exp - now,
        claims: rest,
      });
      return issued.token;
    },
    async mintIdToken(claims = {}) {
      const sub = claims.sub ?? engine.defaultUser().sub;
      return signIdToken(engine, {
        sub,
        aud: firstClient(),
        auth_time: engine.clock.now(),
        ...userClaims(engine.users.get(sub), 'openid profile email'),
        ...claims,
      });
    },
    jwks: () => engine.keys.jwks(),
    async rotateKeys(options = {}) {
      await engine.keys.rotate(options);
    },
    expireAll(options = {}) {
      const past = engine.clock.now() - 1;
      for (const token of engine.state.tokens.values()) {
        if ((token.kind === 'access' && token.token !== engine.apiToken) || options.refreshTokens) {
          if (token.token !== engine.apiToken) {
            token.exp = past;
          }
        }
      }
      for (const code of engine.state.codes.values()) {
        code.exp = past;
      }
      for (const device of engine.state.devices.values()) {
        device.exp = past;
      }
      for (const pushed of engine.state.pushed.values()) {
        pushed.exp = past;
      }
    },
    signInAs(user) {
      engine.state.nextUser = userSub(user);
    },
    denyAuthorization(error) {
      engine.state.authorizeError = error === null ? undefined : (error ?? { error: 'access_denied' });
    },
    approveDevice(userCode, user) {
      const device = pending(userCode);
      device.status = 'approved';
      device.sub = userSub(user);
    },
    denyDevice(userCode) {
      pending(userCode).status = 'denied';
    },
  };
}
