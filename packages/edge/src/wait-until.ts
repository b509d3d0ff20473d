/**
 * Anything with a `waitUntil`: a Workers `ExecutionContext`, Next.js's `NextFetchEvent`, a Vercel
 * Edge or Hono context's execution context. Work handed to it (the KV write-back of a verifier) runs
 * after the response is sent.
 */
export interface WaitUntilLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The part of a Workers `ExecutionContext` that `withAuth` uses (the same type as {@link WaitUntilLike}).
 */
export type ExecutionContextLike = WaitUntilLike;

/**
 * The part of Next.js's `NextFetchEvent` (middleware's second argument) that `keywayMiddleware` uses
 * (the same type as {@link WaitUntilLike}).
 */
export type WaitUntilEvent = WaitUntilLike;
