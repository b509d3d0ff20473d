/*
 * Web Crypto types named without the DOM lib. A consumer's program that declares `CryptoKey` (the DOM
 * lib, a runtime's own types) gets exactly that type; one that does not (`lib: ["ES2022"]` with or
 * without @types/node 20, which declares no global `CryptoKey`) gets the structural part these keys
 * have, so the declaration files type-check either way and never pull the DOM into a program.
 */

/** What a Web Crypto key exposes. */
interface CryptoKeyShape {
  readonly algorithm: { readonly name: string };
  readonly extractable: boolean;
  readonly type: string;
  readonly usages: readonly string[];
}

/** The runtime's `CryptoKey` when the program declares one, else {@link CryptoKeyShape}. */
export type WebCryptoKey = typeof globalThis extends { CryptoKey: { prototype: infer Key } } ? Key : CryptoKeyShape;
