export { type EncryptedStoreOptions, encryptedStore } from './encrypted-store.js';
export { TokenStoreError, type TokenStoreErrorCode, type TokenStoreErrorOptions } from './errors.js';
export { MemoryTokenStore, type MemoryTokenStoreOptions } from './memory-store.js';
export { parseTokenKey, type TokenKeyParts, tokenKey } from './token-key.js';
export type { SetOptions, StoredTokenSet, TokenStore } from './types.js';
export type { WebCryptoKey, WebCryptoKeyPair, WebStorage } from './web-types.js';
