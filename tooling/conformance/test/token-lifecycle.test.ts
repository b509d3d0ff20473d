import {
  authFetch,
  ConfigurationError,
  createTokenSource,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  OAuthError,
  TokenValidationError,
} from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { codeFlow, expectError, network, newClient, newSecret, secretScan, useHostileOp } from '../src/index.ts';

const op = useHostileOp();

const RETRY_NOW = { retry: { maxRetries: 2, initialDelay: 1 } } as const;
const busy = (status = 503) => ({ status, body: 'busy', headers: { 'retry-after': '0' } });

describe('refresh', () => {
  it('rotates: the new refresh token replaces the old one', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    const fresh = await client.refresh(tokens);
    expect(fresh.refresh_token).toMatch(/^rt-/);
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    expect(op.requests.at(-1)?.form.get('refresh_token')).toBe(tokens.refresh_token);
  });

  it('keeps the old refresh token when the OP sends none', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    op.scenario = { token: { merge: { refresh_token: undefined } } };
    const fresh = await client.refresh(tokens);
    expect(fresh.refresh_token).toBe(tokens.refresh_token);
  });

  it('refuses a refreshed ID token from another issuer (iss_mismatch)', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    op.scenario = { idToken: { claims: { iss: 'https://evil.example.test' } } };
    await expectError(client.refresh(tokens), TokenValidationError, 'iss_mismatch');
  });

  it('reports invalid_grant as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } } };
    await expectError(client.refresh(newSecret('rt')), OAuthError, 'invalid_grant');
  });

  it('reports a 500 during refresh as InternalServerError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 500, body: '<h1>500</h1>' } };
    await expectError(client.refresh(newSecret('rt')), InternalServerError, 'http_500');
  });
});

describe('userinfo', () => {
  it('sends the access token in the Authorization header, never in the query', async () => {
    const { client } = newClient(op);
    const token = newSecret('at');
    const me = await client.userinfo(token);
    expect(me.sub).toBe('alice');
    const sent = op.requests.find((r) => r.endpoint === 'userinfo');
    expect(sent?.headers.authorization).toBe(`Bearer ${token}`);
    expect(sent?.url.search).toBe('');
  });

  it('verifies a signed (application/jwt) userinfo answer', async () => {
    const { client } = newClient(op);
    op.scenario = { signedUserinfo: {} };
    const me = await client.userinfo(newSecret('at'));
    expect(me.sub).toBe('alice');
    expect(me.email).toBe('alice@conformance.test');
  });

  it('refuses a signed userinfo answer with a forged signature (invalid_signature)', async () => {
    const { client } = newClient(op);
    op.scenario = { signedUserinfo: { key: 'impostor' } };
    await expectError(client.userinfo(newSecret('at')), TokenValidationError, 'invalid_signature');
  });

  it('refuses a signed userinfo answer from another issuer (iss_mismatch)', async () => {
    const { client } = newClient(op);
    op.scenario = { signedUserinfo: { claims: { iss: 'https://evil.example.test' } } };
    await expectError(client.userinfo(newSecret('at')), TokenValidationError, 'iss_mismatch');
  });

  it('refuses an answer about another subject than expected (sub_mismatch)', async () => {
    const { client } = newClient(op);
    op.scenario = { subject: 'mallory' };
    await expectError(
      client.userinfo(newSecret('at'), { expectedSubject: 'alice' }),
      TokenValidationError,
      'sub_mismatch',
    );
  });

  it("checks the answer against the ID token's sub when given the TokenSet (sub_mismatch)", async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    op.scenario = { subject: 'mallory' };
    await expectError(client.userinfo(tokens), TokenValidationError, 'sub_mismatch');
  });

  it('refuses an answer without sub (sub_missing)', async () => {
    const { client } = newClient(op);
    op.scenario = { userinfo: { merge: { sub: undefined } } };
    await expectError(client.userinfo(newSecret('at')), TokenValidationError, 'sub_missing');
  });

  it('refuses a 200 that is not JSON (invalid_userinfo_response)', async () => {
    const { client } = newClient(op);
    op.scenario = { userinfo: { body: '<html>profile</html>', headers: { 'content-type': 'text/html' } } };
    await expectError(client.userinfo(newSecret('at')), InvalidResponseError, 'invalid_userinfo_response');
  });

  it('reports a 401 Bearer error="invalid_token" challenge as OAuthError invalid_token', async () => {
    const { client } = newClient(op);
    op.scenario = {
      userinfo: { status: 401, body: undefined, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
    };
    const error = await expectError<OAuthError>(client.userinfo(newSecret('at')), OAuthError, 'invalid_token');
    expect(error.status).toBe(401);
  });

  it('reports a 404 HTML page as NotFoundError', async () => {
    const { client } = newClient(op);
    op.scenario = { userinfo: { status: 404, body: '<p>gone</p>', headers: { 'content-type': 'text/html' } } };
    await expectError(client.userinfo(newSecret('at')), NotFoundError, 'http_404');
  });

  it('retries a 500 and then reports InternalServerError (1 + maxRetries requests)', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { userinfo: busy(500) };
    await expectError(client.userinfo(newSecret('at')), InternalServerError, 'http_500');
    expect(op.count('userinfo')).toBe(3);
  });

  it('retries after a 503 with Retry-After: 0 and succeeds', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { userinfo: [busy()] };
    const me = await client.userinfo(newSecret('at'));
    expect(me.sub).toBe('alice');
    expect(op.count('userinfo')).toBe(2);
  });

  it('refuses a token with CR/LF before sending anything (invalid_token)', async () => {
    const { client, net } = newClient(op);
    const token = `${newSecret('at')}\r\nX-Injected: yes`;
    await expectError(client.userinfo(token), ConfigurationError, 'invalid_token');
    expect(net.requests).toHaveLength(0);
    expect(op.count('userinfo')).toBe(0);
  });
});

describe('introspection', () => {
  it('returns the answer of a correct OP, the token in the form body', async () => {
    const { client } = newClient(op);
    const token = newSecret('at');
    const info = await client.introspect(token);
    expect(info.active).toBe(true);
    expect(op.requests.find((r) => r.endpoint === 'introspection')?.form.get('token')).toBe(token);
  });

  it('refuses an answer without a boolean "active" (invalid_introspection_response)', async () => {
    const { client } = newClient(op);
    op.scenario = { introspection: { merge: { active: 'yes' } } };
    await expectError(client.introspect(newSecret('at')), InvalidResponseError, 'invalid_introspection_response');
  });

  it('retries a 500 and then reports InternalServerError (1 + maxRetries requests)', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { introspection: busy(500) };
    await expectError(client.introspect(newSecret('at')), InternalServerError, 'http_500');
    expect(op.count('introspection')).toBe(3);
  });

  it('retries after a 503 with Retry-After: 0 and succeeds', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { introspection: [busy()] };
    expect((await client.introspect(newSecret('at'))).active).toBe(true);
    expect(op.count('introspection')).toBe(2);
  });

  it('reports invalid_client as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = { introspection: { status: 401, body: { error: 'invalid_client' } } };
    await expectError(client.introspect(newSecret('at')), OAuthError, 'invalid_client');
  });

  it('reports a 404 as NotFoundError', async () => {
    const { client } = newClient(op);
    op.scenario = { introspection: { status: 404, body: 'nope' } };
    await expectError(client.introspect(newSecret('at')), NotFoundError, 'http_404');
  });
});

describe('revocation', () => {
  it('succeeds on a 200 with an empty body', async () => {
    const { client } = newClient(op);
    await client.revoke(newSecret('rt'), { tokenTypeHint: 'refresh_token' });
    expect(op.requests.find((r) => r.endpoint === 'revocation')?.form.get('token_type_hint')).toBe('refresh_token');
  });

  it('retries after a 503 with Retry-After: 0 and succeeds', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { revocation: [busy()] };
    await client.revoke(newSecret('rt'));
    expect(op.count('revocation')).toBe(2);
  });

  it('reports unsupported_token_type as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = { revocation: { status: 400, body: { error: 'unsupported_token_type' } } };
    await expectError(client.revoke(newSecret('rt')), OAuthError, 'unsupported_token_type');
  });

  it('reports a 500 HTML page as InternalServerError after the retries', async () => {
    const { client } = newClient(op, RETRY_NOW);
    op.scenario = { revocation: { ...busy(500), body: '<h1>500</h1>' } };
    await expectError(client.revoke(newSecret('rt')), InternalServerError, 'http_500');
    expect(op.count('revocation')).toBe(3);
  });
});

describe('token source and authFetch', () => {
  const userinfoUrl = () => `${op.issuer}/userinfo`;

  it('adds the token of a client-credentials source to requests', async () => {
    const { client } = newClient(op);
    const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'api' } });
    const response = await authFetch(source)(userinfoUrl());
    expect(response.status).toBe(200);
    const sent = op.requests.find((r) => r.endpoint === 'userinfo');
    expect(sent?.headers.authorization).toMatch(/^Bearer at-/);
  });

  it('refreshes once and resends after a 401', async () => {
    const { client } = newClient(op);
    const source = createTokenSource({ client, grant: { type: 'client_credentials' } });
    op.scenario = {
      userinfo: [{ status: 401, body: undefined, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }],
    };
    const response = await authFetch(source)(userinfoUrl());
    expect(response.status).toBe(200);
    expect(op.count('token')).toBe(2);
    expect(op.count('userinfo')).toBe(2);
  });

  it('never resends a POST after a 5xx', async () => {
    const { client } = newClient(op);
    const source = createTokenSource({ client, grant: { type: 'client_credentials' } });
    op.scenario = { userinfo: { status: 502, body: 'bad gateway' } };
    const response = await authFetch(source)(userinfoUrl(), { method: 'POST', body: 'x=1' });
    expect(response.status).toBe(502);
    expect(op.count('userinfo')).toBe(1);
  });

  it('refuses a source token with CR/LF before sending anything (invalid_token)', async () => {
    const token = `${newSecret('at')}\r\nX-Injected: yes`;
    const source = createTokenSource({
      grant: { type: 'custom', fetchToken: async () => ({ access_token: token, token_type: 'Bearer' }) },
    });
    const net = network();
    await expectError(authFetch(source, { fetch: net.fetch })(userinfoUrl()), ConfigurationError, 'invalid_token');
    expect(net.requests).toHaveLength(0);
  });

  it('refuses a per-call header with CR/LF before sending anything (invalid_header)', async () => {
    const token = newSecret('at');
    const source = createTokenSource({
      grant: { type: 'custom', fetchToken: async () => ({ access_token: token, token_type: 'Bearer' }) },
    });
    const net = network();
    await expectError(
      authFetch(source, { fetch: net.fetch })(userinfoUrl(), { headers: { 'x-trace': 'a\r\nX-Injected: yes' } }),
      ConfigurationError,
      'invalid_header',
    );
    expect(net.requests).toHaveLength(0);
  });
});

secretScan();
