import type { OAuthErrorResponse, Problem } from '@keyway/openapi';

/** A parsed request body: JSON value, form fields (repeated fields become arrays), text, or nothing. */
type ParsedBody = unknown;

export type FormFields = Record<string, string | string[]>;

/** A JSON response; `init.headers` are added to `content-type`. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Internal Server Error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

const PROBLEM_CODES: Record<number, string> = {
  400: 'validation_error',
  401: 'invalid_token',
  403: 'insufficient_scope',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  429: 'rate_limited',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The default problem `code` for a status: `rate_limited` for 429, `internal_error` for other 5xx. */
export function problemCode(status: number): string {
  return PROBLEM_CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
}

function problemTitle(status: number): string {
  return PROBLEM_TITLES[status] ?? (status >= 500 ? 'Server error' : 'Error');
}

/** An RFC 9457 problem detail of the token-manager API, with the request id in body and header. */
export function problem(
  status: number,
  requestId: string,
  fields: Partial<Problem> & Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const code = fields.code ?? problemCode(status);
  const body = {
    type: `https://keyway.dev/problems/${code.replaceAll('_', '-')}`,
    title: problemTitle(status),
    status,
    ...fields,
    code,
    request_id: requestId,
  } satisfies Problem;
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId, ...headers },
  });
}

/** An RFC 6749 error response of an OAuth endpoint. */
export function oauthError(
  error: string,
  description: string | undefined,
  status = 400,
  headers: Record<string, string> = {},
): Response {
  const body: OAuthErrorResponse = description === undefined ? { error } : { error, error_description: description };
  return json(body, status, headers);
}

/** The `invalid_target` answer for a resource or audience the mock refuses. */
export function invalidTarget(target: string): Response {
  return oauthError('invalid_target', `${target} is not a registered resource`);
}

/** Reads a request body once, by content type. Never throws: unreadable bodies come back as text. */
export async function readBody(request: Request): Promise<{ body: ParsedBody; malformed: boolean }> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    return { body: undefined, malformed: false };
  }
  let text: string;
  try {
    text = await request.text();
  } catch {
    return { body: undefined, malformed: true };
  }
  if (text.length === 0) {
    return { body: undefined, malformed: false };
  }
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { body: formFields(new URLSearchParams(text)), malformed: false };
  }
  if (type.includes('json')) {
    try {
      return { body: JSON.parse(text) as unknown, malformed: false };
    } catch {
      return { body: text, malformed: true };
    }
  }
  return { body: text, malformed: false };
}

/** Query or form parameters as a record; a repeated name (e.g. `resource`) becomes an array. */
export function formFields(params: URLSearchParams): FormFields {
  const out: FormFields = {};
  for (const [name, value] of params) {
    const previous = out[name];
    if (previous === undefined) {
      out[name] = value;
    } else {
      out[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
  }
  return out;
}

export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** The bearer token of an `Authorization: Bearer ...` header (scheme case-insensitive). */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The token of an `Authorization: Bearer ...` or `Authorization: DPoP ...` header, with its scheme. */
export function authorizationToken(request: Request): { scheme: 'bearer' | 'dpop'; token: string } | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^(bearer|dpop)\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1] || !match[2]) {
    return undefined;
  }
  return { scheme: match[1].toLowerCase() as 'bearer' | 'dpop', token: match[2] };
}

export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
