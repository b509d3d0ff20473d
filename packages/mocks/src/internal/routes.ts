import type { MockRouteName } from '../types.js';
import type { Engine } from './engine.js';

/** What a route handler gets: the request, its parsed parts, and the engine. */
export interface RouteContext {
  engine: Engine;
  request: Request;
  url: URL;
  params: Record<string, string>;
  body: unknown;
  /** The body claimed JSON but did not parse. */
  malformed: boolean;
  requestId: string;
}

export interface RouteDef {
  name: MockRouteName;
  method: string;
  /** The spec's path template, relative to the issuer. */
  template: string;
  /** Token-manager API route (problem+json errors, `x-request-id`), as opposed to an OAuth route. */
  api: boolean;
  run(ctx: RouteContext): Promise<Response> | Response;
}

interface CompiledRoute extends RouteDef {
  pattern: RegExp;
  paramNames: string[];
}

export type RouteMatch =
  | { kind: 'route'; route: RouteDef; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[]; api: boolean }
  | { kind: 'not-found'; api: boolean };

export class Router {
  #routes: CompiledRoute[];

  constructor(routes: RouteDef[]) {
    this.#routes = routes.map((route) => {
      const paramNames: string[] = [];
      const source = route.template
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param?.[1]) {
            paramNames.push(param[1]);
            return '([^/]+)';
          }
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      return { ...route, pattern: new RegExp(`^${source}/?$`), paramNames };
    });
  }

  get routes(): readonly RouteDef[] {
    return this.#routes;
  }

  match(method: string, path: string): RouteMatch {
    const allow: string[] = [];
    for (const route of this.#routes) {
      const found = route.pattern.exec(path);
      if (!found) {
        continue;
      }
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        allow.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { kind: 'route', route, params };
    }
    const api = path.startsWith('/api/');
    return allow.length > 0 ? { kind: 'method-not-allowed', allow, api } : { kind: 'not-found', api };
  }
}
