import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenValidationError } from '../errors.js';
import { decodeBase64url, decodeJws, encodeBase64url } from './jws.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('encodeBase64url', () => {
  const bytes = (value: string) => new TextEncoder().encode(value);

  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j (RFC 4648 §10, unpadded)', (input, output) => {
    expect(encodeBase64url(bytes(input))).toBe(output);
  });

  it('uses the URL-safe alphabet and agrees with jose for every byte value and length', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    expect(encodeBase64url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    for (let length = 0; length <= all.length; length++) {
      const slice = all.subarray(0, length);
      expect(encodeBase64url(slice)).toBe(base64url.encode(slice));
      expect([...decodeBase64url(encodeBase64url(slice))]).toEqual([...slice]);
    }
  });
});

describe('decodeBase64url', () => {
  it.each([
    ['', ''],
    ['Zg', 'f'],
    ['Zm8', 'fo'],
    ['Zm9v', 'foo'],
    ['Zm9vYg', 'foob'],
    ['Zm9vYmE', 'fooba'],
    ['Zm9vYmFy', 'foobar'],
  ])('decodes %j (RFC 4648 §10)', (input, output) => {
    expect(text(decodeBase64url(input))).toBe(output);
  });

  it('decodes every byte value and a range inside a longer string', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const encoded = base64url.encode(bytes);
    expect([...decodeBase64url(encoded)]).toEqual([...bytes]);
    expect([...decodeBase64url(`xx.${encoded}.yy`, 3, 3 + encoded.length)]).toEqual([...bytes]);
    for (let length = 0; length < 40; length++) {
      const slice = bytes.subarray(0, length);
      expect([...decodeBase64url(base64url.encode(slice))]).toEqual([...slice]);
    }
  });

  it.each([
    ['padding', 'Zg=='],
    ['standard base64 "+"', 'ab+c'],
    ['standard base64 "/"', 'ab/c'],
    ['whitespace', 'Zm9v Zg'],
    ['a dot', 'Zm9v.g'],
    ['a non-ASCII char whose low 7 bits are a base64url char', 'Zm9\u00c1'],
    ['a char above U+FFFF', 'Zm\u{1f600}'],
    ['an impossible length', 'Zm9vY'],
  ])('refuses %s', (_name, input) => {
    expect(() => decodeBase64url(input)).toThrow(TypeError);
  });
});

describe('decodeJws', () => {
  const payload = encode({ sub: 'alice' });
  const signature = base64url.encode(new Uint8Array([1, 2, 3, 4]));

  it('decodes the header, the payload, the signed bytes and the signature', () => {
    const header = encode({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' });
    const jws = decodeJws(`${header}.${payload}.${signature}`);
    expect(jws.header).toEqual({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' });
    expect(jws.payload).toEqual({ sub: 'alice' });
    expect(text(jws.signingInput)).toBe(`${header}.${payload}`);
    expect([...jws.signature]).toEqual([1, 2, 3, 4]);
  });

  it('decodes a UTF-8 payload', () => {
    const jws = decodeJws(`${encode({ alg: 'ES256' })}.${encode({ name: 'Zoë 😀' })}.${signature}`);
    expect(jws.payload.name).toBe('Zoë 😀');
  });

  it('gives every token its own bytes, and a shared header that no caller can change', () => {
    const header = encode({ alg: 'ES256', kid: 'shared' });
    const first = decodeJws(`${header}.${encode({ n: 1 })}.${base64url.encode(new Uint8Array([1]))}`);
    const second = decodeJws(`${header}.${encode({ n: 2 })}.${base64url.encode(new Uint8Array([2]))}`);
    expect([first.payload.n, second.payload.n]).toEqual([1, 2]);
    expect([...first.signature, ...second.signature]).toEqual([1, 2]);
    expect(text(first.signingInput)).not.toBe(text(second.signingInput));
    expect(Object.isFrozen(second.header)).toBe(true);
    expect(() => {
      (second.header as { alg: string }).alg = 'none';
    }).toThrow(TypeError);
    expect(decodeJws(`${header}.${payload}.${signature}`).header.alg).toBe('ES256');
  });

  it.each([
    ['not a string', 42],
    ['two parts', `${encode({ alg: 'ES256' })}.${payload}`],
    ['four parts', `${encode({ alg: 'ES256' })}.${payload}.${signature}.x`],
    ['five parts (a JWE)', 'a.b.c.d.e'],
    ['a header that is not base64url', `${encode({ alg: 'ES256' })}=.${payload}.${signature}`],
    ['a header that is not JSON', `${base64url.encode('alg')}.${payload}.${signature}`],
    ['a header that is an array', `${encode(['ES256'])}.${payload}.${signature}`],
    ['a header without alg', `${encode({ kid: 'k' })}.${payload}.${signature}`],
    ['a header with a non-string alg', `${encode({ alg: 256 })}.${payload}.${signature}`],
    ['an unknown critical extension', `${encode({ alg: 'ES256', crit: ['exp'], exp: 1 })}.${payload}.${signature}`],
    [
      'a critical extension absent from the header',
      `${encode({ alg: 'ES256', crit: ['b64'] })}.${payload}.${signature}`,
    ],
    ['an empty crit', `${encode({ alg: 'ES256', crit: [] })}.${payload}.${signature}`],
    ['an unencoded payload', `${encode({ alg: 'ES256', b64: false, crit: ['b64'] })}.${payload}.${signature}`],
    ['a payload that is not JSON', `${encode({ alg: 'ES256' })}.${base64url.encode('{')}.${signature}`],
    ['a payload that is an array', `${encode({ alg: 'ES256' })}.${encode([1])}.${signature}`],
    [
      'a payload that is not UTF-8',
      `${encode({ alg: 'ES256' })}.${base64url.encode(new Uint8Array([0x22, 0xff, 0x22]))}.${signature}`,
    ],
    ['a signature that is not base64url', `${encode({ alg: 'ES256' })}.${payload}.${signature}+`],
  ])('refuses %s as malformed_jwt', (_name, token) => {
    let error: unknown;
    try {
      decodeJws(token as string);
    } catch (caught) {
      error = caught;
    }
    expect(TokenValidationError.is(error), String(error)).toBe(true);
    expect((error as TokenValidationError).code).toBe('malformed_jwt');
  });

  it('accepts crit b64 with b64 true (RFC 7797: the default encoding)', () => {
    const jws = decodeJws(`${encode({ alg: 'ES256', b64: true, crit: ['b64'] })}.${payload}.${signature}`);
    expect(jws.payload.sub).toBe('alice');
  });
});
