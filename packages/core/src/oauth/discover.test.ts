import { describe, expect, it } from 'vitest';
import { CLIENT_ID, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError, InvalidResponseError } from '../errors.js';
import { discover } from './discover.js';
import { OAuthClient } from './oauth-client.js';

const options = (op: FakeOP) => ({ clientId: CLIENT_ID, fetch: op.fetch, retry: false as const });

describe('discover()', () => {
  it('refuses bad options before sending anything (nothing fetched, nothing cached)', async () => {
    const op = await FakeOP.create();
    for (const bad of [
      { clockTolerance: Number.NaN },
      { timeout: -1 },
      { idTokenSignedResponseAlg: 'XS256' },
      { clientId: '' },
    ]) {
      const error = await rejection(discover(op.issuer, { ...options(op), ...bad }));
      expect(ConfigurationError.is(error), JSON.stringify(bad)).toBe(true);
    }
    expect(op.calls).toHaveLength(0);
  });

  it('reads OpenID Connect metadata and builds a client exposing issuer, clientId and metadata', async () => {
    const op = await FakeOP.create();
    const client = await discover(op.issuer, options(op));
    expect(client).toBeInstanceOf(OAuthClient);
    expect(client.issuer).toBe(op.issuer);
    expect(client.clientId).toBe(CLIENT_ID);
    expect(client.metadata).toMatchObject({ issuer: op.issuer, token_endpoint: `${op.issuer}/token` });
    expect(op.calls.map((call) => call.url.href)).toEqual([`${op.issuer}/.well-known/openid-configuration`]);
    expect(op.calls[0]!.headers.get('accept')).toBe('application/json');
  });

  it('appends the well-known suffix to an issuer with a path', async () => {
    const op = await FakeOP.create({ path: '/tenants/acme' });
    const client = await discover(op.issuer, options(op));
    expect(client.issuer).toBe(op.issuer);
    expect(op.calls[0]!.url.pathname).toBe('/tenants/acme/.well-known/openid-configuration');
  });

  it('falls back to RFC 8414 (suffix inserted before the path)', async () => {
    const op = await FakeOP.create({ path: '/tenants/acme' });
    op.routes.delete('/tenants/acme/.well-known/openid-configuration');
    op.routes.set('/.well-known/oauth-authorization-server/tenants/acme', () => json(op.metadata));
    const client = await discover(op.issuer, options(op));
    expect(client.metadata.issuer).toBe(op.issuer);
    expect(op.calls.map((call) => call.url.pathname)).toEqual([
      '/tenants/acme/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenants/acme',
    ]);
  });

  it('refuses metadata for another issuer, even one differing by a trailing slash', async () => {
    const op = await FakeOP.create();
    op.metadata.issuer = `${op.issuer}/`;
    const error = await rejection(discover(op.issuer, options(op)));
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error.code).toBe('issuer_mismatch');

    op.metadata.issuer = 'https://evil.example.test';
    const other = await rejection(discover(`${op.issuer}`, options(op)));
    expect(other.code).toBe('issuer_mismatch');
  });

  it('caches metadata per issuer: concurrent and later calls make one request', async () => {
    const op = await FakeOP.create();
    const clients = await Promise.all([1, 2, 3].map(() => discover(op.issuer, options(op))));
    await discover(op.issuer, options(op));
    expect(clients.map((client) => client.issuer)).toEqual([op.issuer, op.issuer, op.issuer]);
    expect(op.calls).toHaveLength(1);
    expect(clients[0]).not.toBe(clients[1]);
  });

  it('does not cache failures', async () => {
    const op = await FakeOP.create();
    let n = 0;
    op.on('/.well-known/openid-configuration', () => (++n === 1 ? json({}, 500) : json(op.metadata)));
    op.routes.set('/.well-known/oauth-authorization-server', () => json({}, 500));
    const error = await rejection(discover(op.issuer, options(op)));
    expect(error).toMatchObject({ name: 'InvalidResponseError', code: 'discovery_failed', status: 500 });
    expect((await discover(op.issuer, options(op))).issuer).toBe(op.issuer);
  });

  it('refuses non-JSON metadata', async () => {
    const op = await FakeOP.create();
    op.on('/.well-known/openid-configuration', () => new Response('<html>', { status: 200 }));
    const error = await rejection(discover(op.issuer, options(op)));
    expect(error).toMatchObject({ name: 'InvalidResponseError', code: 'invalid_metadata' });
  });

  it('refuses plain http to a non-loopback host unless allowed', async () => {
    const op = await FakeOP.create();
    const error = await rejection(discover('http://auth.example.test', options(op)));
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error.code).toBe('insecure_request');
    expect(op.calls).toHaveLength(0);
    expect(() => new OAuthClient({ issuer: 'http://auth.example.test' }, { clientId: 'c' })).toThrow(
      expect.objectContaining({ code: 'insecure_request' }),
    );
    expect(new OAuthClient({ issuer: 'http://127.0.0.1:4000' }, { clientId: 'c' }).issuer).toBe(
      'http://127.0.0.1:4000',
    );
    expect(
      new OAuthClient({ issuer: 'http://auth.example.test' }, { clientId: 'c', allowInsecureRequests: true }).issuer,
    ).toBe('http://auth.example.test');
  });

  it('refuses a plain-http endpoint in https metadata', async () => {
    const op = await FakeOP.create();
    op.metadata.token_endpoint = 'http://auth.example.test/token';
    const error = await rejection(op.client().clientCredentials());
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'insecure_request' });
    expect(op.calls).toHaveLength(0);
  });
});

describe('discover() without a clientId (RFC 7591 / RFC 8252 self-registration)', () => {
  /** A provider with a registration endpoint that records what it is sent and answers `answer`. */
  async function registeringOp(answer: Record<string, unknown> = {}) {
    const op = await FakeOP.create();
    op.metadata.registration_endpoint = `${op.issuer}/register`;
    const sent: Record<string, unknown>[] = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === '/register') {
        sent.push(JSON.parse(await request.clone().text()) as Record<string, unknown>);
      }
      return op.fetch(request);
    };
    op.on('/register', () => json({ ...sent.at(-1), client_id: `native-${sent.length}`, ...answer }, 201));
    return { op, sent, fetch };
  }

  it('registers a public native client once, and builds the client with its client_id', async () => {
    const { op, sent, fetch } = await registeringOp();
    const told: string[] = [];
    const onRegister = (registration: { client_id: string }) => told.push(registration.client_id);

    const client = await discover(op.issuer, { fetch, retry: false, onRegister });
    const again = await discover(op.issuer, { fetch, retry: false, onRegister });

    expect(client.clientId).toBe('native-1');
    expect(client.tokenEndpointAuthMethod).toBe('none');
    expect(again.clientId).toBe('native-1');
    expect(op.callsTo('/register')).toHaveLength(1);
    expect(told).toEqual(['native-1', 'native-1']);
    expect(sent[0]).toEqual({
      application_type: 'native',
      client_name: 'Keyway',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    });
  });

  it('registers the caller’s redirectUri, and leaves out the device grant where the provider has none', async () => {
    const { op, sent, fetch } = await registeringOp();
    delete op.metadata.device_authorization_endpoint;
    const client = await discover(op.issuer, { fetch, redirectUri: 'http://127.0.0.1:8123/cb' });
    expect(client.redirectUri).toBe('http://127.0.0.1:8123/cb');
    expect(sent[0]).toMatchObject({
      redirect_uris: ['http://127.0.0.1:8123/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
    });
  });

  it('uses a secret the provider issued anyway, with the method it registered', async () => {
    const { op, fetch } = await registeringOp({
      client_secret: 'issued-0123456789',
      token_endpoint_auth_method: 'client_secret_post',
    });
    const client = await discover(op.issuer, { fetch });
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_post');
    expect(JSON.stringify(client)).not.toContain('issued-0123456789');
  });

  it('a provider without a registration endpoint: ConfigurationError missing_client_id, nothing registered', async () => {
    const op = await FakeOP.create();
    const error = await rejection(discover(op.issuer, { fetch: op.fetch }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe('missing_client_id');
    expect(error.message).toContain('clientId is required');
  });

  it('a secret or key without a client id, or a bad option, is refused before anything is sent', async () => {
    const { op, fetch } = await registeringOp();
    for (const bad of [{ clientSecret: 's3cr3t' }, { timeout: Number.NaN }, { onRegister: 'yes' }]) {
      const error = await rejection(discover(op.issuer, { fetch, ...bad } as never));
      expect(ConfigurationError.is(error), JSON.stringify(bad)).toBe(true);
    }
    expect(op.calls).toHaveLength(0);
  });

  it('a refused registration is the provider’s OAuthError and is not kept: the next call registers', async () => {
    const { op, fetch } = await registeringOp();
    let refuse = true;
    const register = op.routes.get('/register')!;
    op.on('/register', (call) =>
      refuse ? json({ error: 'invalid_client_metadata', error_description: 'no' }, 400) : register(call),
    );
    const error = await rejection(discover(op.issuer, { fetch }));
    expect(error).toMatchObject({ name: 'OAuthError', error: 'invalid_client_metadata' });
    refuse = false;
    expect((await discover(op.issuer, { fetch })).clientId).toMatch(/^native-/);
  });
});
