import {
  type AccessTokenResult,
  type ExternalToken,
  type ExternalTokenList,
  type OfflineCallbackRequest,
  type OfflineConsentRequest,
  type OfflineConsentResult,
  type OfflineTokenResult,
  type OfflineTokenRevocationResult,
  operations,
  type paths,
  type RefreshTokenIdResult,
  type TokenValidationResult,
} from '@keyway/openapi';
import createClient from 'openapi-fetch';
import { ConfigurationError } from './errors.js';
import { apiFetch, expectShape, type RequestOptions } from './internal/api-transport.js';
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

/** The typed client of the Keyway service's token-manager API. */
export interface KeywayClient {
  /** The resolved base URL. */
  readonly baseUrl: string;
  /** Access tokens held by the token manager. */
  readonly access: {
    /** Retrieves a fresh access token for a persistent token id. */
    retrieve(params: { id: string }, options?: RequestOptions): Promise<AccessTokenResult>;
  };
  /** Refresh tokens handed to the token manager. */
  readonly refresh: {
    /**
     * Stores a refresh token and returns the persistent token id that now stands for it. Retried like
     * a safe call: the service answers the same id for the same refresh token and user.
     */
    store(body: { refresh_token: string }, options?: RequestOptions): Promise<RefreshTokenIdResult>;
  };
  /** Offline (persistent) tokens obtained through user consent. */
  readonly offline: {
    /** Starts an offline-access consent; send the user to `consent_url`. Never retried (each call makes a new state). */
    requestConsent(body: OfflineConsentRequest, options?: RequestOptions): Promise<OfflineConsentResult>;
    /** Completes a consent with the callback's parameters; never retried (the code is single-use). */
    callback(body: OfflineCallbackRequest, options?: RequestOptions): Promise<OfflineTokenResult>;
    /** Revokes a persistent token. */
    revoke(params: { id: string }, options?: RequestOptions): Promise<OfflineTokenRevocationResult>;
  };
  /** Validation of the client's own bearer token. */
  readonly validation: {
    /** Asks the service whether the current bearer token is valid. */
    verify(options?: RequestOptions): Promise<TokenValidationResult>;
  };
  /** Tokens of federated providers (GitHub, Google, ...) held for the user. */
  readonly externalTokens: {
    list(options?: RequestOptions): Promise<ExternalTokenList>;
    /** One provider's token; a provider that needs re-consent throws `AuthenticationError` with code `reconsent_required`. */
    retrieve(params: { provider: string }, options?: RequestOptions): Promise<ExternalToken>;
  };
  /** Replaces the bearer token used from the next call on. */
  setToken(token: string | undefined): void;
}

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
  const api = createClient<paths>({ baseUrl });

  // Whether a call may be repeated is the spec's decision (`x-keyway-idempotent`), not this file's.
  const init = (operationId: OperationId, requestOptions: RequestOptions | undefined) => ({
    fetch: apiFetch(http, operations[operationId].idempotent, requestOptions),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

  return {
    baseUrl,
    access: {
      async retrieve({ id }, requestOptions) {
        const { data } = await api.GET('/api/v1/access/{id}', {
          params: { path: { id: pathParam(id, 'id') } },
          ...init('retrieveAccessToken', requestOptions),
        });
        return expectShape(data, { access_token: 'string', expires_in: 'number' }, 'access.retrieve');
      },
    },
    refresh: {
      async store(body, requestOptions) {
        const { data } = await api.POST('/api/v1/refresh', { body, ...init('storeRefreshToken', requestOptions) });
        return expectShape(data, { id: 'string' }, 'refresh.store');
      },
    },
    offline: {
      async requestConsent(body, requestOptions) {
        const { data } = await api.POST('/api/v1/offline/consent', {
          body,
          ...init('requestOfflineConsent', requestOptions),
        });
        return expectShape(data, { consent_url: 'string', state: 'string' }, 'offline.requestConsent');
      },
      async callback(body, requestOptions) {
        const { data } = await api.POST('/api/v1/offline/callback', {
          body,
          ...init('offlineCallback', requestOptions),
        });
        return expectShape(data, { persistent_token_id: 'string' }, 'offline.callback');
      },
      async revoke({ id }, requestOptions) {
        const { data } = await api.DELETE('/api/v1/offline/{id}', {
          params: { path: { id: pathParam(id, 'id') } },
          ...init('revokeOfflineToken', requestOptions),
        });
        return expectShape(data, { revoked: 'boolean' }, 'offline.revoke');
      },
    },
    validation: {
      async verify(requestOptions) {
        const { data } = await api.GET('/api/v1/validate', init('validateToken', requestOptions));
        return expectShape(data, { valid: 'boolean' }, 'validation.verify');
      },
    },
    externalTokens: {
      async list(requestOptions) {
        const { data } = await api.GET('/api/v1/external-tokens', init('listExternalTokens', requestOptions));
        return expectShape(data, { data: 'array' }, 'externalTokens.list');
      },
      async retrieve({ provider }, requestOptions) {
        const { data } = await api.GET('/api/v1/external-tokens/{provider}', {
          params: { path: { provider: pathParam(provider, 'provider') } },
          ...init('retrieveExternalToken', requestOptions),
        });
        return expectShape(
          data,
          { provider: 'string', access_token: 'string', token_type: 'string' },
          'externalTokens.retrieve',
        );
      },
    },
    setToken(next) {
      token = checkToken(next);
    },
  };
}

/** The operationIds of `openapi/keyway.yaml`; `operations[id].idempotent` says whether a call may be retried. */
type OperationId = keyof typeof operations;

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

/**
 * Path parameters are percent-encoded by openapi-fetch, but an empty, `.` or `..` segment survives
 * encoding and the URL parser would resolve it to another endpoint (`/api/v1/access/..` is `/api/v1/`).
 */
function pathParam(value: string, name: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
    throw new ConfigurationError(`\`${name}\` must be a non-empty string other than "." and "..".`, {
      code: 'invalid_parameter',
    });
  }
  return value;
}
