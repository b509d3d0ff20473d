import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import { discover } from './discover.js';
import { OAuthClient } from './oauth-client.js';

/** An OP whose token, introspection and revocation endpoints answer `statuses` in turn, then succeed. */
async function failingOp(statuses: number[]) {
  const op = await FakeOP.create();
  const queue = new Map<string, number[]>();
  const answer = (path: string, ok: () => Response) => {
    queue.set(path, [...statuses]);
    op.on(path, () => {
      const status = queue.get(path)!.shift();
      return status === undefined ? ok() : json({ error: 'temporarily_unavailable' }, status, { 'retry-after': '0' });
    });
  };
  answer('/token', () => json({ access_token: 'at', token_type: 'Bearer', refresh_token: 'rt-2' }));
  answer('/introspect', () => json({ active: false }));
  answer('/revoke', () => new Response(null, { status: 200 }));
  return op;
}

const fast = { initialDelay: 1, maxDelay: 2 };

describe('retry.statuses', () => {
  it('retries the idempotent OAuth calls on the statuses given, and only on those', async () => {
    const op = await failingOp([502, 502]);
    const client = op.client({ retry: { ...fast, statuses: [502] } });
    await client.clientCredentials();
    await client.introspect('t');
    await client.revoke('t');
    for (const path of ['/token', '/introspect', '/revoke']) {
      expect(op.callsTo(path), path).toHaveLength(3);
    }

    const other = await failingOp([503]);
    const error = await rejection(other.client({ retry: { ...fast, statuses: [502] } }).clientCredentials());
    expect(error).toMatchObject({ name: 'OAuthError', status: 503 });
    expect(other.callsTo('/token')).toHaveLength(1);
  });

  it('can make a status retry that is not retried by default (409)', async () => {
    const defaults = await failingOp([409]);
    await rejection(defaults.client({ retry: fast }).clientCredentials());
    expect(defaults.callsTo('/token')).toHaveLength(1);

    const op = await failingOp([409]);
    await op.client({ retry: { ...fast, statuses: [409, 503] } }).clientCredentials();
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('[] retries no status; maxRetries still bounds the attempts', async () => {
    const none = await failingOp([503]);
    await rejection(none.client({ retry: { ...fast, statuses: [] } }).introspect('t'));
    expect(none.callsTo('/introspect')).toHaveLength(1);

    const bounded = await failingOp([503, 503, 503]);
    await rejection(bounded.client({ retry: { ...fast, maxRetries: 1, statuses: [503] } }).introspect('t'));
    expect(bounded.callsTo('/introspect')).toHaveLength(2);
  });

  it('never makes a refresh or a code redemption retry', async () => {
    const op = await failingOp([503]);
    const client = op.client({ retry: { ...fast, statuses: [503] } });
    await rejection(client.refresh('rt-1'));
    expect(op.callsTo('/token')).toHaveLength(1);
    const again = await failingOp([503]);
    await rejection(
      again.client({ retry: { ...fast, statuses: [503] } }).exchangeCode('c-1', { codeVerifier: 'v'.repeat(43) }),
    );
    expect(again.callsTo('/token')).toHaveLength(1);
  });

  it('refuses anything but a list of error statuses, where the option enters (discover sends nothing)', async () => {
    const op = await FakeOP.create();
    const bad: unknown[] = [
      [200],
      [302],
      [399],
      [600],
      [503.5],
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      ['503'],
      [null],
      new Set([503]),
      503,
      '503',
      null,
      {},
    ];
    for (const statuses of bad) {
      const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, retry: { statuses: statuses as number[] } };
      expect(() => new OAuthClient(op.metadata as never, options), String(statuses)).toThrow(ConfigurationError);
      const error = await rejection(discover(op.issuer, { ...options, fetch: op.fetch }));
      expect(error, String(statuses)).toMatchObject({ name: 'ConfigurationError', code: 'invalid_option' });
    }
    expect(op.calls).toHaveLength(0);
  });
});
