import { type HttpHandler, http } from 'msw';
import type { Engine } from './engine.js';

const METHODS = {
  GET: http.get,
  POST: http.post,
  PUT: http.put,
  PATCH: http.patch,
  DELETE: http.delete,
} as const;

/**
 * One msw handler per route of the spec under `issuer`, plus a catch-all answering 404/405 for
 * other paths below the issuer, as the real service does. Every handler defers to `engine.handle`.
 */
export function buildHandlers(engine: Engine, issuer: string): HttpHandler[] {
  const resolver = ({ request }: { request: Request }) => engine.handle(request);
  const handlers = engine.routes.map((route) => {
    const path = `${issuer}${route.template.replace(/\{(\w+)\}/g, ':$1')}`;
    const method = METHODS[route.method as keyof typeof METHODS] ?? http.all;
    return method(path, resolver);
  });
  handlers.push(http.all(`${issuer}/*`, resolver));
  return handlers;
}
