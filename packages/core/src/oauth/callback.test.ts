import { describe, expect, it } from 'vitest';
import { CLIENT_ID, FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import { CallbackError, ConfigurationError, OAuthError } from '../errors.js';
import { callbackParams, validateCallback } from './callback.js';

async function setup() {
  const op = await FakeOP.create();
  const client = op.client();
  const request = await client.createAuthorizationUrl({ scope: 'openid email' });
  op.on('/token', async () =>
    json({
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: await op.idToken({ nonce: request.nonce }),
    }),
  );
  return { op, client, request };
}

describe('handleCallback', () => {
  it('redeems the code with the verifier and returns validated tokens', async () => {
    const { op, client, request } = await setup();

    const tokens = await client.handleCallback(op.callback({ code: 'code-1', state: request.state }), request);

    expect(tokens).toMatchObject({ access_token: 'at-1', token_type: 'Bearer', expires_at: op.now() + 300 });
    expect(tokens.claims).toMatchObject({ sub: 'alice', aud: CLIENT_ID, nonce: request.nonce });
    const [call] = op.callsTo('/token');
    expect(Object.fromEntries(call!.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      code_verifier: request.codeVerifier,
      redirect_uri: REDIRECT_URI,
    });
  });

  it('accepts the callback URL as a string', async () => {
    const { op, client, request } = await setup();
    const tokens = await client.handleCallback(op.callback({ code: 'c', state: request.state }).href, request);
    expect(tokens.access_token).toBe('at-1');
  });

  it('refuses a state mismatch before any request', async () => {
    const { op, client, request } = await setup();
    const error = await rejection(client.handleCallback(op.callback({ code: 'c', state: 'forged' }), request));
    expect(CallbackError.is(error)).toBe(true);
    expect(error.code).toBe('state_mismatch');
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('refuses a callback from another issuer (RFC 9207 mix-up)', async () => {
    const { op, client, request } = await setup();
    const url = op.callback({ code: 'c', state: request.state, iss: 'https://evil.example.test' });
    const error = await rejection(client.handleCallback(url, request));
    expect(CallbackError.is(error)).toBe(true);
    expect(error.code).toBe('iss_mismatch');
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('requires iss when the provider advertises it, and not otherwise', async () => {
    const { op, client, request } = await setup();
    const url = op.callback({ code: 'c', state: request.state, iss: undefined });
    const error = await rejection(client.handleCallback(url, request));
    expect(CallbackError.is(error)).toBe(true);
    expect(error.code).toBe('iss_missing');

    op.metadata.authorization_response_iss_parameter_supported = false;
    const lax = op.client();
    const second = await lax.createAuthorizationUrl();
    op.on('/token', async () =>
      json({ access_token: 'at-2', token_type: 'bearer', id_token: await op.idToken({ nonce: second.nonce }) }),
    );
    const tokens = await lax.handleCallback(op.callback({ code: 'c', state: second.state, iss: undefined }), second);
    expect(tokens.access_token).toBe('at-2');
  });

  it("reports the provider's error as CallbackError with that code", async () => {
    const { op, client, request } = await setup();
    const url = op.callback({ error: 'access_denied', error_description: 'The user said no', state: request.state });
    const error = await rejection(client.handleCallback(url, request));
    expect(CallbackError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'access_denied',
      error: 'access_denied',
      error_description: 'The user said no',
    });
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('refuses a replayed callback and never sends the code twice', async () => {
    const { op, client, request } = await setup();
    const url = op.callback({ code: 'code-1', state: request.state });
    await client.handleCallback(url, request);

    const error = await rejection(client.handleCallback(url, request));

    expect(CallbackError.is(error)).toBe(true);
    expect(error.code).toBe('state_reused');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('does not retry a code redemption on a 5xx, and consumes the state anyway', async () => {
    const { op, client, request } = await setup();
    op.on('/token', () => json({ error: 'server_error' }, 503));
    const url = op.callback({ code: 'code-1', state: request.state });

    const error = await rejection(client.handleCallback(url, request));

    expect(OAuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'server_error', status: 503 });
    expect(op.callsTo('/token')).toHaveLength(1);
    expect((await rejection(client.handleCallback(url, request))).code).toBe('state_reused');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('maps invalid_grant at redemption to OAuthError', async () => {
    const { op, client, request } = await setup();
    op.on('/token', () => json({ error: 'invalid_grant', error_description: 'code already used' }, 400));
    const error = await rejection(client.handleCallback(op.callback({ code: 'c', state: request.state }), request));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'invalid_grant', status: 400 });
  });

  it('refuses a callback with neither code nor error', async () => {
    const { op, client, request } = await setup();
    const error = await rejection(client.handleCallback(op.callback({ state: request.state }), request));
    expect(error).toMatchObject({ name: 'CallbackError', code: 'missing_code' });
  });
});

describe('validateCallback', () => {
  const checks = { state: 's', issuer: 'https://op.example.test', issRequired: false };

  it('refuses repeated parameters', () => {
    const params = new URLSearchParams('code=a&code=b&state=s');
    expect(() => validateCallback(params, checks)).toThrow(expect.objectContaining({ code: 'duplicate_parameter' }));
  });

  it('checks state before reporting an error (no CSRF-injected errors)', () => {
    const params = new URLSearchParams('error=access_denied&state=other');
    expect(() => validateCallback(params, checks)).toThrow(expect.objectContaining({ code: 'state_mismatch' }));
  });

  it('reads fragment-mode callbacks', () => {
    expect(callbackParams('https://app.example.test/cb#code=x&state=s').get('code')).toBe('x');
  });

  it('refuses an unparseable callback URL with CallbackError invalid_callback_url, quoting nothing', async () => {
    const { op, client, request } = await setup();
    for (const url of ['http://[', 'https://app.example.test:99999/cb?code=secret-code-1', 42 as unknown as string]) {
      const error = await rejection(client.handleCallback(url, request));
      expect(CallbackError.is(error), String(url)).toBe(true);
      expect(error.code).toBe('invalid_callback_url');
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('secret-code-1');
    }
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('refuses an empty or missing expected state before anything else (ConfigurationError missing_state)', async () => {
    const { op, client, request } = await setup();
    for (const state of ['', undefined, 7]) {
      const error = await rejection(
        client.handleCallback(op.callback({ code: 'c', state: '' }), { ...request, state: state as string }),
      );
      expect(ConfigurationError.is(error), String(state)).toBe(true);
      expect(error.code).toBe('missing_state');
    }
    const noVerifier = await rejection(
      client.handleCallback(op.callback({ code: 'c', state: request.state }), { ...request, codeVerifier: '' }),
    );
    expect(noVerifier.code).toBe('missing_code_verifier');
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it("quotes a hostile provider's error and description without control characters", async () => {
    const { op, client, request } = await setup();
    const error = await rejection(
      client.handleCallback(
        op.callback({
          state: request.state,
          error: 'access_denied\u001b[2J',
          error_description: 'x\u001b]0;title\u0007\u202e',
        }),
        request,
      ),
    );
    expect(CallbackError.is(error)).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
    expect(`${error.message} ${error.code}`).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });
});
