import { KeywayError, type KeywayErrorOptions } from '@keyway/core';

/**
 * What went wrong, as the stable `code` of an {@link EdgeAuthError}:
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `missing_token` | 401 | no `Authorization: Bearer` (or `DPoP`) credentials: a bare challenge (RFC 6750 §3.1) |
 * | `invalid_request` | 400 | a token in the query string, a malformed `Authorization` header |
 * | `invalid_token` | 401 | expired, forged, for another audience or issuer, malformed; a DPoP-bound token sent as a bearer token |
 * | `invalid_dpop_proof` | 401 | the `DPoP` proof is missing, malformed, replayed, or does not match the request, the token or its key |
 * | `use_dpop_nonce` | 401 | the `DPoP` proof lacks the server nonce (RFC 9449 §9): the response carries a `DPoP-Nonce` header |
 * | `insufficient_scope` | 403 | a valid token without every required scope |
 * | `unavailable` | 503 | the issuer's discovery document or JWKS could not be fetched: the token was not judged |
 */
export type EdgeAuthErrorCode =
  | 'missing_token'
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_scope'
  | 'unavailable';

/**
 * Options of the {@link EdgeAuthError} constructor.
 */
export interface EdgeAuthErrorOptions extends Omit<KeywayErrorOptions, 'code'> {
  code: EdgeAuthErrorCode;
  /** The finer check that failed, e.g. `token_expired`, `aud_mismatch`, `token_in_query`, `dpop_htu_mismatch`. */
  reason: string;
  /** The HTTP status of {@link EdgeAuthError.response}. */
  status: number;
  /** The `WWW-Authenticate` value, when the status calls for one. */
  challenge?: string;
  /** The nonce to send in a `DPoP-Nonce` header (with `use_dpop_nonce`). */
  dpopNonce?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/**
 * A request was refused: it carried no usable access token, or one that failed a check. `code` says
 * which kind (see {@link EdgeAuthErrorCode}), `reason` which check, and `response` is the answer to
 * send — `WWW-Authenticate` included (RFC 6750, RFC 9449). Nothing in it (message, challenge, body,
 * JSON form) ever contains the token.
 *
 * @example
 * ```ts
 * import { createVerifier, EdgeAuthError } from '@keyway/edge';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * export async function handle(request: Request): Promise<Response> {
 *   try {
 *     const claims = await verifier.verify(request);
 *     return Response.json({ hello: claims.sub });
 *   } catch (error) {
 *     if (EdgeAuthError.is(error)) return error.response; // 401 / 403 / 400 / 503, ready to send
 *     throw error;
 *   }
 * }
 * ```
 */
export class EdgeAuthError extends KeywayError {
  static override readonly brand: string = 'EdgeAuthError';
  static override readonly revivable: readonly string[] = [
    'reason',
    'status',
    'challenge',
    'dpopNonce',
  ] satisfies (keyof EdgeAuthError)[];
  declare readonly code: EdgeAuthErrorCode;
  /** The finer check that failed: core's `TokenValidationError` code (`token_expired`, ...) or this package's. */
  readonly reason: string;
  /** 400, 401, 403 or 503. */
  readonly status: number;
  /** The `WWW-Authenticate` header value, when there is one (every 401 and 403 has one). */
  readonly challenge: string | undefined;
  /** The server nonce the client must put in its next DPoP proof (`use_dpop_nonce`); sent as `DPoP-Nonce`. */
  readonly dpopNonce: string | undefined;

  constructor(message: string, options: EdgeAuthErrorOptions) {
    super(message, options);
    this.reason = options.reason;
    this.status = options.status;
    this.challenge = options.challenge;
    this.dpopNonce = options.dpopNonce;
  }

  /** The OAuth error of the challenge (`invalid_token`, ...), absent for `missing_token` and `unavailable`. */
  get error(): string | undefined {
    return this.code === 'missing_token' || this.code === 'unavailable' ? undefined : this.code;
  }

  /**
   * A new `Response` to send (each read builds a fresh one, so it can be returned more than once):
   * the status, `WWW-Authenticate`, `Cache-Control: no-store` and a JSON body
   * `{ "error", "error_description" }`.
   */
  get response(): Response {
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    if (this.challenge) {
      headers.set('www-authenticate', this.challenge);
    }
    if (this.code === 'unavailable') {
      headers.set('retry-after', '5');
    }
    if (this.dpopNonce !== undefined) {
      headers.set('dpop-nonce', this.dpopNonce);
    }
    const error = this.error ?? (this.code === 'unavailable' ? 'temporarily_unavailable' : 'unauthorized');
    return new Response(JSON.stringify({ error, error_description: this.message }), {
      status: this.status,
      statusText: STATUS_TEXT[this.status] ?? '',
      headers,
    });
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      reason: this.reason,
      status: this.status,
      challenge: this.challenge,
      ...(this.dpopNonce === undefined ? {} : { dpopNonce: this.dpopNonce }),
    };
  }
}
