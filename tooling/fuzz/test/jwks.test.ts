// Target 3: JWKS documents. The verifier discovers a valid issuer, then gets an arbitrary JWKS (keys of
// any shape: wrong kty, huge n, bad base64url, key_ops garbage), and a refetch gets another.
import { createAccessTokenVerifier } from '@keyway/core';
import fc from 'fast-check';
import type { JWK } from 'jose';
import { beforeAll, describe, it } from 'vitest';
import { answer, type FakeAnswer } from '../src/http.ts';
import { AUDIENCE, accessClaims, ENDPOINTS, ISSUER, inTurn, issuerFetch } from '../src/issuer.ts';
import { bodyText, JsonEntries, mutatedObject, oddValue, toJsonText } from '../src/json.ts';
import { buildJws, type JwsPlan, type KeyRing, keyRing, type SignatureMode } from '../src/jwt.ts';
import { expectTypedOutcome } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
let publicJwks: JWK[];
beforeAll(async () => {
  keys = await keyRing();
  publicJwks = keys.issuer.map((key) => key.publicJwk);
});

/** base64url text of `bytes` random-ish bytes (a modulus or coordinate of the wrong size). */
const b64Of = (size: number) => fc.constant(null).map(() => Buffer.alloc(size, 0xab).toString('base64url'));

const badBase64 = fc.oneof(
  fc.constantFrom('', '=', 'AQAB==', 'AQ AB', '+/+/', 'A', '!!!!', 'AQAB\n', '%41'),
  anyString,
  fc.constantFrom(64, 256, 512, 2048, 65_536).chain(b64Of),
);

/** Candidates for each JWK member. */
const jwkCandidates: Record<string, fc.Arbitrary<unknown>> = {
  kty: fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'rsa', 'ec', '', 'RSA ', 'AKP'),
  n: badBase64,
  e: fc.oneof(fc.constantFrom('AQAB', 'AAEAAQ', 'Aw', 'AA', ''), badBase64),
  crv: fc.constantFrom('P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448', 'X25519', 'secp256k1', ''),
  x: badBase64,
  y: badBase64,
  d: fc.constantFrom('AQAB', ''),
  k: fc.constantFrom('c2VjcmV0', ''),
  use: fc.constantFrom('sig', 'enc', 'SIG', ''),
  key_ops: fc.constantFrom(['verify'], ['sign'], 'verify', [], ['verify', 'verify'], [1], { 0: 'verify' }, null),
  alg: fc.constantFrom('RS256', 'ES256', 'EdDSA', 'PS256', 'HS256', 'none', 'RS384', ''),
  kid: fc.constantFrom('rsa-1', 'ec-1', 'ed-1', 'pss-1', 'weak', '', 'unknown'),
  x5c: fc.array(anyString, { maxLength: 2 }),
};

/** One key: an issuer key with members mutated, a stranger's key, the 1024-bit one, or anything. */
const jwk = () =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.nat(3).chain((i) => mutatedObject(publicJwks[i] as Record<string, unknown>, jwkCandidates)),
    },
    { weight: 3, arbitrary: fc.nat(3).map((i) => publicJwks[i]) },
    { weight: 1, arbitrary: fc.constant(null).map(() => keys.stranger.publicJwk) },
    { weight: 1, arbitrary: fc.constant(null).map(() => keys.weakJwk) },
    { weight: 1, arbitrary: oddValue },
  );

/** A JWKS document: `{ keys: [...] }` with keys mutated (mostly), or the document itself mutated. */
const jwksDocument = () =>
  fc
    .array(jwk(), { maxLength: 6 })
    .chain((list) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(new JsonEntries([['keys', list]])) },
        { weight: 1, arbitrary: mutatedObject({ keys: list }, { keys: oddValue }) },
      ),
    );

/** JWKS bodies: mostly a (near-valid) document, sometimes garbage. */
const jwksBody = () =>
  fc.oneof({ weight: 6, arbitrary: jwksDocument().map(toJsonText) }, { weight: 1, arbitrary: bodyText() });

/** The JWKS answers: the first fetch, then a refetch after an unknown kid. */
const jwksAnswers = () =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: answer(jwksBody(), fc.constant(200)) },
      { weight: 1, arbitrary: answer(jwksBody()) },
    ),
    { minLength: 1, maxLength: 2 },
  );

/** `usual` four times in five, else a value of `other`. */
const mostly = <T>(usual: T, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });

/** Valid tokens from each issuer key, the header's `kid`/`alg` sometimes swapped (what a JWKS is searched by). */
const token = (): fc.Arbitrary<JwsPlan> =>
  fc
    .record({
      key: fc.nat(3),
      kid: mostly(undefined, fc.constantFrom('rsa-1', 'ec-1', 'ed-1', 'pss-1', 'weak', 'unknown', '')),
      alg: mostly(undefined, fc.constantFrom('RS256', 'ES256', 'EdDSA', 'PS256', 'Ed25519', 'RS512')),
      signature: fc.constantFrom<SignatureMode>('valid', 'valid', 'valid', 'stranger'),
    })
    .map(({ key, kid, alg, signature }) => {
      const own = keys.issuer[key]!;
      return {
        header: { alg: alg ?? own.alg, typ: 'at+jwt', ...(kid === '' ? {} : { kid: kid ?? own.kid }) },
        payload: accessClaims(),
        key,
        signature,
        randomSignature: new Uint8Array(),
        mutation: { kind: 'none' },
      };
    });

const jwksProperty = (verify: (jwt: string, served: FakeAnswer[]) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(jwksAnswers(), token(), async (served, plan) => {
    const jwt = await buildJws(plan, keys);
    await expectTypedOutcome(() => verify(jwt, served), { tally });
  });

/** A verifier of its own per case: its JWKS cache starts empty. */
function verifyWith(jwt: string, served: FakeAnswer[]): Promise<unknown> {
  const verifier = createAccessTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    retry: false,
    fetch: issuerFetch(keys, { [ENDPOINTS.jwks]: inTurn(served) }),
  });
  return verifier.verify(jwt);
}

describe('JWKS documents served to the verifier', () => {
  it('arbitrary keys and documents: claims or a typed error', async () => {
    const tally = new Tally();
    await fuzz(jwksProperty(verifyWith, tally));
    console.log(`jwks: ${tally}`);
    tally.expectReached(['result', 'invalid_jwks', 'unknown_kid', 'invalid_signature']);
  });

  it('sanity: the property catches a verifier that throws a DOMException', async () => {
    await expectPropertyToFail(
      jwksProperty(async (jwt, served) => {
        const result = await verifyWith(jwt, served).catch(() => undefined);
        if (result === undefined) {
          throw new DOMException('broken', 'DataError');
        }
        return result;
      }),
    );
  });
});
