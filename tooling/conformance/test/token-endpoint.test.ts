import {
  BadRequestError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
} from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { expectError, type HostileOp, newClient, newSecret, secretScan, useHostileOp } from '../src/index.ts';

const op = useHostileOp();

const now = () => Math.floor(Date.now() / 1000);

describe('token endpoint: positive controls', () => {
  it('returns a TokenSet with expires_at computed at receipt, authenticating with client_secret_basic', async () => {
    const { client, clientSecret } = newClient(op);
    const tokens = await client.clientCredentials({ scope: 'api' });
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_at).toBeGreaterThanOrEqual(now() + 3590);
    expect(tokens.expires_at).toBeLessThanOrEqual(now() + 3600);
    const sent = op.requests.find((r) => r.endpoint === 'token');
    const basic = Buffer.from(String(sent?.headers.authorization).slice(6), 'base64').toString();
    expect(decodeURIComponent(basic.split(':')[1] ?? '')).toBe(clientSecret);
    expect(sent?.form.get('client_secret')).toBeNull();
  });

  it('sends the secret in the body with client_secret_post, never in a header', async () => {
    const { client, clientSecret } = newClient(op, { tokenEndpointAuthMethod: 'client_secret_post' });
    await client.clientCredentials();
    const sent = op.requests.find((r) => r.endpoint === 'token');
    expect(sent?.form.get('client_secret')).toBe(clientSecret);
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it('accepts token_type in any case (bEaReR)', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { merge: { token_type: 'bEaReR' } } };
    const tokens = await client.clientCredentials();
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
  });

  it('retries client credentials after a 503 with Retry-After: 0 (honoured instead of a 30 s backoff)', async () => {
    const { client } = newClient(op, { retry: { maxRetries: 1, initialDelay: 30_000, maxDelay: 30_000 } });
    op.scenario = { token: [{ status: 503, body: 'busy', headers: { 'retry-after': '0' } }] };
    const tokens = await client.clientCredentials();
    expect(tokens.access_token).toMatch(/^at-/);
    expect(op.count('token')).toBe(2);
  }, 10_000);

  it('retries client credentials after a 429 with Retry-After: 0', async () => {
    const { client } = newClient(op, { retry: { maxRetries: 1, initialDelay: 30_000, maxDelay: 30_000 } });
    op.scenario = { token: [{ status: 429, body: { error: 'slow_down' }, headers: { 'retry-after': '0' } }] };
    await client.clientCredentials();
    expect(op.count('token')).toBe(2);
  }, 10_000);
});

describe('token endpoint: OAuth errors', () => {
  it('reports a 400 OAuth error body as OAuthError with its code and status', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 400, body: { error: 'invalid_scope', error_description: 'no such scope' } } };
    const error = await expectError<OAuthError>(client.clientCredentials(), OAuthError, 'invalid_scope');
    expect(error.status).toBe(400);
    expect(error.error_description).toBe('no such scope');
  });

  it('reports a 401 invalid_client with WWW-Authenticate: Basic as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = {
      token: { status: 401, body: { error: 'invalid_client' }, headers: { 'www-authenticate': 'Basic realm="op"' } },
    };
    const error = await expectError<OAuthError>(client.clientCredentials(), OAuthError, 'invalid_client');
    expect(error.status).toBe(401);
  });

  it('keeps an error_description full of terminal escapes and CR/LF as data, still an OAuthError', async () => {
    const { client } = newClient(op);
    const description = '\u001b[2J\u001b]0;pwned\u0007line\r\nX-Injected: 1';
    op.scenario = { token: { status: 400, body: { error: 'invalid_request', error_description: description } } };
    const error = await expectError<OAuthError>(client.clientCredentials(), OAuthError, 'invalid_request');
    expect(JSON.parse(JSON.stringify(error)).code).toBe('invalid_request');
  });

  it('carries no token from an error body that echoes the refresh token', async () => {
    const { client } = newClient(op);
    const refreshToken = newSecret('rt');
    op.scenario = { token: { status: 400, body: { error: 'invalid_grant', refresh_token: refreshToken } } };
    await expectError(client.refresh(refreshToken), OAuthError, 'invalid_grant');
  });
});

describe('token endpoint: HTTP errors that are not OAuth errors', () => {
  it('reports a 500 HTML page as InternalServerError with status and headers', async () => {
    const { client } = newClient(op);
    op.scenario = {
      token: { status: 500, body: '<h1>Oops</h1>', headers: { 'content-type': 'text/html', 'x-request-id': 'req-7' } },
    };
    const error = await expectError<InternalServerError>(client.clientCredentials(), InternalServerError, 'http_500');
    expect(error.status).toBe(500);
    expect(error.headers['x-request-id']).toBe('req-7');
  });

  it('reports a 502 as InternalServerError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 502, body: 'bad gateway' } };
    const error = await expectError<InternalServerError>(client.clientCredentials(), InternalServerError, 'http_502');
    expect(error.status).toBe(502);
  });

  it('reports a 404 as NotFoundError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 404, body: 'not found' } };
    await expectError(client.clientCredentials(), NotFoundError, 'http_404');
  });

  it('reports a 403 HTML page as PermissionDeniedError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 403, body: '<p>WAF says no</p>', headers: { 'content-type': 'text/html' } } };
    await expectError(client.clientCredentials(), PermissionDeniedError, 'http_403');
  });

  it('reports a 400 JSON body without "error" as BadRequestError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 400, body: { message: 'bad' } } };
    await expectError(client.clientCredentials(), BadRequestError, 'http_400');
  });

  it('reports a 429 with Retry-After as RateLimitError when retries are off', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { status: 429, body: 'slow down', headers: { 'retry-after': '7' } } };
    const error = await expectError<RateLimitError>(client.clientCredentials(), RateLimitError, 'http_429');
    expect(error.retryAfter).toBe(7);
  });

  it('does not retry when Retry-After is longer than the retry cap (one request, InternalServerError)', async () => {
    const { client } = newClient(op, { retry: { maxRetries: 2, initialDelay: 1 } });
    op.scenario = { token: { status: 503, body: 'maintenance', headers: { 'retry-after': '3600' } } };
    await expectError(client.clientCredentials(), InternalServerError, 'http_503');
    expect(op.count('token')).toBe(1);
  });

  it('carries no secret from a 500 debug page that echoes the posted form (client_secret_post)', async () => {
    const { client, clientSecret } = newClient(op, { tokenEndpointAuthMethod: 'client_secret_post' });
    op.scenario = {
      token: {
        status: 500,
        body: `<pre>POST /token\ngrant_type=client_credentials&client_secret=${clientSecret}</pre>`,
        headers: { 'content-type': 'text/html' },
      },
    };
    await expectError(client.clientCredentials(), InternalServerError, 'http_500');
  });
});

describe('token endpoint: 2xx answers that break the protocol', () => {
  const broken = async (override: Parameters<typeof newClient>[1], scenario: HostileOp['scenario']) => {
    const { client } = newClient(op, override);
    op.scenario = scenario;
    return client.clientCredentials();
  };

  it('refuses a body that is not JSON (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { body: 'access_token=abc' } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a JSON array (invalid_token_response)', async () => {
    await expectError(broken({}, { token: { body: [] } }), InvalidResponseError, 'invalid_token_response');
  });

  it('refuses a response without access_token (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { access_token: undefined } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a response without token_type (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { token_type: undefined } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses an unknown token_type (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { token_type: 'mac' } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a DPoP token_type for a request without a DPoP proof (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { token_type: 'DPoP' } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a negative expires_in (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { expires_in: -5 } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a junk string expires_in (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { expires_in: 'soon' } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a refresh_token that is not a string (invalid_token_response)', async () => {
    await expectError(
      broken({}, { token: { merge: { refresh_token: 42 } } }),
      InvalidResponseError,
      'invalid_token_response',
    );
  });

  it('refuses a 201 carrying real tokens (unexpected_status), without the tokens in the error', async () => {
    await expectError(broken({}, { token: { status: 201 } }), InvalidResponseError, 'unexpected_status');
  });

  it('refuses a 204 with no body (unexpected_status)', async () => {
    await expectError(
      broken({}, { token: { status: 204, body: undefined } }),
      InvalidResponseError,
      'unexpected_status',
    );
  });
});

describe('token endpoint: redirects', () => {
  it('refuses a redirect to another host without following it (unexpected_redirect)', async () => {
    const { client, net } = newClient(op);
    op.scenario = { token: { redirect: 'https://evil.example.test/token', status: 307 } };
    await expectError(client.clientCredentials(), InvalidResponseError, 'unexpected_redirect');
    expect(net.countHost('evil.example.test')).toBe(0);
  });

  it("refuses a redirect to the OP's own token endpoint (unexpected_redirect, one request)", async () => {
    const { client } = newClient(op);
    op.scenario = { token: [{ redirect: `${op.issuer}/token`, status: 307 }] };
    await expectError(client.clientCredentials(), InvalidResponseError, 'unexpected_redirect');
    expect(op.count('token')).toBe(1);
  });
});

secretScan();
