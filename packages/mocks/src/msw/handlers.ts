import { http } from 'msw';
import type { MswModule } from '../internal/msw-types.js';

const METHODS = {
  GET: http.get,
  POST: http.post,
  PUT: http.put,
  PATCH: http.patch,
  DELETE: http.delete,
} as const;

/**
 * `#msw` in Node and browsers: one msw handler per route of the spec under `issuer`, plus a catch-all
 * answering 404/405 for other paths below the issuer, as the real service does. Every handler defers
 * to `engine.handle`.
 */
export const buildHandlers: MswModule['buildHandlers'] = (engine, issuer) => {
  const resolver = ({ request }: { request: Request }) => engine.handle(request);
  const handlers = engine.routes.map((route) => {
    const path = `${issuer}${route.template.replace(/\{(\w+)\}/g, ':$1')}`;
    const method = METHODS[route.method as keyof typeof METHODS] ?? http.all;
    return method(path, resolver);
  });
  handlers.push(http.all(`${issuer}/*`, resolver));
  return handlers;
};
