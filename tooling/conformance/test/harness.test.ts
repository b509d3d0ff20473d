import { OAuthError, TokenValidationError } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { expectError, leaksOf, newSecret, secretScan, useHostileOp } from '../src/index.ts';

// The harness checks itself: a hostile OP that misbehaved by default, or a secret scan that saw
// nothing, would make every other case meaningless.

const op = useHostileOp();

describe('the hostile OP', () => {
  it('is a correct OP by default: its discovery issuer is its own loopback URL and its JWKS has RS256 and ES256 keys', async () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const metadata = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    expect(metadata.issuer).toBe(op.issuer);
    const jwks = await (await fetch(metadata.jwks_uri)).json();
    expect(jwks.keys.map((key: { alg: string }) => key.alg)).toEqual(['RS256', 'ES256']);
    expect(jwks.keys.every((key: Record<string, unknown>) => key.d === undefined)).toBe(true);
  });

  it('bends answers one by one from a scenario list, then gives the usual answers again', async () => {
    op.scenario = { jwks: [{ status: 500 }, null, { status: 404 }] };
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await fetch(`${op.issuer}/jwks`)).status);
    }
    expect(statuses).toEqual([500, 200, 404, 200]);
    expect(op.count('jwks')).toBe(4);
  });
});

describe('the checks', () => {
  it('the secret scan finds a registered secret anywhere in an error, even only in its inspect output', () => {
    const secret = newSecret('planted');
    const error = new TokenValidationError('no secret in the message');
    Object.assign(error, { details: { nested: { deeper: [secret] } } });
    expect(leaksOf(error)).toHaveLength(1);
    expect(leaksOf(new TokenValidationError('clean'))).toEqual([]);
  });

  it('expectError fails on another class or another code', async () => {
    const refusal = () => Promise.reject(new OAuthError({ error: 'invalid_grant' }));
    await expect(expectError(refusal(), TokenValidationError, 'invalid_grant')).rejects.toThrow(/TokenValidationError/);
    await expect(expectError(refusal(), OAuthError, 'invalid_client')).rejects.toThrow(/invalid_client/);
    await expect(expectError(Promise.resolve('fine'), OAuthError, 'invalid_grant')).rejects.toThrow(/resolved/);
    await expectError(refusal(), OAuthError, 'invalid_grant');
  });
});

secretScan();
