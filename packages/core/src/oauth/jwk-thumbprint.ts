import { encodeBase64url } from './jws.js';

/**
 * The members of a public key that its RFC 7638 thumbprint covers, per `kty`, in lexicographic order
 * (RFC 7638 §3.2; RFC 8037 §2 for OKP). Every other member (`alg`, `kid`, `use`, private parts) is left out.
 */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * The JWK SHA-256 thumbprint of `jwk` (RFC 7638), as unpadded base64url: the SHA-256 of the JSON
 * object of its required members, in lexicographic order and without whitespace. This is the
 * `dpop_jkt` / `cnf.jkt` value of RFC 9449. Throws a `TypeError` for an unknown `kty` or a required
 * member that is missing or not a string (the canonical JSON would be ambiguous).
 */
export async function jwkThumbprint(jwk: { readonly [member: string]: unknown }): Promise<string> {
  const members =
    typeof jwk?.kty === 'string' && Object.hasOwn(THUMBPRINT_MEMBERS, jwk.kty)
      ? THUMBPRINT_MEMBERS[jwk.kty]
      : undefined;
  if (!members) {
    throw new TypeError('JWK thumbprint: "kty" must be EC, OKP, RSA or oct.');
  }
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string') {
      throw new TypeError(`JWK thumbprint: the ${jwk.kty} member "${member}" must be a string.`);
    }
    canonical[member] = value;
  }
  // JSON.stringify keeps insertion order, adds no whitespace and escapes strings as RFC 8259 requires.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(canonical)));
  return encodeBase64url(new Uint8Array(digest));
}
