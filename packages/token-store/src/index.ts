export { type EncryptedStoreOptions, encryptedStore } from './encrypted-store.ts';
export { TokenStoreError, type TokenStoreErrorCode, type TokenStoreErrorOptions } from './errors.ts';
export { MemoryTokenStore, type MemoryTokenStoreOptions } from './memory-store.ts';
export { parseTokenKey, type TokenKeyParts, tokenKey } from './token-key.ts';
export type { SetOptions, StoredTokenSet, TokenStore } from './types.ts';
