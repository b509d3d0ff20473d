import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { basicCredentials, CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError, OAuthError, TokenValidationError } from '../errors.js';
import type { TokenSet } from '../token-set.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

describe('refresh', () => {
  async function refreshOp(response: (op: FakeOP) => Promise<Record<string, unknown>> | Record<string, unknown>) {
    const op = await FakeOP.create();
    op.on('/token', async () => json(await response(op)));
    return op;
  }

  it('sends the refresh token and uses a rotated one', async () => {
    const op = await refreshOp(() => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      refresh_token: 'rt-2',
      expires_in: 60,
    }));
    const tokens = await op.client().refresh('rt-1', { scope: 'api' });
    expect(tokens).toMatchObject({ access_token: 'at-2', refresh_token: 'rt-2', expires_at: op.now() + 60 });
    expect(Object.fromEntries(op.callsTo('/token')[0]!.body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      scope: 'api',
    });
  });

  it('keeps the old refresh token, ID token and claims when none come back', async () => {
    const op = await refreshOp(() => ({ access_token: 'at-2', token_type: 'Bearer' }));
    const previous: TokenSet = {
      access_token: 'at-1',
      token_type: 'Bearer',
      refresh_token: 'rt-1',
      id_token: 'old.id.token',
      claims: { iss: op.issuer, sub: 'alice', aud: CLIENT_ID, exp: 1, iat: 1 },
    };
    const tokens = await op.client().refresh(previous);
    expect(tokens).toMatchObject({ access_token: 'at-2', refresh_token: 'rt-1', id_token: 'old.id.token' });
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('requires a refreshed ID token to be about the same subject', async () => {
    const op = await refreshOp(async (o) => ({
      access_token: 'a',
      token_type: 'Bearer',
      id_token: await o.idToken({ sub: 'mallory' }),
    }));
    const previous: TokenSet = {
      access_token: 'at-1',
      token_type: 'Bearer',
      refresh_token: 'rt-1',
      claims: { iss: op.issuer, sub: 'alice', aud: CLIENT_ID, exp: 1, iat: 1 },
    };
    const fromSet = await rejection(op.client().refresh(previous));
    expect(TokenValidationError.is(fromSet)).toBe(true);
    expect(fromSet.code).toBe('sub_mismatch');
    const fromOption = await rejection(op.client().refresh('rt-1', { expectedSubject: 'alice' }));
    expect(fromOption.code).toBe('sub_mismatch');
    const same = await op.client().refresh('rt-1', { expectedSubject: 'mallory' });
    expect(same.claims?.sub).toBe('mallory');
  });

  it('is never retried (a rotated token must not be sent twice) and reports invalid_grant', async () => {
    const op = await FakeOP.create();
    op.on('/token', () => json({ error: 'temporarily_unavailable' }, 503));
    await rejection(op.client().refresh('rt-1'));
    expect(op.callsTo('/token')).toHaveLength(1);
    op.on('/token', () => json({ error: 'invalid_grant' }, 400));
    const error = await rejection(op.client().refresh('rt-1'));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'invalid_grant' });
  });

  it('refuses a TokenSet without a refresh token', async () => {
    const op = await FakeOP.create();
    const error = await rejection(op.client().refresh({ access_token: 'a', token_type: 'Bearer' }));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'missing_refresh_token' });
  });
});

describe('client credentials', () => {
  it('sends scope and resource, retries a 503, and sends the Keyway client header', async () => {
    const op = await FakeOP.create();
    let n = 0;
    op.on('/token', () =>
      ++n === 1
        ? json({}, 503, { 'retry-after': '0' })
        : json({ access_token: 'cc', token_type: 'Bearer', scope: 'api' }),
    );
    const tokens = await op.client().clientCredentials({ scope: 'api', resource: 'https://api.example.test/' });
    expect(tokens).toEqual({ access_token: 'cc', token_type: 'Bearer', scope: 'api' });
    const calls = op.callsTo('/token');
    expect(calls).toHaveLength(2);
    expect(Object.fromEntries(calls[0]!.body)).toEqual({
      grant_type: 'client_credentials',
      scope: 'api',
      resource: 'https://api.example.test/',
    });
    expect(calls[0]!.headers.get('x-keyway-client')).toMatch(/^keyway-core\//);
    expect(calls[0]!.headers.get('user-agent')).toMatch(/^keyway-core\//);
  });

  it('reports a wrong secret (401 + WWW-Authenticate) as OAuthError invalid_client without the secret', async () => {
    const op = await FakeOP.create();
    op.on('/token', () =>
      json({ error: 'invalid_client', error_description: 'client authentication failed' }, 401, {
        'www-authenticate': 'Basic realm="op"',
      }),
    );
    const error = await rejection(op.client().clientCredentials());
    expect(OAuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_client', status: 401 });
    const forms = [error.message, String(error), JSON.stringify(error), error.stack, inspect(error, { depth: 5 })];
    for (const form of forms) {
      expect(form).not.toContain(CLIENT_SECRET);
    }
  });
});

describe('token exchange (RFC 8693)', () => {
  it('sends the RFC 8693 parameters and returns issued_token_type', async () => {
    const op = await FakeOP.create();
    op.on('/token', () =>
      json({ access_token: 'xt', token_type: 'Bearer', issued_token_type: ACCESS_TOKEN, expires_in: 60 }),
    );
    const tokens = await op.client().tokenExchange({
      subjectToken: 'subject',
      subjectTokenType: ACCESS_TOKEN,
      actorToken: 'actor',
      actorTokenType: ACCESS_TOKEN,
      audience: 'https://api.example.test/',
      resource: 'https://api.example.test/things',
      scope: 'api:read',
      requestedTokenType: ACCESS_TOKEN,
    });
    expect(tokens.issued_token_type).toBe(ACCESS_TOKEN);
    expect(Object.fromEntries(op.callsTo('/token')[0]!.body)).toEqual({
      grant_type: EXCHANGE,
      subject_token: 'subject',
      subject_token_type: ACCESS_TOKEN,
      actor_token: 'actor',
      actor_token_type: ACCESS_TOKEN,
      audience: 'https://api.example.test/',
      resource: 'https://api.example.test/things',
      scope: 'api:read',
      requested_token_type: ACCESS_TOKEN,
    });
  });
});

describe('introspection and revocation', () => {
  it('introspects with the hint, authenticated, retrying a 503', async () => {
    const op = await FakeOP.create();
    let n = 0;
    op.on('/introspect', () => (++n === 1 ? json({}, 503) : json({ active: true, sub: 'alice', scope: 'api' })));
    const info = await op.client().introspect('tok', { tokenTypeHint: 'access_token' });
    expect(info).toEqual({ active: true, sub: 'alice', scope: 'api' });
    const calls = op.callsTo('/introspect');
    expect(calls).toHaveLength(2);
    expect(Object.fromEntries(calls[1]!.body)).toEqual({ token: 'tok', token_type_hint: 'access_token' });
    expect(basicCredentials(calls[1]!.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET]);
  });

  it('refuses an introspection answer without a boolean active', async () => {
    const op = await FakeOP.create();
    op.on('/introspect', () => json({ active: 'yes' }));
    const error = await rejection(op.client().introspect('tok'));
    expect(error).toMatchObject({ name: 'InvalidResponseError', code: 'invalid_introspection_response' });
  });

  it('revokes with the hint, retrying a 503, and reports refusals as OAuthError', async () => {
    const op = await FakeOP.create();
    let n = 0;
    op.on('/revoke', () => (++n === 1 ? json({}, 503) : new Response(null, { status: 200 })));
    await expect(op.client().revoke('rt', { tokenTypeHint: 'refresh_token' })).resolves.toBeUndefined();
    expect(op.callsTo('/revoke')).toHaveLength(2);
    expect(Object.fromEntries(op.callsTo('/revoke')[1]!.body)).toEqual({
      token: 'rt',
      token_type_hint: 'refresh_token',
    });

    op.on('/revoke', () => json({ error: 'unsupported_token_type' }, 400));
    const error = await rejection(op.client().revoke('rt'));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'unsupported_token_type' });
  });

  it('reports a missing endpoint as ConfigurationError', async () => {
    const op = await FakeOP.create();
    delete op.metadata.revocation_endpoint;
    const error = await rejection(op.client().revoke('rt'));
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error.code).toBe('missing_endpoint');
  });
});

describe('userinfo', () => {
  it('refuses a token a header cannot carry (CR/LF, NUL, empty) before sending, quoting nothing', async () => {
    const op = await FakeOP.create();
    op.on('/userinfo', () => json({ sub: 'alice' }));
    const client = op.client();
    for (const token of ['at-secret\r\nx-evil: 1', 'at-secret\u0000', '', undefined]) {
      const error = await rejection(client.userinfo(token as string));
      expect(ConfigurationError.is(error), JSON.stringify(token)).toBe(true);
      expect(error.code).toBe('invalid_token');
      expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('at-secret');
    }
    const fromSet = await rejection(client.userinfo({ access_token: 'at\n', token_type: 'Bearer' }));
    expect(fromSet.code).toBe('invalid_token');
    expect(op.callsTo('/userinfo')).toHaveLength(0);
  });

  it('sends the token in the Authorization header only and checks the subject', async () => {
    const op = await FakeOP.create();
    op.on('/userinfo', () => json({ sub: 'alice', email: 'alice@example.test' }));
    const client = op.client();

    expect(await client.userinfo('at-1', { expectedSubject: 'alice' })).toEqual({
      sub: 'alice',
      email: 'alice@example.test',
    });
    const [call] = op.callsTo('/userinfo');
    expect(call!.method).toBe('GET');
    expect(call!.headers.get('authorization')).toBe('Bearer at-1');
    expect(call!.url.search).toBe('');

    const error = await rejection(client.userinfo('at-1', { expectedSubject: 'bob' }));
    expect(TokenValidationError.is(error)).toBe(true);
    expect(error.code).toBe('sub_mismatch');
  });

  it('reports an invalid token challenge as OAuthError invalid_token', async () => {
    const op = await FakeOP.create();
    op.on(
      '/userinfo',
      () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }),
    );
    const error = await rejection(op.client().userinfo('at-1'));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'invalid_token', status: 401 });
  });

  it('verifies a signed userinfo response against the JWKS', async () => {
    const op = await FakeOP.create();
    const signed = await op.sign({ iss: op.issuer, aud: CLIENT_ID, sub: 'alice' });
    op.on('/userinfo', () => new Response(signed, { headers: { 'content-type': 'application/jwt' } }));
    expect(await op.client().userinfo('at-1')).toMatchObject({ sub: 'alice' });

    const forged = `${signed.slice(0, -4)}AAAA`;
    op.on('/userinfo', () => new Response(forged, { headers: { 'content-type': 'application/jwt' } }));
    expect((await rejection(op.client().userinfo('at-1'))).code).toBe('invalid_signature');
  });
});

describe('endSessionUrl', () => {
  it('builds the RP-initiated logout URL', async () => {
    const op = await FakeOP.create();
    const url = op.client().endSessionUrl({
      idTokenHint: 'id.token.hint',
      postLogoutRedirectUri: 'https://app.example.test/bye',
      state: 'xyz',
    });
    expect(url).toBeInstanceOf(URL);
    expect(url.origin + url.pathname).toBe(`${op.issuer}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      id_token_hint: 'id.token.hint',
      post_logout_redirect_uri: 'https://app.example.test/bye',
      state: 'xyz',
    });
  });
});

describe('secrets', () => {
  it('keeps the client secret and keys out of the client’s JSON, String and inspect forms', async () => {
    const op = await FakeOP.create();
    const client = op.client({ dpop: true });
    const forms = [JSON.stringify(client), String(client), inspect(client, { depth: 10, showHidden: true })];
    for (const form of forms) {
      expect(form).not.toContain(CLIENT_SECRET);
    }
    expect(JSON.parse(JSON.stringify(client))).toEqual({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
  });

  it('keeps the code verifier and tokens out of errors from a failed redemption', async () => {
    const op = await FakeOP.create();
    const client = op.client();
    const request = await client.createAuthorizationUrl();
    op.on('/token', () => json({ access_token: 'leaky-access-token', token_type: 'Bearer', id_token: 'x.y.z' }));
    const error = await rejection(client.handleCallback(op.callback({ code: 'c', state: request.state }), request));
    const forms = [String(error), JSON.stringify(error), error.stack, inspect(error, { depth: 10 })].join('\n');
    expect(forms).not.toContain('leaky-access-token');
    expect(forms).not.toContain(request.codeVerifier);
    expect(forms).not.toContain(CLIENT_SECRET);
  });
});

describe('options are validated where they enter', () => {
  it.each([
    ['clockTolerance', Number.NaN],
    ['clockTolerance', '30'],
    ['clockTolerance', Number.POSITIVE_INFINITY],
    ['clockTolerance', -1],
    ['timeout', Number.NaN],
    ['timeout', 0],
    ['timeout', '1000'],
    ['maxResponseBytes', -1],
    ['maxResponseBytes', Number.NaN],
    ['retry', { maxRetries: Number.NaN }],
    ['retry', { initialDelay: -1 }],
    ['retry', { maxDelay: 2 ** 40 }],
  ])('refuses %s = %s with ConfigurationError invalid_option', async (name, value) => {
    const op = await FakeOP.create();
    let error: unknown;
    try {
      op.client({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('invalid_option');
  });

  it('keeps a timeout past a timer range as "no timeout", never a 1 ms timer', async () => {
    const op = await FakeOP.create();
    op.on('/token', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return json({ access_token: 'at', token_type: 'Bearer' });
    });
    const tokens = await op.client({ timeout: 2 ** 31 }).clientCredentials();
    expect(tokens.access_token).toBe('at');
  });
});
