/**
 * Signing keys and JWS builders. Tokens are signed with Web Crypto over header and payload TEXT, so
 * a validly signed token can carry any header or claims at all (jose's builders would refuse most).
 */

import fc from 'fast-check';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { JsonEntries, mutatedObject, NASTY_KEYS, oddValue, toJsonText } from './json.ts';
import { anyString } from './strings.ts';

/** One signing key and how it signs. */
export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const SIGN_PARAMS: Record<string, AlgorithmIdentifier | RsaPssParams | EcdsaParams> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  ES384: { name: 'ECDSA', hash: 'SHA-384' },
  EdDSA: { name: 'Ed25519' },
  HS256: { name: 'HMAC' },
};

async function makeKey(alg: string, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(
    alg,
    alg === 'EdDSA' ? { extractable: true, crv: 'Ed25519' } : { extractable: true },
  );
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

/** The client secret every fuzzed confidential client uses (HS256 ID tokens are signed with it). */
export const CLIENT_SECRET = 'fuzz-client-secret-0123456789abcdef';

/** The issuer's keys, one per family, plus a stranger's key (valid signatures the issuer never made). */
export interface KeyRing {
  issuer: SigningKey[];
  /** HS256 with {@link CLIENT_SECRET}: never published, used as plan key index 4. */
  hmac: SigningKey;
  stranger: SigningKey;
  /** A 1024-bit RSA public key (too short to be accepted), published with kid `weak`. */
  weakJwk: JWK;
}

let ring: Promise<KeyRing> | undefined;

/** The key ring, made once per test file. */
export function keyRing(): Promise<KeyRing> {
  ring ??= (async () => {
    const issuer = await Promise.all([
      makeKey('RS256', 'rsa-1'),
      makeKey('ES256', 'ec-1'),
      makeKey('EdDSA', 'ed-1'),
      makeKey('PS256', 'pss-1'),
    ]);
    const stranger = await makeKey('RS256', 'rsa-1');
    const weak = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const weakJwk = { ...(await exportJWK(weak.publicKey)), kid: 'weak', alg: 'RS256' };
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(CLIENT_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const hmac: SigningKey = { alg: 'HS256', kid: 'hs', privateKey: hmacKey, publicJwk: {} };
    return { issuer, hmac, stranger, weakJwk };
  })();
  return ring;
}

/** The issuer's public JWKS document. */
export function jwksOf(keys: KeyRing): { keys: JWK[] } {
  return { keys: [...keys.issuer.map((key) => key.publicJwk), keys.weakJwk] };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Signs `header.payload` (texts, base64url-encoded here) with `key`; returns the compact JWS. */
export async function signCompact(headerText: string, payloadText: string, key: SigningKey): Promise<string> {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  const signature = await crypto.subtle.sign(
    SIGN_PARAMS[key.alg] as AlgorithmIdentifier,
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** How a built token is signed. */
export type SignatureMode = 'valid' | 'stranger' | 'empty' | 'random' | 'garbage';

/** A JWS description: header and payload documents, the key, how to sign, and a last-step mutation. */
export interface JwsPlan {
  header: unknown;
  payload: unknown;
  key: number;
  signature: SignatureMode;
  randomSignature: Uint8Array;
  mutation: Mutation;
}

/** A change made to the finished compact string. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'segments'; count: number }
  | { kind: 'raw-segment'; index: number; bytes: Uint8Array };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 16, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: anyString }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('segments' as const), count: fc.integer({ min: 0, max: 6 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw-segment' as const),
      index: fc.integer({ min: 0, max: 2 }),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
  },
);

function mutate(token: string, change: Mutation): string {
  switch (change.kind) {
    case 'none':
      return token;
    case 'insert': {
      const at = change.at % (token.length + 1);
      return token.slice(0, at) + change.text + token.slice(at);
    }
    case 'cut': {
      const at = change.at % (token.length + 1);
      return token.slice(0, at) + token.slice(at + change.length);
    }
    case 'segments': {
      const parts = token.split('.');
      return Array.from({ length: change.count }, (_, i) => parts[i % parts.length]).join('.');
    }
    case 'raw-segment': {
      // Bytes that need not be UTF-8, let alone JSON.
      const parts = token.split('.');
      parts[change.index] = Buffer.from(change.bytes).toString('base64url');
      return parts.join('.');
    }
  }
}

/** Builds the compact JWS a plan describes. */
export async function buildJws(plan: JwsPlan, keys: KeyRing): Promise<string> {
  const headerText = toJsonText(plan.header);
  const payloadText = toJsonText(plan.payload);
  const key = plan.key === 4 ? keys.hmac : (keys.issuer[plan.key % keys.issuer.length] as SigningKey);
  let token: string;
  switch (plan.signature) {
    case 'valid':
      token = await signCompact(headerText, payloadText, key);
      break;
    case 'stranger':
      token = await signCompact(headerText, payloadText, keys.stranger);
      break;
    case 'empty':
      token = `${b64(headerText)}.${b64(payloadText)}.`;
      break;
    case 'random':
      token = `${b64(headerText)}.${b64(payloadText)}.${Buffer.from(plan.randomSignature).toString('base64url')}`;
      break;
    case 'garbage':
      token = `${b64(headerText)}.${b64(payloadText)}.${Buffer.from(plan.randomSignature).toString('base64')}==`;
      break;
  }
  return mutate(token, plan.mutation);
}

/** Header fields a verifier reads, with the values that are valid for the issuer's keys. */
function headerCandidates(typ: string) {
  return {
    alg: fc.oneof(
      fc.constantFrom('RS256', 'ES256', 'EdDSA', 'PS256', 'RS384', 'ES512', 'HS256', 'none', 'None', 'Ed25519', ''),
      anyString,
    ),
    kid: fc.oneof(fc.constantFrom('rsa-1', 'ec-1', 'ed-1', 'pss-1', 'weak', 'unknown'), anyString),
    typ: fc.constantFrom(typ, typ.toUpperCase(), `application/${typ}`, 'JWT', 'jwt', ''),
    crit: fc.constantFrom(['b64'], [], ['exp'], 'b64', [1], [['b64']], null),
    b64: fc.constantFrom(true, false, 'true', 0),
    jwk: fc.oneof(fc.constant({ kty: 'RSA' }), oddValue),
    jku: anyString,
    x5c: fc.array(anyString, { maxLength: 2 }),
  };
}

/**
 * Plans for tokens that are nearly right: the issuer's header (alg/kid of key `key`) and `claims`
 * with fields mutated, signed validly most of the time.
 */
export function nearValidJws(
  claims: () => Record<string, unknown>,
  claimCandidates: Record<string, fc.Arbitrary<unknown>>,
  typ: string,
  options: { hmac?: boolean } = {},
): fc.Arbitrary<JwsPlan> {
  const ALGS = ['RS256', 'ES256', 'EdDSA', 'PS256', 'HS256'];
  const KIDS = ['rsa-1', 'ec-1', 'ed-1', 'pss-1', 'hs'];
  return fc.integer({ min: 0, max: options.hmac ? 4 : 3 }).chain((key) => {
    const baseHeader = { alg: ALGS[key], kid: KIDS[key], typ };
    const header = mutatedObject(baseHeader, headerCandidates(typ));
    // Claims are made when the case runs, so `exp`/`iat` are relative to now.
    const payload = fc.constant(null).chain(() => mutatedObject(claims(), claimCandidates));
    const plain = (value: () => Record<string, unknown>) =>
      fc.constant(null).map(() => new JsonEntries(Object.entries(value())));
    // Mostly the claims change: a header change usually ends the verification at the first check.
    const documents = fc.oneof(
      {
        weight: 1,
        arbitrary: fc.tuple(
          plain(() => baseHeader),
          plain(claims),
        ),
      },
      { weight: 2, arbitrary: fc.tuple(header, plain(claims)) },
      {
        weight: 6,
        arbitrary: fc.tuple(
          plain(() => baseHeader),
          payload,
        ),
      },
      { weight: 1, arbitrary: fc.tuple(header, payload) },
    );
    return fc
      .record({
        documents,
        key: fc.constant(key),
        signature: fc.constantFrom<SignatureMode>(
          'valid',
          'valid',
          'valid',
          'valid',
          'valid',
          'valid',
          'stranger',
          'empty',
          'random',
          'garbage',
        ),
        randomSignature: fc.uint8Array({ maxLength: 300 }),
        mutation,
      })
      .map(({ documents: [h, p], ...rest }): JwsPlan => ({ header: h, payload: p, ...rest }));
  });
}

/** Any header or payload document at all (still signed by the issuer most of the time). */
export const wildJws: fc.Arbitrary<JwsPlan> = fc.record({
  header: fc.oneof(
    oddValue,
    fc.dictionary(fc.constantFrom('alg', 'kid', 'typ', 'crit', 'b64', ...NASTY_KEYS), oddValue),
  ),
  payload: oddValue,
  key: fc.nat(3),
  signature: fc.constantFrom<SignatureMode>('valid', 'stranger', 'empty', 'random'),
  randomSignature: fc.uint8Array({ maxLength: 300 }),
  mutation,
});

/** Strings with a JWS's outline: dots, base64url-ish runs, and garbage between. */
export const compactLike: fc.Arbitrary<string> = fc.oneof(
  anyString,
  fc
    .array(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'.split('')) }),
        fc.base64String(),
        anyString,
        fc.constantFrom('eyJhbGciOiJSUzI1NiJ9', 'e30', 'eyJhbGciOiJub25lIn0', 'bnVsbA', 'W10', ''),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((parts) => parts.join('.')),
);

/** Re-export for plans built elsewhere. */
export { JsonEntries };
