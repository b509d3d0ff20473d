export {
  type RedisAdapter,
  type RedisClientLike,
  type RedisClientStyle,
  redisAdapter,
} from './redis/adapter.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis/redis-store.js';
