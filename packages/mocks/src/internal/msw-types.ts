import type { HttpHandler, http } from 'msw';
import type { SetupServer } from 'msw/node';
import type { Engine } from './engine.js';

/**
 * What `#msw` provides: msw handlers around the engine and msw's `setupServer` (Node, which loads msw
 * only when asked; browsers), or refusals where msw cannot load or is not installed.
 */
export interface MswModule {
  buildHandlers(engine: Engine, issuer: string): HttpHandler[];
  /**
   * msw's `setupServer(...handlers())` (Node only). msw is loaded before `handlers` is called, so a
   * refusal names `feature`, the caller.
   */
  setupServer(handlers: () => HttpHandler[], feature: string): SetupServer;
}

/** msw's `http` namespace: the handler factories. */
export type MswHttp = typeof http;
