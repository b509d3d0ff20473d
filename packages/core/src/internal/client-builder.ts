import { type ClientOperationInfo, clientOperations } from '@keyway/openapi';
import { ConfigurationError } from '../errors.js';
import type { RequestOptions } from './api-transport.js';

/** What one call of a generated method sends, in openapi-fetch's terms. */
export interface CallInput {
  params: { path?: Record<string, string>; query?: Record<string, unknown> };
  body?: unknown;
}

/** Sends one call of the method `name` (`resource.method`) and resolves to its checked answer. */
type SendCall = (
  name: string,
  info: ClientOperationInfo,
  params: unknown,
  options: RequestOptions | undefined,
) => Promise<unknown>;

/** Whether the method takes an argument before its request options: parameters or a body. */
function takesParams(info: ClientOperationInfo): boolean {
  return info.pathParams.length > 0 || info.queryParams.length > 0 || info.jsonBody;
}

/**
 * The resources of the service client, one method per entry of `clientOperations` (generated from
 * the spec's `x-keyway-client`): `(params, options?)` when the operation takes parameters or a body,
 * `(options?)` otherwise. Every method hands its call to `send`.
 */
export function buildResources(send: SendCall): Record<string, Record<string, (...args: never[]) => Promise<unknown>>> {
  const table: Record<string, Record<string, ClientOperationInfo>> = clientOperations;
  const resources: Record<string, Record<string, (...args: never[]) => Promise<unknown>>> = {};
  for (const [resource, methods] of Object.entries(table)) {
    const target: Record<string, (...args: never[]) => Promise<unknown>> = {};
    for (const [method, info] of Object.entries(methods)) {
      const name = `${resource}.${method}`;
      target[method] = takesParams(info)
        ? (params: unknown, options?: RequestOptions) => send(name, info, params, options)
        : (options?: RequestOptions) => send(name, info, undefined, options);
    }
    resources[resource] = target;
  }
  return resources;
}

/**
 * Splits a method's one argument into what the request carries: the path parameters (checked), the
 * query parameters that are set, and the JSON body (the argument itself when the operation has no
 * parameters, else the argument without the parameters' keys).
 */
export function callInput(info: ClientOperationInfo, params: unknown): CallInput {
  const { pathParams, queryParams, jsonBody } = info;
  if (pathParams.length === 0 && queryParams.length === 0) {
    return jsonBody ? { params: {}, body: params } : { params: {} };
  }
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new ConfigurationError('The parameters must be an object.', { code: 'invalid_parameter' });
  }
  const input: Record<string, unknown> = { ...(params as Record<string, unknown> | undefined) };
  const path: Record<string, string> = {};
  for (const name of pathParams) {
    path[name] = pathParam(input[name], name);
    delete input[name];
  }
  const query: Record<string, unknown> = {};
  for (const name of queryParams) {
    if (input[name] !== undefined) {
      query[name] = input[name];
    }
    delete input[name];
  }
  return {
    params: { path, query },
    ...(jsonBody ? { body: input } : {}),
  };
}

/**
 * Path parameters are percent-encoded by openapi-fetch, but an empty, `.` or `..` segment survives
 * encoding and the URL parser would resolve it to another endpoint (`/api/v1/access/..` is `/api/v1/`).
 */
function pathParam(value: unknown, name: string): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text === '' || text === '.' || text === '..') {
    throw new ConfigurationError(`\`${name}\` must be a non-empty string other than "." and "..".`, {
      code: 'invalid_parameter',
    });
  }
  return text;
}

/** Every method of the table as `resource.method`, with {@link takesParams}; frozen. */
export function listMethods<Name extends string>(): ReadonlyArray<{
  readonly name: Name;
  readonly takesParams: boolean;
}> {
  const table: Record<string, Record<string, ClientOperationInfo>> = clientOperations;
  return Object.freeze(
    Object.entries(table).flatMap(([resource, methods]) =>
      Object.entries(methods).map(([method, info]) =>
        Object.freeze({ name: `${resource}.${method}` as Name, takesParams: takesParams(info) }),
      ),
    ),
  );
}
