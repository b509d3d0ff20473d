import { describe, expect, it } from 'vitest';
import { TokenStoreError } from './errors.js';
import { parseTokenKey, tokenKey } from './token-key.js';

const base = { issuer: 'https://auth.example.com', clientId: 'cli' };

describe('tokenKey', () => {
  it('is stable: a pinned output for known parts (the same in every process and release)', () => {
    expect(tokenKey(base)).toBe('keyway:v1:iss=https%3A%2F%2Fauth.example.com:cid=cli');
    expect(tokenKey({ ...base, audience: 'https://api.example.com', scope: 'write read', subject: 'user|1' })).toBe(
      'keyway:v1:iss=https%3A%2F%2Fauth.example.com:cid=cli:aud=https%3A%2F%2Fapi.example.com:scp=read%20write:sub=user%7C1',
    );
  });

  it('is host-aware: another issuer host, port, scheme or path gives another key', () => {
    const keys = [
      tokenKey(base),
      tokenKey({ ...base, issuer: 'https://auth.example.org' }),
      tokenKey({ ...base, issuer: 'https://auth.example.com:8443' }),
      tokenKey({ ...base, issuer: 'http://auth.example.com' }),
      tokenKey({ ...base, issuer: 'https://auth.example.com/realms/a' }),
      tokenKey({ ...base, issuer: 'https://auth.example.com/realms/b' }),
      tokenKey({ ...base, clientId: 'other' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('normalises the issuer: case of scheme and host, default port, trailing slashes', () => {
    const key = tokenKey(base);
    expect(tokenKey({ ...base, issuer: 'HTTPS://Auth.Example.COM:443/' })).toBe(key);
    expect(tokenKey({ ...base, issuer: ' https://auth.example.com// ' })).toBe(key);
    // The path is case-sensitive (it is in URLs and in issuer comparison).
    expect(tokenKey({ ...base, issuer: 'https://auth.example.com/Realm' })).not.toBe(
      tokenKey({ ...base, issuer: 'https://auth.example.com/realm' }),
    );
  });

  it('distinguishes audiences (case-sensitive) and scopes', () => {
    const keys = [
      tokenKey(base),
      tokenKey({ ...base, audience: 'https://api.example.com' }),
      tokenKey({ ...base, audience: 'https://API.example.com' }),
      tokenKey({ ...base, scope: 'read' }),
      tokenKey({ ...base, scope: 'read write' }),
      tokenKey({ ...base, audience: 'read' }),
      tokenKey({ ...base, subject: 'read' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ignores scope order, duplicates and extra whitespace', () => {
    const key = tokenKey({ ...base, scope: 'openid profile email' });
    expect(tokenKey({ ...base, scope: 'email openid profile' })).toBe(key);
    expect(tokenKey({ ...base, scope: '  profile\temail openid openid\n' })).toBe(key);
  });

  it('treats empty optional parts as absent', () => {
    expect(tokenKey({ ...base, audience: '', scope: '  ', subject: '' })).toBe(tokenKey(base));
  });

  it('cannot be forged by delimiters inside a part', () => {
    const a = tokenKey({ ...base, clientId: 'cli:aud=x' });
    const b = tokenKey({ ...base, clientId: 'cli', audience: 'x' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^keyway:v1(:[a-z]+=[A-Za-z0-9._~%-]*)+$/);
    expect(tokenKey({ ...base, clientId: "it's (a) *test*!" })).toMatch(/^keyway:v1(:[a-z]+=[A-Za-z0-9._~%-]*)+$/);
  });

  it('refuses an empty issuer or client id with invalid_key', () => {
    for (const parts of [
      { issuer: '', clientId: 'cli' },
      { issuer: '   ', clientId: 'cli' },
      { issuer: 'https://a', clientId: '' },
    ]) {
      expect(() => tokenKey(parts)).toThrow(
        expect.objectContaining({ name: 'TokenStoreError', code: 'invalid_key' }) as unknown as Error,
      );
    }
    expect(() => tokenKey({ issuer: '', clientId: 'c' })).toThrow(TokenStoreError);
  });
});

describe('parseTokenKey', () => {
  it('gives back the parts tokenKey used, normalised, and tokenKey of them gives the key again', () => {
    const key = tokenKey({
      issuer: 'HTTPS://Auth.Example.com:443/tenant/',
      clientId: 'cli:1',
      audience: 'https://api.example.com',
      scope: 'write read',
      subject: 'user|1',
    });
    const parts = parseTokenKey(key);
    expect(parts).toEqual({
      issuer: 'https://auth.example.com/tenant',
      clientId: 'cli:1',
      audience: 'https://api.example.com',
      scope: 'read write',
      subject: 'user|1',
    });
    expect(tokenKey(parts!)).toBe(key);
    expect(parseTokenKey(tokenKey(base))).toEqual(base);
  });

  it('refuses anything tokenKey would not have produced', () => {
    for (const key of [
      '',
      'other:key',
      'keyway:v2:iss=x:cid=y',
      'keyway:v1:cid=cli',
      'keyway:v1:iss=https%3A%2F%2Fa.example:cid=c:cid=d',
      'keyway:v1:cid=c:iss=https%3A%2F%2Fa.example',
      'keyway:v1:iss=https%3A%2F%2Fa.example:cid=c:zzz=1',
      'keyway:v1:iss=%E0%A4%A:cid=c',
      'keyway:v1:iss=https%3A%2F%2Fa.example:cid=c:scp=b%20a',
    ]) {
      expect(parseTokenKey(key), key).toBeUndefined();
    }
  });
});

describe('tokenKey: parts it cannot encode or read back', () => {
  it.each([
    [{ issuer: 'https://a.example', clientId: 'c', scope: '\udfff' }],
    [{ issuer: 'https://a.example', clientId: '\ud800x' }],
    [{ issuer: 'https://a.example', clientId: 'c', audience: 42 }],
    [{ issuer: '/', clientId: 'c' }],
  ])('refuses %j with TokenStoreError invalid_key', (parts) => {
    let error: unknown;
    try {
      tokenKey(parts as never);
    } catch (caught) {
      error = caught;
    }
    expect(TokenStoreError.is(error)).toBe(true);
    expect((error as TokenStoreError).code).toBe('invalid_key');
  });

  it('reads back every key it makes, also for issuers that change on a second normalisation', () => {
    for (const issuer of ['A: /', '! /', 'https://Auth.example.com:443/ ', 'a/ /']) {
      const key = tokenKey({ issuer, clientId: ' ' });
      expect(parseTokenKey(key), issuer).toBeDefined();
      expect(tokenKey(parseTokenKey(key)!)).toBe(key);
    }
  });

  it('parseTokenKey answers undefined (never throws) for a key holding a lone surrogate', () => {
    expect(parseTokenKey('keyway:v1:iss=%ED%A0%80:cid=a')).toBeUndefined();
    expect(parseTokenKey('keyway:v1:iss=\ud800:cid=a')).toBeUndefined();
  });
});
