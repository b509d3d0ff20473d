import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError, InvalidResponseError, KeywayApiError, OAuthError } from '../errors.js';
import { discover } from './discover.js';
import { type ClientRegistrationMetadata, registerClient } from './registration.js';

const NATIVE: ClientRegistrationMetadata = {
  application_type: 'native',
  client_name: 'keyway-cli',
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
};

const SECRET = 'issued-secret-0123456789';
const RAT = 'registration-access-token-987';

async function setup(answer?: (body: Record<string, unknown>) => Response) {
  const op = await FakeOP.create();
  op.metadata.registration_endpoint = `${op.issuer}/register`;
  /** The JSON bodies POSTed to the registration endpoint (the fake OP records form bodies only). */
  const sent: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === '/register') {
      sent.push(await request.clone().text());
    }
    return op.fetch(request);
  };
  op.on('/register', async () => {
    const body = JSON.parse(sent.at(-1) ?? '{}') as Record<string, unknown>;
    return (
      answer?.(body) ??
      json(
        {
          ...body,
          client_id: 'client-42',
          client_secret: SECRET,
          client_id_issued_at: op.now(),
          client_secret_expires_at: 0,
          registration_access_token: RAT,
          registration_client_uri: `${op.issuer}/register/client-42`,
        },
        201,
      )
    );
  });
  const options = { fetch, retry: { initialDelay: 1, maxDelay: 2 } };
  return { op, options, sent };
}

describe('registerClient (RFC 7591)', () => {
  it('discovers the issuer and POSTs the metadata as JSON to its registration endpoint', async () => {
    const { op, options, sent } = await setup();

    const registration = await registerClient(op.issuer, NATIVE, options);

    expect(registration).toMatchObject({
      ...NATIVE,
      client_id: 'client-42',
      client_secret: SECRET,
      registration_access_token: RAT,
      client_secret_expires_at: 0,
    });
    const [call] = op.callsTo('/register');
    expect(call!.method).toBe('POST');
    expect(call!.headers.get('content-type')).toBe('application/json');
    expect(call!.headers.has('authorization')).toBe(false);
    expect(JSON.parse(sent[0]!)).toEqual(NATIVE);
    expect(op.callsTo('/.well-known/openid-configuration')).toHaveLength(1);
  });

  it('prints the secret and registration access token redacted; JSON keeps them', async () => {
    const { op, options } = await setup();
    const registration = await registerClient(op.issuer, NATIVE, options);
    const printed = inspect(registration);
    expect(printed).toMatch(/^ClientRegistration /);
    expect(printed).toContain('client-42');
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(RAT);
    expect(JSON.parse(JSON.stringify(registration))).toMatchObject({ client_secret: SECRET });
  });

  it('sends an initial access token as a Bearer token, refusing one a header cannot carry', async () => {
    const { op, options } = await setup();
    await registerClient(op.issuer, NATIVE, { ...options, initialAccessToken: 'iat-123' });
    expect(op.callsTo('/register')[0]!.headers.get('authorization')).toBe('Bearer iat-123');

    for (const initialAccessToken of ['iat\r\nx-evil: 1', '', 'with space']) {
      const error = await rejection(registerClient(op.issuer, NATIVE, { ...options, initialAccessToken }));
      expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_token' });
      expect(error.message).not.toContain('iat');
    }
    expect(op.callsTo('/register')).toHaveLength(1);
  });

  it('gives a registration discover() takes as it is', async () => {
    const { op, options } = await setup();
    op.on('/token', (call) => json({ access_token: `for-${call.body.get('client_id')}`, token_type: 'Bearer' }));
    const registration = await registerClient(
      op.issuer,
      { ...NATIVE, token_endpoint_auth_method: 'client_secret_post' },
      options,
    );
    const client = await discover(op.issuer, {
      ...options,
      clientId: registration.client_id,
      clientSecret: registration.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    expect((await client.clientCredentials()).access_token).toBe('for-client-42');
    expect(op.callsTo('/token')[0]!.body.get('client_secret')).toBe(SECRET);
  });

  it("reports the provider's refusal as OAuthError, never retried", async () => {
    const { op, options } = await setup(() =>
      json({ error: 'invalid_redirect_uri', error_description: 'redirect_uris must be https' }, 400),
    );
    const error = await rejection(registerClient(op.issuer, NATIVE, options));
    expect(OAuthError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'invalid_redirect_uri',
      error_description: 'redirect_uris must be https',
      status: 400,
    });

    op.on('/register', () =>
      json({ error: 'invalid_token' }, 401, { 'www-authenticate': 'Bearer error="invalid_token"' }),
    );
    expect(await rejection(registerClient(op.issuer, NATIVE, { ...options, initialAccessToken: 'x' }))).toMatchObject({
      name: 'OAuthError',
      code: 'invalid_token',
      status: 401,
    });

    op.on('/register', () => new Response('<h1>oops</h1>', { status: 503, headers: { 'retry-after': '0' } }));
    const down = await rejection(registerClient(op.issuer, NATIVE, options));
    expect(KeywayApiError.is(down)).toBe(true);
    expect(down).toMatchObject({ status: 503 });
    expect(JSON.stringify(down)).not.toContain('oops');
    expect(op.callsTo('/register')).toHaveLength(3);
  });

  it('refuses a 2xx without a usable client_id or with mistyped fields', async () => {
    const answers: unknown[] = [
      'not json',
      [],
      {},
      { client_id: '' },
      { client_id: 42 },
      { client_id: 'c', client_secret: 7 },
      { client_id: 'c', registration_access_token: {} },
      { client_id: 'c', client_secret_expires_at: '0' },
      { client_id: 'c', client_id_issued_at: -1 },
    ];
    for (const answer of answers) {
      const { op, options } = await setup(() =>
        typeof answer === 'string' ? new Response(answer, { status: 201 }) : json(answer, 201),
      );
      const error = await rejection(registerClient(op.issuer, NATIVE, options));
      expect(InvalidResponseError.is(error), JSON.stringify(answer)).toBe(true);
      expect(error.code).toBe('invalid_registration_response');
    }
  });

  it('says a client id is needed when the provider has no registration endpoint', async () => {
    const { op, options } = await setup();
    delete op.metadata.registration_endpoint;
    const error = await rejection(registerClient(op.issuer, NATIVE, options));
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error.code).toBe('missing_endpoint');
    expect(error.message).toMatch(/client id is needed/);
    expect(op.callsTo('/register')).toHaveLength(0);
  });

  it('refuses a plain-http registration endpoint on another host', async () => {
    const { op, options } = await setup();
    op.metadata.registration_endpoint = 'http://register.example.test/register';
    const error = await rejection(registerClient(op.issuer, NATIVE, options));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'insecure_request' });
  });

  it('refuses bad metadata and options before anything is sent', async () => {
    const { op, options } = await setup();
    const bad: [unknown, Record<string, unknown>, string][] = [
      [null, {}, 'invalid_argument'],
      [[], {}, 'invalid_argument'],
      ['{}', {}, 'invalid_argument'],
      [{ ...NATIVE, client_id: 'mine' }, {}, 'invalid_argument'],
      [{ ...NATIVE, client_secret: 'mine' }, {}, 'invalid_argument'],
      [{ ...NATIVE, redirect_uris: 'http://127.0.0.1/cb' }, {}, 'invalid_argument'],
      [{ ...NATIVE, redirect_uris: ['http://127.0.0.1/cb#frag'] }, {}, 'invalid_redirect_uri'],
      [{ ...NATIVE, redirect_uris: ['/relative'] }, {}, 'invalid_redirect_uri'],
      [NATIVE, { timeout: Number.NaN }, 'invalid_option'],
      [NATIVE, { retry: { statuses: [200] } }, 'invalid_option'],
    ];
    for (const [metadata, extra, code] of bad) {
      const error = await rejection(registerClient(op.issuer, metadata as never, { ...options, ...extra }));
      expect(ConfigurationError.is(error), JSON.stringify(metadata)).toBe(true);
      expect(error.code, JSON.stringify(metadata)).toBe(code);
    }
    expect(op.calls).toHaveLength(0);
  });
});
