export {
  type LockManagerLike,
  WebStorageTokenStore,
  type WebStorageTokenStoreOptions,
} from './web-store.js';
