import {
  type ClientOperationInfo,
  type clientOperations,
  type operations as OperationTypes,
  operations,
  type paths,
} from '@keyway/openapi';
import { ConfigurationError } from './errors.js';
import { apiFetch, expectShape, type RequestOptions } from './internal/api-transport.js';
import { buildResources, type CallInput, callInput, listMethods } from './internal/client-builder.js';
import { readEnv } from './internal/env.js';
import { headerToken } from './internal/headers.js';
import { HttpClient, type HttpOptions } from './internal/http.js';
import { parseServiceUrl } from './internal/url.js';

export type { RequestOptions } from './internal/api-transport.js';

/** Options of {@link createKeywayClient}. */
export interface KeywayClientOptions extends HttpOptions {
  /** The service's base URL. Falls back to `KEYWAY_API_URL` where an environment exists. */
  baseUrl?: string | URL;
  /** Bearer token sent on every call. Falls back to `KEYWAY_API_TOKEN`; change it with `setToken()`. */
  token?: string;
  /** Allow plain `http:` to a non-loopback host (never do this in production). */
  allowInsecureRequests?: boolean;
}

type ClientTable = typeof clientOperations;
type Defined<T> = T extends undefined ? never : T;
type JsonContent<T> = T extends { content: { 'application/json': infer J } } ? J : never;
/** `A & B`, or the one that exists (an absent part is `never`). */
type Both<A, B> = [A] extends [never] ? B : [B] extends [never] ? A : A & B;
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226 | '2XX';
type PathOf<P> = P extends { path?: infer Path } ? Defined<Path> : never;
type QueryOf<P> = P extends { query?: infer Query } ? Defined<Query> : never;

/** A method's argument: the operation's path and query parameters and its JSON body, in one object. */
type InputOf<Op> = Op extends { parameters: infer P; requestBody?: infer B }
  ? Both<Both<PathOf<P>, QueryOf<P>>, JsonContent<Defined<B>>>
  : never;
/** A method's result: the operation's 2xx JSON answer. */
type OutputOf<Op> = Op extends { responses: infer R }
  ? { [S in keyof R]: S extends SuccessStatus ? JsonContent<R[S]> : never }[keyof R]
  : never;
/**
 * One generated method: `(options?)` when the operation takes neither parameters nor a body, else
 * `(params, options?)` (`params?` when every part of it is optional).
 */
type MethodFor<Op> = [InputOf<Op>] extends [never]
  ? (options?: RequestOptions) => Promise<OutputOf<Op>>
  : {} extends InputOf<Op>
    ? (params?: InputOf<Op>, options?: RequestOptions) => Promise<OutputOf<Op>>
    : (params: InputOf<Op>, options?: RequestOptions) => Promise<OutputOf<Op>>;
type MethodOf<Info> = Info extends ClientOperationInfo ? MethodFor<OperationTypes[Info['operationId']]> : never;

/**
 * The resources of {@link KeywayClient} and their methods, mapped from `clientOperations` of
 * `@keyway/openapi` (the spec's `x-keyway-client`): each method's argument and result are its
 * operation's generated types, and its TSDoc is the operation's summary and description.
 */
export type KeywayClientResources = {
  readonly [R in keyof ClientTable]: { -readonly [M in keyof ClientTable[R]]: MethodOf<ClientTable[R][M]> };
};

/** A method of {@link KeywayClient}, named `resource.method` (`'access.retrieve'`). */
export type KeywayClientMethod = {
  [R in keyof ClientTable]: `${R & string}.${keyof ClientTable[R] & string}`;
}[keyof ClientTable];

/**
 * The typed client of the Keyway service's token-manager API: `access.retrieve({ id })`,
 * `refresh.store({ refresh_token })`, `offline.requestConsent(...)`, `offline.callback(...)`,
 * `offline.revoke({ id })`, `validation.verify()`, `externalTokens.list()` and
 * `externalTokens.retrieve({ provider })`, each taking per-call `RequestOptions` last. The methods
 * are generated from the spec ({@link KeywayClientResources}).
 */
export interface KeywayClient extends KeywayClientResources {
  /** The resolved base URL. */
  readonly baseUrl: string;
  /** Replaces the bearer token used from the next call on. */
  setToken(token: string | undefined): void;
}

/**
 * Every method of the service client as `resource.method`, and whether it takes an argument before
 * its request options. Derived from the spec (`x-keyway-client`) like the client itself: the
 * synchronous client of `@keyway/node` forwards exactly these.
 *
 * @example
 * ```ts
 * import { KEYWAY_CLIENT_METHODS } from '@keyway/core';
 *
 * const optionsOnly = KEYWAY_CLIENT_METHODS.filter((m) => !m.takesParams).map((m) => m.name);
 * // ['validation.verify', 'externalTokens.list']
 * ```
 */
export const KEYWAY_CLIENT_METHODS: ReadonlyArray<{
  readonly name: KeywayClientMethod;
  readonly takesParams: boolean;
}> = /* @__PURE__ */ listMethods<KeywayClientMethod>();

/**
 * openapi-fetch, loaded at the first call of a service-client method (every method is async), not when
 * core is imported; the module loader caches it.
 */
const loadOpenapiFetch = () => import('./internal/openapi-fetch-library.js');

/** openapi-fetch's `request()`, called with the values of the table rather than literal types. */
type SendRequest = (
  method: string,
  path: string,
  init: CallInput & { fetch: (request: Request) => Promise<Response>; headers: Record<string, string> },
) => Promise<{ data?: unknown }>;

/**
 * Creates the typed client of the Keyway service (generated from `openapi/keyway.yaml`).
 *
 * Every method resolves to the generated response model or throws a `KeywayError`: a
 * `KeywayApiError` subclass for non-2xx answers, `KeywayConnectionError`, `KeywayTimeoutError`,
 * `KeywayAbortError` or `InvalidResponseError`. The operations the spec marks idempotent
 * (`x-keyway-idempotent`: the GETs, DELETE by id, and storing a refresh token) are retried on
 * 408/429/5xx and network errors; the consent and callback POSTs never are.
 *
 * @example
 * ```ts
 * import { createKeywayClient } from '@keyway/core';
 *
 * const keyway = createKeywayClient({ baseUrl: 'https://keyway.example.com', token: process.env.KEYWAY_TOKEN });
 * const { access_token, expires_in } = await keyway.access.retrieve({ id: 'pt_123' });
 * ```
 */
export function createKeywayClient(options: KeywayClientOptions = {}): KeywayClient {
  const rawBaseUrl = options.baseUrl ?? readEnv('KEYWAY_API_URL');
  if (rawBaseUrl === undefined) {
    throw new ConfigurationError('No Keyway service URL: pass `baseUrl` or set KEYWAY_API_URL.', {
      code: 'missing_base_url',
    });
  }
  const baseUrl = serviceBaseUrl(rawBaseUrl, options.allowInsecureRequests);
  const http = new HttpClient(options);
  let token = checkToken(options.token ?? readEnv('KEYWAY_API_TOKEN'));
  // openapi-fetch still builds each request (path encoding, query string, JSON body); the methods'
  // types come from KeywayClientResources. Made at the first call, once.
  let request: Promise<SendRequest> | undefined;
  const sendRequest: SendRequest = async (...args) => {
    request ??= loadOpenapiFetch().then(
      ({ createClient }) => createClient<paths>({ baseUrl }).request as unknown as SendRequest,
    );
    return (await request)(...args);
  };

  // One call for every method. Whether it may be repeated is the spec's decision
  // (`x-keyway-idempotent`), read from `operations` at each call, not this file's.
  const resources = buildResources(async (name, info, params, requestOptions) => {
    const { method, path, idempotent } = operations[info.operationId];
    const { data } = await sendRequest(method, path, {
      ...callInput(info, params),
      fetch: apiFetch(http, idempotent, requestOptions),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return expectShape(data, info.responseFields, name);
  });

  return {
    ...(resources as unknown as KeywayClientResources),
    baseUrl,
    setToken(next) {
      token = checkToken(next);
    },
  };
}

/**
 * The base URL that paths are appended to. Credentials would reach `Request`, whose `TypeError` quotes
 * the whole URL, password included; a query or fragment would end up in front of every path.
 */
function serviceBaseUrl(value: string | URL, allowInsecureRequests: boolean | undefined): string {
  const url = parseServiceUrl(value, 'baseUrl', allowInsecureRequests);
  if (url.username || url.password) {
    throw new ConfigurationError('baseUrl must not contain credentials; pass the `token` option instead.', {
      code: 'invalid_url',
    });
  }
  if (url.search || url.hash) {
    throw new ConfigurationError('baseUrl must not have a query or a fragment.', { code: 'invalid_url' });
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * A token the `Headers` class would refuse makes it throw a `TypeError` that quotes the whole value,
 * secret included; refuse it here with an error that does not.
 */
function checkToken(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  return headerToken(trimmed, 'The bearer token');
}
