import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import { CallbackError } from '../errors.js';
import { setClock } from './clock.js';
import { discover } from './discover.js';
import type { OAuthClient } from './oauth-client.js';
import { ConsumedStates, STATE_TTL, type StateStore, stateKey } from './state-store.js';

/** The checks handleCallback() needs; the fake OP's ID tokens carry no nonce. */
async function authorize(client: OAuthClient) {
  const { state, codeVerifier } = await client.createAuthorizationUrl({ scope: 'openid' });
  return { state, codeVerifier };
}

async function setup() {
  const op = await FakeOP.create();
  op.on('/token', async (call) =>
    json({
      access_token: `at-${call.body.get('code')}`,
      token_type: 'Bearer',
      expires_in: 300,
      id_token: await op.idToken(),
    }),
  );
  const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, fetch: op.fetch };
  /** A client as a server that calls discover() per request gets it. */
  const perRequest = async (extra: { stateStore?: StateStore; clientId?: string } = {}) => {
    const client = await discover(op.issuer, { ...options, ...extra });
    setClock(client, op.clock);
    return client;
  };
  return { op, perRequest };
}

describe('consumed states shared across clients', () => {
  it('refuses a replay that reaches a second client from discover() with state_reused', async () => {
    const { op, perRequest } = await setup();
    const login = await perRequest();
    const request = await authorize(login);
    const url = op.callback({ code: 'code-1', state: request.state });

    const tokens = await (await perRequest()).handleCallback(url, request);
    expect(tokens.access_token).toBe('at-code-1');

    const error = await rejection((await perRequest()).handleCallback(url, request));
    expect(CallbackError.is(error)).toBe(true);
    expect(error.code).toBe('state_reused');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('keeps the states of another client_id apart', async () => {
    const { op, perRequest } = await setup();
    const request = await authorize(await perRequest());
    const url = op.callback({ code: 'code-1', state: request.state });
    await (await perRequest()).handleCallback(url, request);

    // Another client registered at the same provider has a state set of its own (its ID token is
    // refused, for another audience, but only after the code was sent: the state was not "reused").
    const other = await rejection((await perRequest({ clientId: 'other-client' })).handleCallback(url, request));
    expect(other.code).toBe('aud_mismatch');
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('uses the stateStore option: its key, the ten-minute TTL, and its answer', async () => {
    const { op, perRequest } = await setup();
    const consumed: [string, number][] = [];
    const seen = new Set<string>();
    const stateStore: StateStore = {
      async consume(key, ttlSeconds) {
        consumed.push([key, ttlSeconds]);
        const fresh = !seen.has(key);
        seen.add(key);
        return fresh;
      },
    };
    const request = await authorize(await perRequest({ stateStore }));
    const url = op.callback({ code: 'code-1', state: request.state });

    await (await perRequest({ stateStore })).handleCallback(url, request);
    const replay = await rejection((await perRequest({ stateStore })).handleCallback(url, request));

    expect(replay.code).toBe('state_reused');
    const key = await stateKey(op.issuer, CLIENT_ID, request.state);
    expect(key).toMatch(/^keyway:state:[\w-]{43}$/);
    // The code is recorded too (exchangeCode() shares the redemption), under a key of its own kind.
    const codeKey = await stateKey(op.issuer, CLIENT_ID, 'code-1', 'code');
    expect(codeKey).toMatch(/^keyway:code:[\w-]{43}$/);
    expect(consumed).toEqual([
      [key, STATE_TTL],
      [codeKey, STATE_TTL],
      [key, STATE_TTL],
    ]);
    expect(STATE_TTL).toBe(600);
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('redeems nothing when the store refuses or fails', async () => {
    const { op, perRequest } = await setup();
    const request = await authorize(await perRequest());
    const url = op.callback({ code: 'code-1', state: request.state });

    const taken = await perRequest({ stateStore: { consume: async () => false } });
    expect((await rejection(taken.handleCallback(url, request))).code).toBe('state_reused');

    const down = new Error('redis is down');
    const broken = await perRequest({
      stateStore: {
        consume: async () => {
          throw down;
        },
      },
    });
    expect(await rejection(broken.handleCallback(url, request))).toBe(down);
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('derives distinct keys for distinct issuers, clients and states', async () => {
    const keys = await Promise.all([
      stateKey('https://a.example', 'c', 's'),
      stateKey('https://a.example', 'c', 't'),
      stateKey('https://a.example', 'd', 's'),
      stateKey('https://b.example', 'c', 's'),
      stateKey('https://a.example/', 'c', 's'),
    ]);
    expect(new Set(keys).size).toBe(5);
    expect(await stateKey('https://a.example', 'c', 's')).toBe(keys[0]);
  });
});

describe('ConsumedStates (the in-memory store)', () => {
  it('refuses a key until it expires', () => {
    const states = new ConsumedStates();
    expect(states.consume('a', 600, 0)).toBe(true);
    expect(states.consume('a', 600, 599_999)).toBe(false);
    expect(states.consume('a', 600, 600_000)).toBe(true);
    expect(states.consume('a', 600, 600_001)).toBe(false);
  });

  it('stays bounded: the oldest keys go first beyond the limit', () => {
    const states = new ConsumedStates(3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      expect(states.consume(key, 600, 0)).toBe(true);
    }
    expect(states.size).toBe(3);
    expect(states.consume('e', 600, 0)).toBe(false);
    expect(states.consume('c', 600, 0)).toBe(false);
    // 'a' was forgotten to make room.
    expect(states.consume('a', 600, 0)).toBe(true);
    expect(states.size).toBe(3);
  });

  it('drops expired keys as new ones come', () => {
    const states = new ConsumedStates();
    for (let i = 0; i < 1000; i++) {
      states.consume(`old-${i}`, 600, 0);
    }
    expect(states.size).toBe(1000);
    states.consume('new', 600, 600_000);
    expect(states.size).toBe(1);
  });
});
