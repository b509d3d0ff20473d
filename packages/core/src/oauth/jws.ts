import type { ProtectedHeaderParameters } from 'jose';
import { TokenValidationError } from '../errors.js';

// The JWS primitives of the verification hot path, straight on Web Crypto: one pass over the token,
// encoders and lookup tables made once per module. jose's compactVerify does the same checks but
// decodes through `atob`, allocates a buffer per part and re-validates the key on every call, which
// together cost more than the signature itself (see tooling/bench/README.md).

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

// Decoded bytes are carved out of shared slabs, as Node's Buffer pool does: a fresh typed array costs
// more than decoding a signature into it (engines back it with separately allocated, zeroed memory).
// A region is handed out once and never reused: a full slab is dropped (freed once no view holds it)
// and a new one started, so no two tokens ever share bytes, whatever a runtime does with them later.
const SLAB_SIZE = 16 * 1024;
// The first slab is made by the first decode, not when the module loads.
let slab: Uint8Array<ArrayBuffer> | undefined;
let slabUsed = SLAB_SIZE;

function allocate(size: number): Uint8Array<ArrayBuffer> {
  if (size > SLAB_SIZE >> 3) {
    return new Uint8Array(size);
  }
  if (!slab || slabUsed + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const view = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += (size + 7) & ~7;
  return view;
}

/** The Web Crypto parameters of a JWS algorithm and the JWK key type it needs. */
export interface JwsAlgorithm {
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** The JWK curve, for EC and OKP keys. */
  crv?: string;
  importParams: RsaHashedImportParams | EcKeyImportParams | HmacImportParams | Algorithm;
  verifyParams: Algorithm | RsaPssParams | EcdsaParams;
}

function rsa(name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS', bits: 256 | 384 | 512): JwsAlgorithm {
  return {
    kty: 'RSA',
    importParams: { name, hash: `SHA-${bits}` },
    verifyParams: name === 'RSA-PSS' ? { name, saltLength: bits / 8 } : { name },
  };
}

function ecdsa(crv: 'P-256' | 'P-384' | 'P-521', bits: 256 | 384 | 512): JwsAlgorithm {
  return {
    kty: 'EC',
    crv,
    importParams: { name: 'ECDSA', namedCurve: crv },
    verifyParams: { name: 'ECDSA', hash: `SHA-${bits}` },
  };
}

function hmac(bits: 256 | 384 | 512): JwsAlgorithm {
  return { kty: 'oct', importParams: { name: 'HMAC', hash: `SHA-${bits}` }, verifyParams: { name: 'HMAC' } };
}

const ed25519: JwsAlgorithm = {
  kty: 'OKP',
  crv: 'Ed25519',
  importParams: { name: 'Ed25519' },
  verifyParams: { name: 'Ed25519' },
};

/** Every algorithm this verifier implements, by JWS `alg`. */
function algorithmTable(): Map<string, JwsAlgorithm> {
  return new Map<string, JwsAlgorithm>([
    ['RS256', rsa('RSASSA-PKCS1-v1_5', 256)],
    ['RS384', rsa('RSASSA-PKCS1-v1_5', 384)],
    ['RS512', rsa('RSASSA-PKCS1-v1_5', 512)],
    ['PS256', rsa('RSA-PSS', 256)],
    ['PS384', rsa('RSA-PSS', 384)],
    ['PS512', rsa('RSA-PSS', 512)],
    ['ES256', ecdsa('P-256', 256)],
    ['ES384', ecdsa('P-384', 384)],
    ['ES512', ecdsa('P-521', 512)],
    // RFC 8037 `EdDSA` and its fully specified name (RFC 9864) `Ed25519`: the same signatures.
    ['EdDSA', ed25519],
    ['Ed25519', ed25519],
    ['HS256', hmac(256)],
    ['HS384', hmac(384)],
    ['HS512', hmac(512)],
  ]);
}
// Built by a call marked pure: a bundle that never verifies a JWS drops the table.
const ALGORITHMS = /* @__PURE__ */ algorithmTable();

/** The Web Crypto parameters of `alg`, or `undefined` for an algorithm this verifier does not implement. */
export function jwsAlgorithm(alg: string): JwsAlgorithm | undefined {
  return ALGORITHMS.get(alg);
}

// base64url without padding (RFC 7515 §2); any other character makes the token malformed.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The sextet of each ASCII char code, 255 for a char outside the alphabet. */
function sextetTable(): Uint8Array {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
  }
  return table;
}
// Built by a call marked pure, not by a loop at the top level: a bundle that never decodes drops it.
const SEXTETS = /* @__PURE__ */ sextetTable();

/** Encodes `bytes` as unpadded base64url (RFC 7515 §2). */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  const whole = bytes.length - (bytes.length % 3);
  let i = 0;
  for (; i < whole; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  if (i < bytes.length) {
    const n = ((bytes[i] as number) << 16) | (i + 1 < bytes.length ? (bytes[i + 1] as number) << 8 : 0);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
    if (i + 1 < bytes.length) {
      out += ALPHABET.charAt((n >> 6) & 63);
    }
  }
  return out;
}

/** Decodes `text[start, end)` as unpadded base64url; throws a `TypeError` on anything else. */
export function decodeBase64url(text: string, start = 0, end = text.length): Uint8Array<ArrayBuffer> {
  const length = end - start;
  if (length % 4 === 1) {
    throw new TypeError('not base64url');
  }
  const out = allocate((length * 3) >> 2);
  // Validity is checked once at the end: any char code above 127, or a sextet of 255 (not in the
  // alphabet), leaves a bit that no valid input sets. One branch per token instead of one per char.
  let codes = 0;
  let sextets = 0;
  let o = 0;
  let i = start;
  for (const whole = start + (length & ~3); i < whole; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    codes |= a | b | c | d;
    const sa = SEXTETS[a & 127] as number;
    const sb = SEXTETS[b & 127] as number;
    const sc = SEXTETS[c & 127] as number;
    const sd = SEXTETS[d & 127] as number;
    sextets |= sa | sb | sc | sd;
    const n = (sa << 18) | (sb << 12) | (sc << 6) | sd;
    out[o++] = n >> 16;
    out[o++] = n >> 8;
    out[o++] = n;
  }
  const rest = end - i;
  if (rest >= 2) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = rest === 3 ? text.charCodeAt(i + 2) : 65; // 'A': a zero sextet
    codes |= a | b | c;
    const sa = SEXTETS[a & 127] as number;
    const sb = SEXTETS[b & 127] as number;
    const sc = SEXTETS[c & 127] as number;
    sextets |= sa | sb | sc;
    const n = (sa << 18) | (sb << 12) | (sc << 6);
    out[o++] = n >> 16;
    if (rest === 3) {
      out[o] = n >> 8;
    }
  }
  if (codes > 127 || sextets > 63) {
    throw new TypeError('not base64url');
  }
  return out;
}

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

function jsonObject(text: string, start: number, end: number): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(decodeBase64url(text, start, end)));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A compact JWS split and decoded once; its signature is NOT verified yet. */
export interface DecodedJws {
  header: ProtectedHeaderParameters & { alg: string };
  payload: Record<string, unknown>;
  /** The bytes of `header.payload`, as they were signed. */
  signingInput: Uint8Array<ArrayBuffer>;
  /** The raw signature bytes (empty for `alg: none`). */
  signature: Uint8Array<ArrayBuffer>;
}

/** The first `length` chars of `text`, known to be ASCII (base64url and a dot), as bytes. */
function ascii(text: string, length: number): Uint8Array<ArrayBuffer> {
  const bytes = allocate(length);
  encoder.encodeInto(text.length === length ? text : text.slice(0, length), bytes);
  return bytes;
}

type Header = DecodedJws['header'];

// The tokens of one issuer repeat a few protected headers (alg, kid, typ): each distinct segment is
// decoded and checked once. Only flat headers (no nested values) are kept, frozen, so that no caller
// can change what the next token sees; the map is emptied when full and long segments are not kept,
// so odd headers cannot grow it.
const HEADER_CACHE_SIZE = 64;
/** Longer header segments (chars) are decoded every time, so the cache holds at most 64 KiB of them. */
const MAX_CACHED_HEADER = 1024;
const headers = /* @__PURE__ */ new Map<string, Header>();

function protectedHeader(token: string, end: number): Header {
  const segment = token.slice(0, end);
  const cached = headers.get(segment);
  if (cached) {
    return cached;
  }
  const header = jsonObject(token, 0, end);
  if (!header) {
    return fail('malformed_jwt', 'The JWT header cannot be decoded.');
  }
  if (typeof header.alg !== 'string') {
    return fail('malformed_jwt', 'The JWT header has no "alg".');
  }
  if (header.crit !== undefined) {
    const crit = header.crit;
    // Only RFC 7797's `b64` is understood, and only as `true` (the default) below.
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => name !== 'b64' || !('b64' in header))) {
      return fail('malformed_jwt', 'The JWT header marks an unsupported extension as critical (crit).');
    }
  }
  if (header.b64 !== undefined && header.b64 !== true) {
    return fail('malformed_jwt', 'A JWT cannot have an unencoded payload (b64).');
  }
  if (end <= MAX_CACHED_HEADER && Object.values(header).every((value) => typeof value !== 'object' || value === null)) {
    if (headers.size >= HEADER_CACHE_SIZE) {
      headers.clear();
    }
    headers.set(segment, Object.freeze(header) as Header);
  }
  return header as Header;
}

/**
 * The longest compact JWS accepted, in characters (64 KiB): far above any real ID token, access token
 * or DPoP proof (a few KiB), and low enough that a hostile token cannot make the verifier decode and
 * parse megabytes of JSON per request. Checked before anything is decoded.
 */
export const MAX_JWT_LENGTH = 64 * 1024;

/**
 * Splits and decodes a compact JWS (RFC 7515 §7.1) whose payload is a JSON object (a JWT).
 * Refuses extensions it does not understand (`crit`, RFC 7515 §4.1.11) and unencoded payloads
 * (`b64: false`, which RFC 7797 §7 forbids for JWTs).
 *
 * Error codes: `malformed_jwt`, `jwt_too_large` (over {@link MAX_JWT_LENGTH} characters).
 */
export function decodeJws(token: string): DecodedJws {
  if (typeof token === 'string' && token.length > MAX_JWT_LENGTH) {
    return fail('jwt_too_large', `The token is longer than ${MAX_JWT_LENGTH} characters.`);
  }
  const first = typeof token === 'string' ? token.indexOf('.') : -1;
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) {
    return fail('malformed_jwt', 'The token is not a compact JWS.');
  }
  const header = protectedHeader(token, first);
  const payload = jsonObject(token, first + 1, second);
  if (!payload) {
    return fail('malformed_jwt', 'The JWT payload is not a JSON object.');
  }
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = decodeBase64url(token, second + 1);
  } catch {
    return fail('malformed_jwt', 'The JWT signature is not base64url.');
  }
  return {
    header: header as DecodedJws['header'],
    payload,
    signingInput: ascii(token, second),
    signature,
  };
}

/** Imports the HMAC key of a client secret for `algorithm` (an HS* algorithm). */
export function importHmacKey(algorithm: JwsAlgorithm, secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), algorithm.importParams, false, ['verify']);
}
