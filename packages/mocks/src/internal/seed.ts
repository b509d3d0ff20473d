import type { ExternalToken } from '@keyway/openapi';
import type { MockSeed } from '../create-mock-keyway.js';
import type { Engine } from './engine.js';
import { randomId } from './random.js';

/** The `mock.seed` helpers: state put in directly, without going through HTTP. */
export function createSeed(engine: Engine): MockSeed {
  const firstUser = () => engine.users.keys().next().value ?? 'usr_test';
  const firstClient = () => engine.clients.keys().next().value ?? 'test-client';
  return {
    user(user) {
      const copy = { ...user };
      engine.users.set(copy.sub, copy);
      return copy;
    },
    client(client) {
      const copy = { ...client };
      engine.clients.set(copy.clientId, copy);
      return copy;
    },
    accessToken(seedOptions = {}) {
      const token = seedOptions.token ?? randomId('kw_at_', 32);
      engine.registerOpaqueAccessToken(token, {
        sub: seedOptions.sub ?? firstUser(),
        clientId: seedOptions.clientId ?? firstClient(),
        scope: seedOptions.scope,
        aud: seedOptions.aud,
        exp: seedOptions.expiresIn === undefined ? undefined : engine.clock.now() + seedOptions.expiresIn,
      });
      return token;
    },
    persistentToken(seedOptions = {}) {
      const id = seedOptions.id ?? randomId('ptk_');
      engine.state.persistent.set(id, {
        id,
        sub: seedOptions.sub ?? firstUser(),
        clientId: seedOptions.clientId ?? firstClient(),
        scope: seedOptions.scope,
        refreshToken: seedOptions.refreshToken,
        revoked: false,
      });
      return id;
    },
    externalToken(user, provider, seedOptions = {}) {
      const { reconsent = false, ...fields } = seedOptions;
      const token: ExternalToken = {
        provider,
        access_token: fields.access_token ?? randomId(`${provider}_`, 32),
        token_type: fields.token_type ?? 'Bearer',
        ...(fields.expires_at === undefined ? {} : { expires_at: fields.expires_at }),
        ...(fields.scope === undefined ? {} : { scope: fields.scope }),
      };
      let tokens = engine.state.external.get(user);
      if (!tokens) {
        tokens = new Map();
        engine.state.external.set(user, tokens);
      }
      tokens.set(provider, { ...token, reconsent });
      return token;
    },
  };
}
