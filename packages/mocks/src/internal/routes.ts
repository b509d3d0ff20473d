import { operations } from '@keyway/openapi';
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

/** Answers a request to one route. */
type RouteRun = (ctx: RouteContext) => Promise<Response> | Response;

export interface RouteDef {
  name: MockRouteName;
  method: string;
  /** The spec's path template, relative to the issuer. */
  template: string;
  run: RouteRun;
}

/** The operationIds of the spec. */
type OperationId = keyof typeof operations;

/** The mock's answer to each operation of the spec, by operationId. */
export type OperationRuns = { readonly [K in OperationId]: RouteRun };

/**
 * One route per operation of the spec, in the spec's order: method and path template come from
 * `operations` of `@keyway/openapi`, so only the answers are written here (and a spec operation
 * without one fails the type check).
 */
export function specRoutes(runs: OperationRuns): RouteDef[] {
  return (Object.keys(operations) as OperationId[]).map((name) => ({
    name,
    method: operations[name].method.toUpperCase(),
    template: operations[name].path,
    run: runs[name],
  }));
}

/** A token-manager API path (problem+json errors, `x-request-id`), as opposed to an OAuth one. */
const isApiPath = (path: string) => path.startsWith('/api/');

interface CompiledRoute extends RouteDef {
  /** Token-manager API route (problem+json errors, `x-request-id`), as opposed to an OAuth route. */
  api: boolean;
  pattern: RegExp;
  paramNames: string[];
}

type RouteMatch =
  | { kind: 'route'; route: CompiledRoute; params: Record<string, string> }
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
      return { ...route, api: isApiPath(route.template), pattern: new RegExp(`^${source}/?$`), paramNames };
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
    const api = isApiPath(path);
    return allow.length > 0 ? { kind: 'method-not-allowed', allow, api } : { kind: 'not-found', api };
  }
}
