/**
 * DPoP material: the client's proof key, tokens bound to it, and near-valid proofs (RFC 9449 §4.2)
 * whose header and claims are mutated, signed by the right key most of the time.
 */
import fc from 'fast-check';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { mutatedObject, oddValue, toJsonText } from './json.ts';
import { type SigningKey, signCompact } from './jwt.ts';
import { anyString } from './strings.ts';

export interface DpopKeys {
  key: SigningKey;
  other: SigningKey;
  jkt: string;
}

let made: Promise<DpopKeys> | undefined;

/** The client's ES256 proof key (and another one), made once per test file. */
export function dpopKeys(): Promise<DpopKeys> {
  made ??= (async () => {
    const make = async (kid: string): Promise<SigningKey> => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const { kty, crv, x, y } = await exportJWK(publicKey);
      return { alg: 'ES256', kid, privateKey, publicJwk: { kty, crv, x, y } as JWK };
    };
    const key = await make('dpop');
    const other = await make('other');
    return { key, other, jkt: await calculateJwkThumbprint(key.publicJwk) };
  })();
  return made;
}

/** base64url(SHA-256(token)): a proof's `ath`. */
export async function ath(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Buffer.from(digest).toString('base64url');
}

/** What a proof is made for. */
export interface ProofTarget {
  method: string;
  url: string;
  accessToken?: string | undefined;
  nonce?: string | undefined;
}

/** A proof plan: header and claims documents (made when the case runs) and how it is signed. */
export interface ProofPlan {
  header: (jwk: JWK) => fc.Arbitrary<unknown>;
  signer: 'key' | 'other' | 'none';
}

const jwkCandidates: Record<string, fc.Arbitrary<unknown>> = {
  kty: fc.constantFrom('EC', 'RSA', 'OKP', 'oct', ''),
  crv: fc.constantFrom('P-256', 'P-384', 'Ed25519', ''),
  x: fc.oneof(fc.constantFrom('', 'AA', '!!'), anyString),
  d: fc.constantFrom('AQAB', ''),
  k: fc.constantFrom('c2VjcmV0'),
};

/** Near-valid proofs for `target`, built with the keys when the case runs. */
export function nearValidProof(keys: DpopKeys, target: () => ProofTarget): fc.Arbitrary<() => Promise<string>> {
  return fc.constant(null).chain(() => {
    const t = target();
    return fc
      .record({
        header: fc.oneof(
          { weight: 5, arbitrary: fc.constant({ typ: 'dpop+jwt', alg: 'ES256', jwk: keys.key.publicJwk }) },
          {
            weight: 2,
            arbitrary: mutatedObject(
              { typ: 'dpop+jwt', alg: 'ES256', jwk: keys.key.publicJwk },
              {
                typ: fc.constantFrom('dpop+jwt', 'DPOP+JWT', 'application/dpop+jwt', 'jwt', 'at+jwt'),
                alg: fc.constantFrom('ES256', 'RS256', 'HS256', 'none', 'EdDSA', 'ES384'),
                jwk: fc.oneof(
                  mutatedObject(keys.key.publicJwk as Record<string, unknown>, jwkCandidates),
                  fc.constant(keys.other.publicJwk),
                  oddValue,
                ),
                kid: anyString,
              },
            ),
          },
        ),
        payload: fc.constant(null).chain(() =>
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            {
              weight: 5,
              arbitrary: mutatedObject(
                {},
                {
                  htm: fc.constantFrom(t.method.toLowerCase(), 'POST', 'GET', ''),
                  htu: fc.constantFrom(
                    `${t.url}?q=1#f`,
                    t.url.toUpperCase(),
                    'https://other.example/',
                    '',
                    'not a url',
                  ),
                  iat: fc.constantFrom(now() - 120, now() + 120, now() - 30, 0, 1e308, now() + 0.5),
                  jti: fc.constantFrom('', 'j'),
                  ath: fc.constantFrom('', 'x'),
                  nonce: fc.constantFrom('server-nonce', 'stale', ''),
                },
              ),
            },
          ),
        ),
        signer: fc.constantFrom<'key' | 'other' | 'none'>('key', 'key', 'key', 'key', 'other', 'none'),
        jti: fc.uuid(),
      })
      .map(({ header, payload, signer, jti }) => async () => {
        const claims: Record<string, unknown> = {
          htm: t.method.toUpperCase(),
          htu: t.url,
          iat: now(),
          jti,
          ...(t.accessToken === undefined ? {} : { ath: await ath(t.accessToken) }),
          ...(t.nonce === undefined ? {} : { nonce: t.nonce }),
        };
        // Mutations (when any) replace the base claims field by field.
        const mutated =
          payload === null ? {} : Object.fromEntries((payload as { entries: Array<[string, unknown]> }).entries);
        const payloadText = toJsonText({ ...claims, ...mutated });
        const headerText = toJsonText(header);
        if (signer === 'none') {
          return `${Buffer.from(headerText).toString('base64url')}.${Buffer.from(payloadText).toString('base64url')}.`;
        }
        return signCompact(headerText, payloadText, signer === 'key' ? keys.key : keys.other);
      });
  });
}

const now = () => Math.floor(Date.now() / 1000);
