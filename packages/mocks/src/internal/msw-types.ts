import type { HttpHandler } from 'msw';
import type { Engine } from './engine.js';

/** What `#msw` provides: msw handlers around the engine (Node, browsers), or a refusal where msw cannot load. */
export interface MswModule {
  buildHandlers(engine: Engine, issuer: string): HttpHandler[];
}
