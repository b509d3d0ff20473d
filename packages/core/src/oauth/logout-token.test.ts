import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, FakeOP, rejection, signingKey } from '../../test/oauth/fake-op.js';
import { TokenValidationError } from '../errors.js';
import { BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_MAX_AGE } from './logout-token.js';
import type { StateStore } from './state-store.js';

let jtis = 0;

async function setup() {
  const op = await FakeOP.create();
  /** Logout token claims: alice's session `sid-1`, a fresh jti; `undefined` drops a claim. */
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = op.now();
    const all: Record<string, unknown> = {
      iss: op.issuer,
      aud: CLIENT_ID,
      iat: now,
      exp: now + 120,
      jti: `jti-${++jtis}`,
      sub: 'alice',
      sid: 'sid-1',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...overrides,
    };
    return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
  };
  const logoutToken = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    op.sign(claims(overrides), { typ: 'logout+jwt', ...header });
  return { op, client: op.client(), claims, logoutToken };
}

async function refused(promise: Promise<unknown>, code: string) {
  const error = await rejection(promise);
  expect(TokenValidationError.is(error), `${code}: ${String(error)}`).toBe(true);
  expect(error.code).toBe(code);
  return error;
}

describe('verifyLogoutToken', () => {
  it('accepts a logout token and returns its claims', async () => {
    const { op, client, logoutToken } = await setup();
    const claims = await client.verifyLogoutToken(await logoutToken({ jti: 'jti-ok' }));
    expect(claims).toMatchObject({
      iss: op.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      sid: 'sid-1',
      jti: 'jti-ok',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
  });

  it('accepts sid without sub, and sub without sid', async () => {
    const { client, logoutToken } = await setup();
    const sidOnly = await client.verifyLogoutToken(await logoutToken({ sub: undefined }));
    expect(sidOnly.sid).toBe('sid-1');
    expect(sidOnly.sub).toBeUndefined();
    const subOnly = await client.verifyLogoutToken(await logoutToken({ sid: undefined }));
    expect(subOnly.sub).toBe('alice');
  });

  it('accepts typ logout+jwt, application/logout+jwt, JWT or none; refuses any other typ', async () => {
    const { client, logoutToken } = await setup();
    for (const typ of ['logout+jwt', 'application/logout+jwt', 'Logout+JWT', 'JWT', undefined]) {
      await client.verifyLogoutToken(await logoutToken({}, { typ }));
    }
    for (const typ of ['at+jwt', 'dpop+jwt', 'logout+jwt\r\n', 'secevent+jwt', 42, '']) {
      await refused(client.verifyLogoutToken(await logoutToken({}, { typ })), 'invalid_typ');
    }
  });

  it('refuses a replayed token (jti), also at another client instance', async () => {
    const { op, client, logoutToken } = await setup();
    const token = await logoutToken();
    await client.verifyLogoutToken(token);
    await refused(client.verifyLogoutToken(token), 'jti_reused');
    await refused(op.client().verifyLogoutToken(token), 'jti_reused');
    // Another token with the same jti (re-signed, later) is the same logout: refused too.
    const { jti } = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    op.clock.advance(5_000);
    await refused(client.verifyLogoutToken(await logoutToken({ jti })), 'jti_reused');
  });

  it('records the jti in the stateStore for the whole acceptance window', async () => {
    const { op, logoutToken } = await setup();
    const consumed: [string, number][] = [];
    const seen = new Set<string>();
    const stateStore: StateStore = {
      consume: async (key, ttl) => {
        consumed.push([key, ttl]);
        return !seen.has(key) && seen.add(key).has(key);
      },
    };
    const token = await logoutToken();
    await op.client({ stateStore }).verifyLogoutToken(token);
    await refused(op.client({ stateStore }).verifyLogoutToken(token), 'jti_reused');
    expect(consumed).toEqual([
      [expect.stringMatching(/^keyway:logout:[\w-]{43}$/), LOGOUT_TOKEN_MAX_AGE + 60],
      [consumed[0]![0], LOGOUT_TOKEN_MAX_AGE + 60],
    ]);
  });

  it('a refused token does not spend its jti', async () => {
    const { client, logoutToken } = await setup();
    await refused(client.verifyLogoutToken(await logoutToken({ jti: 'shared-jti', nonce: 'n' })), 'nonce_present');
    await refused(client.verifyLogoutToken(await logoutToken({ jti: 'shared-jti' }, { typ: 'at+jwt' })), 'invalid_typ');
    expect((await client.verifyLogoutToken(await logoutToken({ jti: 'shared-jti' }))).jti).toBe('shared-jti');
  });

  it('refuses every claim that breaks Back-Channel Logout 1.0 §2.4/§2.6 with a TokenValidationError', async () => {
    const { op, client, logoutToken } = await setup();
    const now = op.now();
    const cases: [Record<string, unknown>, string][] = [
      [{ events: undefined }, 'events_missing'],
      [{ events: {} }, 'events_invalid'],
      [{ events: { 'http://schemas.openid.net/event/other': {} } }, 'events_invalid'],
      [{ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }, 'events_invalid'],
      [{ events: { [BACKCHANNEL_LOGOUT_EVENT]: [] } }, 'events_invalid'],
      [{ events: [BACKCHANNEL_LOGOUT_EVENT] }, 'events_invalid'],
      [{ events: BACKCHANNEL_LOGOUT_EVENT }, 'events_invalid'],
      [{ nonce: 'a-nonce' }, 'nonce_present'],
      [{ nonce: null }, 'nonce_present'],
      [{ sub: undefined, sid: undefined }, 'sub_and_sid_missing'],
      [{ sub: '' }, 'sub_invalid'],
      [{ sid: 42, sub: undefined }, 'sid_invalid'],
      [{ jti: undefined }, 'jti_missing'],
      [{ jti: '' }, 'jti_missing'],
      [{ jti: 7 }, 'jti_missing'],
      [{ iss: 'https://evil.example.test' }, 'iss_mismatch'],
      [{ iss: undefined }, 'iss_mismatch'],
      [{ aud: 'other-client' }, 'aud_mismatch'],
      [{ aud: [CLIENT_ID, 7] }, 'aud_mismatch'],
      [{ iat: undefined }, 'iat_missing'],
      [{ iat: String(now) }, 'iat_invalid'],
      [{ iat: now + 120 }, 'iat_in_future'],
      [{ iat: now - LOGOUT_TOKEN_MAX_AGE - 31, exp: now + 60 }, 'iat_too_old'],
      [{ exp: undefined }, 'exp_missing'],
      [{ exp: null }, 'exp_invalid'],
      [{ exp: now - 31 }, 'token_expired'],
      [{ nbf: now + 120 }, 'nbf_in_future'],
    ];
    for (const [overrides, code] of cases) {
      await refused(client.verifyLogoutToken(await logoutToken(overrides)), code);
    }
  });

  it('refuses an ID token (no events, a nonce)', async () => {
    const { op, client } = await setup();
    await refused(client.verifyLogoutToken(await op.idToken({ nonce: 'n-1', jti: 'id-1' })), 'events_missing');
  });

  it('verifies the signature against the issuer JWKS, never alg none or the client secret unless registered', async () => {
    const { op, client, claims } = await setup();
    const impostor = await signingKey('ES256', op.keys[0]!.kid);
    await refused(
      client.verifyLogoutToken(await op.sign(claims(), { typ: 'logout+jwt' }, impostor)),
      'invalid_signature',
    );
    const encode = (value: object) =>
      btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const unsigned = `${encode({ alg: 'none', typ: 'logout+jwt' })}.${encode(claims())}.`;
    await refused(client.verifyLogoutToken(unsigned), 'alg_not_allowed');
    // A client that registered `none` for ID tokens still never takes an unsigned logout token.
    await refused(op.client({ idTokenSignedResponseAlg: 'none' }).verifyLogoutToken(unsigned), 'alg_not_allowed');
    const hmac = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .sign(new TextEncoder().encode(CLIENT_SECRET));
    await refused(client.verifyLogoutToken(hmac), 'alg_not_allowed');
    const registered = await op.client({ idTokenSignedResponseAlg: 'HS256' }).verifyLogoutToken(hmac);
    expect(registered.sub).toBe('alice');
  });

  it('refuses what is not a JWT, quoting nothing', async () => {
    const { client, logoutToken } = await setup();
    for (const input of ['', 'a.b', 'not a jwt', 'x'.repeat(70_000), undefined, 42, null]) {
      const error = await rejection(client.verifyLogoutToken(input as string));
      expect(TokenValidationError.is(error), String(input).slice(0, 20)).toBe(true);
    }
    const token = await logoutToken({ nonce: 'n' });
    const error = await refused(client.verifyLogoutToken(token), 'nonce_present');
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(token);
  });
});
