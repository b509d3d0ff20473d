import type { WaitUntilLike } from '../wait-until.js';

/**
 * The `waitUntil` of a context or event, bound to it (Workers throw "Illegal invocation" for a detached
 * one), or `undefined` when it has none: a handler called without a context runs its work inline.
 */
export function waitUntilOf(holder: Partial<WaitUntilLike> | null | undefined): WaitUntilLike['waitUntil'] | undefined {
  const waitUntil = holder?.waitUntil;
  return typeof waitUntil === 'function' ? (promise) => waitUntil.call(holder, promise) : undefined;
}
