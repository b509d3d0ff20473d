import { ConfigurationError } from '@keyway/core';
import { MemoryTokenStore, parseTokenKey } from '@keyway/token-store';
import { afterEach, describe, expect, it } from 'vitest';
import { followRedirect, useMockServer } from '../../test/helpers.js';
import { type RegisteringMock, startRegisteringMock } from '../../test/registering-mock.js';
import { authenticate, login, loginKey } from '../authenticate.js';
import { InteractionRequiredError } from '../errors.js';
import { registrationKey, storedRegistration } from './registration.js';

const plain = useMockServer(); // a provider without a registration endpoint
const providers: RegisteringMock[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
});

async function provider(answer?: Record<string, unknown>): Promise<RegisteringMock> {
  const started = await startRegisteringMock(answer);
  providers.push(started);
  return started;
}

/** A browser login that a person completes at once (the mock approves every authorization). */
const browserLogin = {
  interactive: true,
  flow: 'browser',
  openBrowser: async (url: string) => void followRedirect(url),
} as const;

describe('authenticate({ issuer }) without a clientId', () => {
  it('registers a public native client at the first login, stores it per issuer, and reuses it', async () => {
    const { issuer, registrations } = await provider();
    const store = new MemoryTokenStore();

    const first = await login({ issuer, store, ...browserLogin });
    expect(first.access_token).toEqual(expect.any(String));
    expect(registrations).toHaveLength(1);
    expect(registrations[0]).toMatchObject({
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: expect.arrayContaining(['authorization_code', 'refresh_token']),
    });
    expect(await storedRegistration(store, issuer)).toEqual({ clientId: 'test-public-client' });
    // The login is stored under the registered client's key; the registration under a key no login parses as.
    expect(await store.get(loginKey({ issuer, clientId: 'test-public-client' }))).toBeDefined();
    expect(parseTokenKey(registrationKey(issuer))).toBeUndefined();

    const again = await authenticate({ issuer, store, interactive: false });
    expect(again.access_token).toBe(first.access_token);
    await login({ issuer, store, ...browserLogin });
    expect(registrations).toHaveLength(1);
  });

  it('never registers while a stored registration exists (another process registered it)', async () => {
    const { issuer, registrations } = await provider();
    const store = new MemoryTokenStore();
    await store.set(registrationKey(issuer), {
      access_token: '',
      token_type: 'keyway_client_registration',
      client_id: 'test-public-client',
    });
    const tokens = await login({ issuer, store, ...browserLogin });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(registrations).toHaveLength(0);
  });

  it('where nobody can log in, registers nothing: InteractionRequiredError names no client id', async () => {
    const { issuer, registrations } = await provider();
    const error = await authenticate({ issuer, store: new MemoryTokenStore(), interactive: false }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InteractionRequiredError);
    expect((error as Error).message).toContain(`keyway login --issuer ${issuer}\``);
    expect((error as Error).message).not.toContain('--client-id');
    expect(registrations).toHaveLength(0);
  });

  it('keeps a secret the provider issued anyway where a store keeps secrets, and uses it for refreshes', async () => {
    const secret = 'test-secret'; // the mock's confidential client
    const { issuer, mock } = await provider({
      client_id: 'test-client',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const store = new MemoryTokenStore();
    await login({ issuer, store, ...browserLogin });
    expect(await storedRegistration(store, issuer)).toEqual({ clientId: 'test-client', clientSecret: secret });
    // Where a store keeps (encrypts, redacts) a secret: never beside the tokens of a login.
    expect((await store.get(registrationKey(issuer)))?.access_token).toBe(secret);
    const key = loginKey({ issuer, clientId: 'test-client' });
    expect(JSON.stringify(await store.get(key))).not.toContain(secret);

    await store.set(key, { ...(await store.get(key))!, expires_at: Math.floor(Date.now() / 1000) - 10 });
    const refreshed = await authenticate({ issuer, store, interactive: false });
    const refresh = mock.calls
      .filter((call) => (call.body as { grant_type?: string } | undefined)?.grant_type === 'refresh_token')
      .at(-1);
    const basic = Buffer.from(refresh?.headers.authorization?.replace(/^Basic /, '') ?? '', 'base64').toString();
    expect(basic.split(':').map(decodeURIComponent)).toEqual(['test-client', secret]); // RFC 6749 §2.3.1 encoding
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('against the mock’s own RFC 7591 endpoint: registers a client of its own choosing and logs in with it', async () => {
    const store = new MemoryTokenStore();
    const tokens = await login({ issuer: plain.issuer, store, ...browserLogin });
    const registered = await storedRegistration(store, plain.issuer);
    expect(registered?.clientId).toEqual(expect.any(String));
    expect(plain.mock.callsTo('registerClient')).toHaveLength(1);
    expect(await store.get(loginKey({ issuer: plain.issuer, clientId: registered!.clientId }))).toMatchObject({
      access_token: tokens.access_token,
    });
  });

  it('a provider without a registration endpoint: ConfigurationError missing_client_id, nothing stored', async () => {
    // The mock's discovery, without its registration endpoint.
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await globalThis.fetch(input, init);
      if (!new URL(response.url).pathname.endsWith('/openid-configuration')) {
        return response;
      }
      const { registration_endpoint: _, ...metadata } = (await response.json()) as Record<string, unknown>;
      return Response.json(metadata);
    };
    const store = new MemoryTokenStore();
    const error = await login({ issuer: plain.issuer, store, fetch, ...browserLogin }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('missing_client_id');
    expect(await store.keys!()).toEqual([]);
  });
});
