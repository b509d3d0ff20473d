import type { HttpHandler } from 'msw';
import type { Engine } from '../internal/engine.js';
import type { MswHttp } from '../internal/msw-types.js';

/**
 * One msw handler per route of the spec under `issuer`, plus a catch-all answering 404/405 for other
 * paths below the issuer, as the real service does. Every handler defers to `engine.handle`. `http`
 * is msw's, however the caller loaded it.
 */
/**
 * Where a mock keeps its handler builder (`(http) => HttpHandler[]`), non-enumerable, under a
 * `Symbol.for` key: so `mswHandlers()` of `@keyway/mocks/msw` builds with the msw its bundle imports,
 * for a mock from any copy of this package, without the root entry importing msw.
 */
export const HANDLERS_WITH: unique symbol = Symbol.for('keyway.mocks.handlersWith') as never;

export function buildHandlersWith(http: MswHttp, engine: Engine, issuer: string): HttpHandler[] {
  const methods: Record<string, MswHttp['all']> = {
    GET: http.get,
    POST: http.post,
    PUT: http.put,
    PATCH: http.patch,
    DELETE: http.delete,
  };
  const resolver = ({ request }: { request: Request }) => engine.handle(request);
  const handlers = engine.routes.map((route) => {
    const path = `${issuer}${route.template.replace(/\{(\w+)\}/g, ':$1')}`;
    return (methods[route.method] ?? http.all)(path, resolver);
  });
  handlers.push(http.all(`${issuer}/*`, resolver));
  return handlers;
}
