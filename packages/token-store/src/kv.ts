export { type KvNamespaceLike, KvTokenStore, type KvTokenStoreOptions } from './kv-store.js';
