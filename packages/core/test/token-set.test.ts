import { inspect } from 'node:util';
import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { KeywayTimeoutError } from '../src/errors.js';
import { discover } from '../src/oauth/index.js';
import { expiresIn, redactOnInspect, type TokenSet } from '../src/token-set.js';
import { createTokenSource } from '../src/token-source.js';

describe('token sets in logs', () => {
  const sample = (): TokenSet => ({
    access_token: 'at-very-secret-value',
    token_type: 'Bearer',
    refresh_token: 'rt-very-secret-value',
    id_token: 'it-very-secret-value',
    scope: 'openid api',
    expires_at: 2_000_000_000,
  });

  it('util.inspect shows every field but the tokens, which are redacted with their length', () => {
    const tokens = redactOnInspect(sample());
    const shown = inspect(tokens, { depth: 5 });
    expect(shown).not.toContain('very-secret');
    expect(shown).toContain('[redacted: 20 chars]');
    expect(shown).toContain("scope: 'openid api'");
    expect(shown).toContain('expires_at: 2000000000');
    expect(inspect({ nested: { tokens } }, { depth: 5 })).not.toContain('very-secret');
  });

  it('JSON, spreading and structuredClone still see the plain wire object', () => {
    const tokens = redactOnInspect(sample());
    expect(JSON.parse(JSON.stringify(tokens))).toEqual(sample());
    expect({ ...tokens }).toEqual(sample());
    expect(structuredClone(tokens)).toEqual(sample());
    expect(Object.keys(tokens)).toEqual(Object.keys(sample()));
  });

  it('returns the same object, once, and leaves frozen objects alone', () => {
    const tokens = sample();
    expect(redactOnInspect(redactOnInspect(tokens))).toBe(tokens);
    const frozen = Object.freeze(sample());
    expect(redactOnInspect(frozen)).toBe(frozen);
  });

  it('token sets from the OAuth client and the token source are redacted', async () => {
    const mock = createMockKeyway();
    const client = await discover(mock.issuer, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      fetch: mock.fetch,
    });
    const direct = await client.clientCredentials({ scope: 'api:read' });
    expect(inspect(direct)).not.toContain(direct.access_token);
    expect(JSON.stringify(direct)).toContain(direct.access_token);
    const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'api:read' } });
    const fromSource = await source.getToken();
    expect(inspect(fromSource)).not.toContain(fromSource.access_token);
    expect(inspect(fromSource)).toContain('[redacted:');
  });

  it('expiresIn counts from expires_at, Infinity without one', () => {
    expect(expiresIn({ expires_at: 1_000 }, 940)).toBe(60);
    expect(expiresIn({}, 940)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('KeywayTimeoutError', () => {
  it('keeps its default text, code and timeout, and takes a message of its own', () => {
    const plain = new KeywayTimeoutError(250);
    expect(plain.message).toBe('Request timed out after 250 ms.');
    const custom = new KeywayTimeoutError(300_000, { message: 'The login took longer than 5 minutes.' });
    expect(custom.message).toBe('The login took longer than 5 minutes.');
    expect(custom.code).toBe('timeout');
    expect(custom.timeout).toBe(300_000);
    expect(KeywayTimeoutError.is(custom)).toBe(true);
  });
});
