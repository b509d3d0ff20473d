/*
 * Web platform types named without the DOM lib, for every Keyway package (core and mocks import them from
 * here). A consumer's program that declares the global (the DOM lib, a runtime's own types) gets exactly
 * that type; one that does not (`lib: ["ES2022"]` with or without @types/node, which declares neither)
 * gets the structural part Keyway relies on, so the declaration files type-check either way and never
 * pull the DOM into a program.
 */

/** What Keyway needs of a Web Crypto key. */
interface CryptoKeyShape {
  readonly algorithm: { readonly name: string };
  readonly extractable: boolean;
  readonly type: string;
  readonly usages: readonly string[];
}

/** The runtime's `CryptoKey` when the program declares one, else the structural part Keyway uses (algorithm, extractable, type, usages). */
export type WebCryptoKey = typeof globalThis extends { CryptoKey: { prototype: infer Key } } ? Key : CryptoKeyShape;

/** A `CryptoKeyPair` (the DOM's is exactly this shape), of {@link WebCryptoKey}s. */
export interface WebCryptoKeyPair {
  privateKey: WebCryptoKey;
  publicKey: WebCryptoKey;
}

/** What this package needs of a Web Storage area (`localStorage`, `sessionStorage`). */
interface StorageShape {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The runtime's `Storage` when the program declares one, else the structural part the store uses (getItem, setItem, removeItem). */
export type WebStorage = typeof globalThis extends { Storage: { prototype: infer Area } } ? Area : StorageShape;
