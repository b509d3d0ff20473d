// What core signs and imports with jose (DPoP proofs, private_key_jwt keys). Never import this module
// statically: jose-lazy.ts loads it at first use. Verification needs none of it (jws.ts, jwk-thumbprint.ts).
export { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
