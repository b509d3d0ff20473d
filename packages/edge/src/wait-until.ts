/**
 * Anything with a `waitUntil`: a Workers `ExecutionContext`, Next.js's `NextFetchEvent`, a Vercel
 * Edge or Hono context's execution context. Work handed to it (the KV write-back of a verifier) runs
 * after the response is sent.
 *
 * @example
 * ```ts
 * import type { WaitUntilLike } from '@keyway/edge';
 * const ctx: WaitUntilLike = { waitUntil: () => undefined };
 * ```
 */
export interface WaitUntilLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The part of a Workers `ExecutionContext` that `withAuth` uses (the same type as {@link WaitUntilLike}).
 *
 * @example
 * ```ts
 * import type { ExecutionContextLike } from '@keyway/edge';
 * const ctx: ExecutionContextLike = { waitUntil: () => undefined };
 * ```
 */
export type ExecutionContextLike = WaitUntilLike;

/**
 * The part of Next.js's `NextFetchEvent` (middleware's second argument) that `keywayMiddleware` uses
 * (the same type as {@link WaitUntilLike}).
 *
 * @example
 * ```ts
 * import type { WaitUntilEvent } from '@keyway/edge';
 * const event: WaitUntilEvent = { waitUntil: () => undefined };
 * ```
 */
export type WaitUntilEvent = WaitUntilLike;
