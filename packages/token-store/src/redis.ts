export {
  type RedisAdapter,
  type RedisClientLike,
  type RedisClientStyle,
  redisAdapter,
} from './redis/adapter.ts';
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis/redis-store.ts';
