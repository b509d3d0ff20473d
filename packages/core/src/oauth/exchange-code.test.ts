import { describe, expect, it } from 'vitest';
import { CLIENT_ID, FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import {
  CallbackError,
  ConfigurationError,
  InvalidResponseError,
  OAuthError,
  TokenValidationError,
} from '../errors.js';
import type { StateStore } from './state-store.js';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** An OP whose token endpoint answers with an ID token carrying `nonce` (none when undefined). */
async function setup(options: { nonce?: string; idToken?: boolean } = {}) {
  const op = await FakeOP.create();
  op.on('/token', async (call) =>
    json({
      access_token: `at-${call.body.get('code')}`,
      token_type: 'Bearer',
      expires_in: 300,
      ...(options.idToken === false ? {} : { id_token: await op.idToken({ nonce: options.nonce }) }),
    }),
  );
  return { op, client: op.client() };
}

describe('exchangeCode', () => {
  it('redeems a bare code with the verifier and the client redirect URI, and validates the ID token', async () => {
    const { op, client } = await setup({ nonce: 'n-0123456789' });

    const tokens = await client.exchangeCode('code-1', { codeVerifier: VERIFIER, nonce: 'n-0123456789' });

    expect(tokens).toMatchObject({ access_token: 'at-code-1', expires_at: op.now() + 300 });
    expect(tokens.claims).toMatchObject({ sub: 'alice', aud: CLIENT_ID, nonce: 'n-0123456789' });
    const [call] = op.callsTo('/token');
    expect(Object.fromEntries(call!.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      code_verifier: VERIFIER,
      redirect_uri: REDIRECT_URI,
    });
  });

  it('sends the redirect URI of the request when given one', async () => {
    const { op, client } = await setup();
    await client.exchangeCode('code-1', { codeVerifier: VERIFIER, redirectUri: 'https://app.example.test/other' });
    expect(op.callsTo('/token')[0]!.body.get('redirect_uri')).toBe('https://app.example.test/other');
  });

  it('works without a redirectUri option when the call gives one', async () => {
    const { op } = await setup();
    const client = op.client({ redirectUri: undefined });
    const tokens = await client.exchangeCode('code-1', {
      codeVerifier: VERIFIER,
      redirectUri: 'http://127.0.0.1:8080/cb',
    });
    expect(tokens.access_token).toBe('at-code-1');
    const missing = await rejection(client.exchangeCode('code-2', { codeVerifier: VERIFIER }));
    expect(missing).toMatchObject({ name: 'ConfigurationError', code: 'missing_redirect_uri' });
  });

  it('without a nonce, refuses an ID token that carries one (as handleCallback does)', async () => {
    const { op, client } = await setup({ nonce: 'injected-nonce' });
    const error = await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER }));
    expect(TokenValidationError.is(error)).toBe(true);
    expect(error.code).toBe('nonce_mismatch');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('refuses an ID token with another nonce', async () => {
    const { client } = await setup({ nonce: 'other-nonce-value' });
    const error = await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER, nonce: 'n-0123456789' }));
    expect(error).toMatchObject({ name: 'TokenValidationError', code: 'nonce_mismatch' });
  });

  it('plain OAuth 2.0: no openid in the scope, no ID token expected', async () => {
    const { client } = await setup({ idToken: false });
    const tokens = await client.exchangeCode('code-1', { codeVerifier: VERIFIER, scope: 'api:read' });
    expect(tokens).toMatchObject({ access_token: 'at-code-1' });
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.claims).toBeUndefined();
  });

  it('requires the ID token an openid scope (or a nonce) asks for', async () => {
    const { client } = await setup({ idToken: false });
    for (const options of [{ scope: 'openid email' }, { nonce: 'n-0123456789' }]) {
      const error = await rejection(
        client.exchangeCode(`code-${options.scope ?? 'n'}`, { codeVerifier: VERIFIER, ...options }),
      );
      expect(InvalidResponseError.is(error)).toBe(true);
      expect(error.code).toBe('id_token_missing');
    }
  });

  it('checks auth_time against maxAge', async () => {
    const { op, client } = await setup();
    const error = await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER, maxAge: 60 }));
    expect(error).toMatchObject({ name: 'TokenValidationError', code: 'auth_time_missing' });
    op.on('/token', async () =>
      json({ access_token: 'a', token_type: 'Bearer', id_token: await op.idToken({ auth_time: op.now() - 10 }) }),
    );
    const tokens = await client.exchangeCode('code-2', { codeVerifier: VERIFIER, maxAge: 60 });
    expect(tokens.claims?.auth_time).toBe(op.now() - 10);
  });

  it('never redeems a code twice: same client, another client, and after handleCallback', async () => {
    const { op, client } = await setup();
    await client.exchangeCode('code-1', { codeVerifier: VERIFIER });

    const again = await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER }));
    expect(CallbackError.is(again)).toBe(true);
    expect(again.code).toBe('code_reused');
    // Another instance (discover() per request) shares the store.
    const other = await rejection(op.client().exchangeCode('code-1', { codeVerifier: VERIFIER }));
    expect(other.code).toBe('code_reused');
    expect(op.callsTo('/token')).toHaveLength(1);

    // handleCallback and exchangeCode share the redemption: a code either saw is spent for the other.
    const request = await client.createAuthorizationUrl({ scope: 'api' });
    await client.handleCallback(op.callback({ code: 'code-2', state: request.state }), request);
    const afterCallback = await rejection(client.exchangeCode('code-2', { codeVerifier: VERIFIER }));
    expect(afterCallback.code).toBe('code_reused');
    const second = await client.createAuthorizationUrl({ scope: 'api' });
    const viaCallback = await rejection(
      client.handleCallback(op.callback({ code: 'code-1', state: second.state }), second),
    );
    expect(viaCallback.code).toBe('code_reused');
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('keeps codes of another client_id apart', async () => {
    const { op, client } = await setup();
    await client.exchangeCode('code-1', { codeVerifier: VERIFIER });
    const other = await rejection(op.client({ clientId: 'other' }).exchangeCode('code-1', { codeVerifier: VERIFIER }));
    // Sent (not code_reused), then refused for the ID token's audience.
    expect(other.code).toBe('aud_mismatch');
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('records the code in the stateStore, and redeems nothing when the store says it was seen', async () => {
    const { op } = await setup();
    const seen: string[] = [];
    const stateStore: StateStore = {
      consume: async (key) => {
        seen.push(key);
        return false;
      },
    };
    const error = await rejection(op.client({ stateStore }).exchangeCode('code-1', { codeVerifier: VERIFIER }));
    expect(error.code).toBe('code_reused');
    expect(seen).toEqual([expect.stringMatching(/^keyway:code:[\w-]{43}$/)]);
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('is not retried on a 5xx, and the code is spent anyway', async () => {
    const { op, client } = await setup();
    op.on('/token', () => json({ error: 'server_error' }, 503, { 'retry-after': '0' }));
    const error = await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER }));
    expect(OAuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'server_error', status: 503 });
    expect((await rejection(client.exchangeCode('code-1', { codeVerifier: VERIFIER }))).code).toBe('code_reused');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('refuses bad arguments before anything is sent, without spending the code', async () => {
    const { op, client } = await setup();
    const bad: [unknown, Record<string, unknown>, string][] = [
      ['', { codeVerifier: VERIFIER }, 'missing_code'],
      [undefined, { codeVerifier: VERIFIER }, 'missing_code'],
      [42, { codeVerifier: VERIFIER }, 'missing_code'],
      ['code-1', {}, 'missing_code_verifier'],
      ['code-1', { codeVerifier: '' }, 'missing_code_verifier'],
      ['code-1', { codeVerifier: VERIFIER, maxAge: Number.NaN }, 'invalid_option'],
      ['code-1', { codeVerifier: VERIFIER, maxAge: -1 }, 'invalid_option'],
      ['code-1', { codeVerifier: VERIFIER, maxAge: 1.5 }, 'invalid_option'],
      ['code-1', { codeVerifier: VERIFIER, maxAge: '60' }, 'invalid_option'],
      ['code-1', { codeVerifier: VERIFIER, maxAge: Number.POSITIVE_INFINITY }, 'invalid_option'],
      ['code-1', { codeVerifier: VERIFIER, nonce: '' }, 'invalid_argument'],
      ['code-1', { codeVerifier: VERIFIER, nonce: 7 }, 'invalid_argument'],
      ['code-1', { codeVerifier: VERIFIER, redirectUri: '/relative' }, 'invalid_redirect_uri'],
      ['code-1', { codeVerifier: VERIFIER, redirectUri: 'https://app.example.test/cb#frag' }, 'invalid_redirect_uri'],
      [
        'code-1',
        { codeVerifier: VERIFIER, redirectUri: 'https://app.example.test/cb\r\nx: y' },
        'invalid_redirect_uri',
      ],
    ];
    for (const [code, options, expected] of bad) {
      const error = await rejection(client.exchangeCode(code as string, options as never));
      expect(ConfigurationError.is(error), `${String(code)} ${JSON.stringify(options)}`).toBe(true);
      expect(error.code, JSON.stringify(options)).toBe(expected);
    }
    expect(await rejection(client.exchangeCode('code-1', undefined as never))).toMatchObject({
      code: 'missing_code_verifier',
    });
    expect(op.callsTo('/token')).toHaveLength(0);
    expect((await client.exchangeCode('code-1', { codeVerifier: VERIFIER })).access_token).toBe('at-code-1');
  });

  it('never puts the code or verifier in an error', async () => {
    const { op, client } = await setup();
    op.on('/token', () => json({ error: 'invalid_grant', error_description: 'bad code' }, 400));
    const error = await rejection(client.exchangeCode('secret-code-value', { codeVerifier: VERIFIER }));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'invalid_grant' });
    const reused = await rejection(client.exchangeCode('secret-code-value', { codeVerifier: VERIFIER }));
    for (const form of [error, reused].flatMap((e) => [e.message, String(e), JSON.stringify(e), e.stack])) {
      expect(form).not.toContain('secret-code-value');
      expect(form).not.toContain(VERIFIER);
    }
  });
});
