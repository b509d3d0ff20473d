import { CallbackError, ConfigurationError, InternalServerError, InvalidResponseError, OAuthError } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { authorize, codeFlow, expectError, newClient, REDIRECT_URI, secretScan, useHostileOp } from '../src/index.ts';

const op = useHostileOp();

/** The OP's redirect with one parameter set (or removed with `null`). */
function withParam(callback: URL, name: string, value: string | null): URL {
  const url = new URL(callback);
  if (value === null) {
    url.searchParams.delete(name);
  } else {
    url.searchParams.set(name, value);
  }
  return url;
}

describe('callback: positive controls', () => {
  it('redeems the code once, with the PKCE verifier and redirect_uri, from a callback given as a string', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    const tokens = await client.handleCallback(callback.href, request);
    expect(tokens.claims?.sub).toBe('alice');
    const [redemption] = op.requests.filter((r) => r.endpoint === 'token');
    expect(redemption?.form.get('code_verifier')).toBe(request.codeVerifier);
    expect(redemption?.form.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(op.count('token')).toBe(1);
  });

  it('accepts a callback without iss when the provider does not advertise RFC 9207', async () => {
    op.scenario = { metadata: { authorization_response_iss_parameter_supported: undefined } };
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    const tokens = await client.handleCallback(withParam(callback, 'iss', null), request);
    expect(tokens.claims?.sub).toBe('alice');
  });

  it('pushes the authorization request first when asked (PAR) and completes the flow', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client, { par: true });
    expect([...request.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const tokens = await client.handleCallback(callback, request);
    expect(tokens.claims?.sub).toBe('alice');
    expect(op.count('par')).toBe(1);
  });

  it('pushes the request when the provider requires PAR, even if not asked', async () => {
    op.scenario = { metadata: { require_pushed_authorization_requests: true } };
    const { client } = newClient(op);
    const { request } = await authorize(client);
    expect(request.url.searchParams.has('request_uri')).toBe(true);
    expect(op.count('par')).toBe(1);
  });
});

describe('callback: refused before any redemption', () => {
  it('refuses another state (state_mismatch)', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    await expectError(
      client.handleCallback(withParam(callback, 'state', 'forged-state-value'), request),
      CallbackError,
      'state_mismatch',
    );
    expect(op.count('token')).toBe(0);
  });

  it('refuses a callback from another issuer (iss_mismatch)', async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { iss: 'https://evil.example.test' } };
    const { request, callback } = await authorize(client);
    await expectError(client.handleCallback(callback, request), CallbackError, 'iss_mismatch');
    expect(op.count('token')).toBe(0);
  });

  it('refuses a callback without iss when the provider advertises RFC 9207 (iss_missing)', async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { iss: null } };
    const { request, callback } = await authorize(client);
    await expectError(client.handleCallback(callback, request), CallbackError, 'iss_missing');
  });

  it('refuses a repeated state parameter (duplicate_parameter)', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    const url = new URL(callback);
    url.searchParams.append('state', request.state);
    await expectError(client.handleCallback(url, request), CallbackError, 'duplicate_parameter');
  });

  it('refuses a repeated code parameter (duplicate_parameter)', async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { extra: [['code', 'a-second-code-value']] } };
    const { request, callback } = await authorize(client);
    await expectError(client.handleCallback(callback, request), CallbackError, 'duplicate_parameter');
    expect(op.count('token')).toBe(0);
  });

  it('refuses a repeated iss parameter (duplicate_parameter)', async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { extra: [['iss', 'https://evil.example.test']] } };
    const { request, callback } = await authorize(client);
    await expectError(client.handleCallback(callback, request), CallbackError, 'duplicate_parameter');
  });

  it('refuses a callback with neither code nor error (missing_code)', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    await expectError(client.handleCallback(withParam(callback, 'code', null), request), CallbackError, 'missing_code');
  });

  it("reports the provider's error with its code and description (access_denied)", async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { error: 'access_denied', error_description: 'The user said no' } };
    const { request, callback } = await authorize(client);
    const error = await expectError<CallbackError>(
      client.handleCallback(callback, request),
      CallbackError,
      'access_denied',
    );
    expect(error.error).toBe('access_denied');
    expect(error.error_description).toBe('The user said no');
  });

  it("checks state before the provider's error: a forged error callback is state_mismatch", async () => {
    const { client } = newClient(op);
    op.scenario = { authorizationResponse: { error: 'access_denied' } };
    const { request, callback } = await authorize(client);
    await expectError(
      client.handleCallback(withParam(callback, 'state', 'forged-state-value'), request),
      CallbackError,
      'state_mismatch',
    );
  });

  it('refuses an unparseable callback URL (invalid_callback_url)', async () => {
    const { client } = newClient(op);
    const { request } = await authorize(client);
    await expectError(client.handleCallback('http://[', request), CallbackError, 'invalid_callback_url');
  });

  it("refuses an empty expected state: the caller's mistake (missing_state)", async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    await expectError(
      client.handleCallback(withParam(callback, 'state', ''), { ...request, state: '' }),
      ConfigurationError,
      'missing_state',
    );
    expect(op.count('token')).toBe(0);
  });
});

describe('callback: redemption', () => {
  it('refuses a replayed callback and never redeems the code twice (state_reused)', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    await client.handleCallback(callback, request);
    await expectError(client.handleCallback(callback, request), CallbackError, 'state_reused');
    expect(op.count('token')).toBe(1);
  });

  it('refuses a callback replayed to another client instance of the same issuer and client (state_reused)', async () => {
    const first = newClient(op).client;
    const second = newClient(op).client;
    const { request, callback } = await authorize(first);
    await first.handleCallback(callback, request);
    await expectError(second.handleCallback(callback, request), CallbackError, 'state_reused');
    expect(op.count('token')).toBe(1);
  });

  it('sends the code verifier: a wrong one is refused by the OP (OAuthError invalid_grant)', async () => {
    const { client } = newClient(op);
    const { request, callback } = await authorize(client);
    const error = await expectError<OAuthError>(
      client.handleCallback(callback, { ...request, codeVerifier: 'w'.repeat(43) }),
      OAuthError,
      'invalid_grant',
    );
    expect(error.status).toBe(400);
  });

  it('never retries a code redemption, even on a 503 with Retry-After: 0 (InternalServerError, one request)', async () => {
    const { client } = newClient(op, { retry: { maxRetries: 3, initialDelay: 1 } });
    op.scenario = { token: { status: 503, body: 'busy', headers: { 'retry-after': '0' } } };
    const { request, callback } = await authorize(client);
    const error = await expectError<InternalServerError>(
      client.handleCallback(callback, request),
      InternalServerError,
      'http_503',
    );
    expect(error.status).toBe(503);
    expect(op.count('token')).toBe(1);
  });

  it('refuses a 200 token response without access_token in the code flow (invalid_token_response)', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { merge: { access_token: undefined } } };
    await expectError(codeFlow(client), InvalidResponseError, 'invalid_token_response');
  });
});

describe('callback: pushed authorization requests', () => {
  it('reports a PAR endpoint 500 as InternalServerError', async () => {
    const { client } = newClient(op);
    op.scenario = { par: { status: 500, body: 'oops' } };
    await expectError(client.createAuthorizationUrl({ par: true }), InternalServerError, 'http_500');
  });

  it('reports an OAuth error from the PAR endpoint as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = { par: { status: 400, body: { error: 'invalid_request', error_description: 'bad scope' } } };
    await expectError(client.createAuthorizationUrl({ par: true }), OAuthError, 'invalid_request');
  });

  it('refuses a PAR answer of 200 instead of 201 (unexpected_status)', async () => {
    const { client } = newClient(op);
    op.scenario = { par: { status: 200 } };
    await expectError(client.createAuthorizationUrl({ par: true }), InvalidResponseError, 'unexpected_status');
  });

  it('refuses a PAR answer without request_uri (invalid_par_response)', async () => {
    const { client } = newClient(op);
    op.scenario = { par: { merge: { request_uri: undefined } } };
    await expectError(client.createAuthorizationUrl({ par: true }), InvalidResponseError, 'invalid_par_response');
  });
});

secretScan();
