import { createRequire } from 'node:module';
import { MissingDependencyError } from '../errors.js';
import type { MswHttp, MswModule } from '../internal/msw-types.js';
import { buildHandlersWith } from './build-handlers.js';

/**
 * `#msw` in Node: msw is an optional peer dependency, loaded (synchronously, so `mock.handlers` can
 * stay a property) only when a mock's msw path is used. Users of `listen()` and `mock.fetch` never
 * load or install it. msw's handlers are recognised by kind, not by class, so handlers made with the
 * CommonJS build work with the `setupServer` of its ES module build.
 */

type Require = (specifier: string) => unknown;

let nodeRequire: Require | undefined;

/** Loads `specifier` of the optional dependency msw, or throws `MissingDependencyError` naming `feature`. */
export function loadMsw<T>(specifier: 'msw' | 'msw/node', feature: string, load?: Require): T {
  nodeRequire ??= createRequire(import.meta.url);
  const requireFn = load ?? nodeRequire;
  try {
    return requireFn(specifier) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
    // Only msw itself missing: a missing module deeper inside msw is msw's error to show.
    if (missing && String((error as Error).message).includes(`'${specifier}'`)) {
      throw new MissingDependencyError('msw', feature, { cause: error });
    }
    throw error;
  }
}

export const buildHandlers: MswModule['buildHandlers'] = (engine, issuer) =>
  buildHandlersWith(loadMsw<{ http: MswHttp }>('msw', 'mock.handlers').http, engine, issuer);

export const setupServer: MswModule['setupServer'] = (handlers, feature) =>
  loadMsw<typeof import('msw/node')>('msw/node', feature).setupServer(...handlers());
