import type { JsonType } from '@keyway/openapi';
import { InvalidResponseError, KeywayApiError } from '../errors.js';
import type { HttpClient } from './http.js';
import { headersToRecord } from './http-attempt.js';
import { printable } from './printable.js';
import { requestSuffix, scrub, sentRequestOf } from './sent-request.js';
import { parseErrorBody } from './server-message.js';

/** Per-call options of every service-client method. */
export interface RequestOptions {
  /** Cancels the call (including retries and backoff). */
  signal?: AbortSignal;
  /** Milliseconds per attempt for this call, covering the whole body. */
  timeout?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/**
 * The `fetch` openapi-fetch calls for one operation: it sends through the shared transport (retrying
 * only when `retry` is set: the operation's `x-keyway-idempotent` flag, from `operations` of
 * `@keyway/openapi`) and turns every non-2xx answer into the
 * status-specific `KeywayApiError`, and every 2xx body that is not JSON into `InvalidResponseError`.
 * openapi-fetch therefore only ever sees successful JSON responses.
 */
export function apiFetch(
  http: HttpClient,
  retry: boolean,
  options: RequestOptions | undefined,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(options?.headers ?? {})) {
      headers.set(name, value);
    }
    const response = await http.send({
      url: request.url,
      method: request.method,
      headers,
      body,
      retry,
      signal: options?.signal,
      timeout: options?.timeout,
    });
    const text = await response.text();
    const sent = sentRequestOf(response);
    const about = { method: sent?.method, url: sent?.url };
    if (response.status >= 300 && response.status < 400) {
      throw new InvalidResponseError(
        `Unexpected redirect (${response.status}) from the Keyway service${requestSuffix(sent)}.`,
        { code: 'unexpected_redirect', status: response.status, ...about },
      );
    }
    if (!response.ok) {
      throw KeywayApiError.generate(
        response.status,
        scrub(parseErrorBody(text), sent),
        scrub(headersToRecord(response.headers), sent),
        undefined,
        about,
      );
    }
    if (text.length > 0) {
      try {
        JSON.parse(text);
      } catch {
        const type = response.headers.get('content-type') ?? 'no content type';
        throw new InvalidResponseError(
          `Expected JSON from the Keyway service, got ${printable(type, 80)}${requestSuffix(sent)}.`,
          { code: 'invalid_json', status: response.status, ...about },
        );
      }
    }
    return new Response(text.length > 0 ? text : null, { status: response.status, headers: response.headers });
  };
}

/**
 * Checks the fields a caller relies on (the required fields of the response schema, from
 * `clientOperations` of `@keyway/openapi`). The generated types describe the contract; this makes a
 * server that breaks it fail loudly with `InvalidResponseError` instead of handing out `undefined`.
 */
export function expectShape<T>(
  data: unknown,
  fields: { readonly [field: string]: JsonType | readonly JsonType[] },
  what: string,
): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidResponseError(`${what}: expected a JSON object.`, { code: 'invalid_body' });
  }
  for (const [name, expected] of Object.entries(fields)) {
    const types: readonly string[] = typeof expected === 'string' ? [expected] : expected;
    const value = (data as Record<string, unknown>)[name];
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    if (!types.includes(actual)) {
      throw new InvalidResponseError(`${what}: field "${name}" should be ${types.join(' or ')}, got ${actual}.`, {
        code: 'invalid_body',
      });
    }
  }
  return data as T;
}
