/**
 * Fake HTTP answers for injected `fetch` functions: arbitrary statuses, headers and bodies, always
 * a `Response` the platform can build (a harness bug must not pass for a connection error).
 */
import fc from 'fast-check';
import { edgeNumber, toJsonText } from './json.ts';
import { anyString, headerValue } from './strings.ts';

/** One answer: status, headers, body text (null: no body). */
export interface FakeAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string | null;
}

const NULL_BODY = new Set([204, 205, 304]);

/** Answers the fake fetch could not build; `fuzz()` fails when there are any. */
export const harnessFailures: unknown[] = [];

/** A `Response` for `answer`; a body is dropped for the statuses that cannot have one. */
export function toResponse(answer: FakeAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of answer.headers) {
    headers.append(name, value);
  }
  return new Response(NULL_BODY.has(answer.status) ? null : answer.body, { status: answer.status, headers });
}

/** Statuses: mostly the ones protocols give meaning to, then any the platform accepts. */
export const status = fc.oneof(
  { weight: 10, arbitrary: fc.constant(200) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      201,
      202,
      204,
      206,
      301,
      302,
      304,
      400,
      401,
      403,
      404,
      405,
      408,
      409,
      422,
      429,
      500,
      503,
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
);

const challengeParam = fc.tuple(
  fc.constantFrom('error', 'error_description', 'error_uri', 'realm', 'scope', 'algs', 'ERROR', 'x'),
  fc.oneof(
    fc.constantFrom('invalid_token', 'use_dpop_nonce', 'invalid_client', 'insufficient_scope', '', 'a b'),
    anyString,
  ),
  fc.boolean(),
);

/** `WWW-Authenticate` values: well formed challenges with odd parameters, and garbage. */
export const wwwAuthenticate = headerValue(
  fc.oneof(
    anyString,
    fc
      .tuple(
        fc.constantFrom('Bearer', 'DPoP', 'dpop', 'Basic', 'Negotiate', ''),
        fc.array(challengeParam, { maxLength: 4 }),
        fc.constantFrom(', ', ',', ' ', ''),
        fc.option(fc.string({ unit: fc.constantFrom('a', '=', '/', '+', '-') }), { nil: undefined }),
      )
      .map(
        ([scheme, params, sep, token68]) =>
          `${scheme}${token68 === undefined ? '' : ` ${token68}`} ${params
            .map(([name, value, quote]) =>
              quote ? `${name}="${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : `${name}=${value}`,
            )
            .join(sep)}`,
      ),
  ),
);

/** Header sets: the ones OAuth code reads, with meaningful and garbage values. */
export const headers: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.constant('content-type'),
        headerValue(
          fc.oneof(
            fc.constantFrom(
              'application/json',
              'application/json; charset=utf-8',
              'application/jwt',
              'APPLICATION/JWT ; charset=x',
              'application/jwk-set+json',
              'text/html',
              'text/plain',
              '',
              ';',
            ),
            anyString,
          ),
        ),
      ),
    },
    { weight: 3, arbitrary: fc.tuple(fc.constant('www-authenticate'), wwwAuthenticate) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('dpop-nonce'), headerValue()) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.constant('retry-after'),
        headerValue(fc.oneof(fc.constantFrom('0', '1', '-1', 'soon', 'Thu, 01 Jan 1970 00:00:00 GMT'), anyString)),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant('content-length'),
        fc.oneof(
          fc.constantFrom('0', '-1', '1e9', 'abc', '99999999999'),
          edgeNumber.map((n) => toJsonText(n)),
        ),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x-request-id', 'location', 'cache-control'), headerValue()) },
  ),
  { maxLength: 4 },
);

/** An answer whose body comes from `body`. */
export function answer(body: fc.Arbitrary<string>, statuses = status): fc.Arbitrary<FakeAnswer> {
  return fc.record({ status: statuses, headers, body: fc.option(body, { nil: null, freq: 20 }) });
}

/** A well-formed 200 JSON answer (what fixtures serve). */
export function jsonAnswer(value: unknown, statusCode = 200): FakeAnswer {
  return {
    status: statusCode,
    headers: [['content-type', 'application/json']],
    body: typeof value === 'string' ? value : JSON.stringify(value),
  };
}

/** The URL of a fetch call without query and fragment. */
export function endpointOf(input: string | URL | Request): string {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  return `${url.origin}${url.pathname}`;
}

/**
 * A `fetch` that answers by endpoint (URL without query): `routes[endpoint]()`, 404 elsewhere. A
 * route may return a `Response` or a {@link FakeAnswer}.
 */
export function routedFetch(
  routes: Record<string, (init: RequestInit | undefined) => FakeAnswer | Response | Promise<FakeAnswer | Response>>,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const route = routes[endpointOf(input)];
    if (!route) {
      return new Response('not found', { status: 404 });
    }
    const out = await route(init);
    try {
      return out instanceof Response ? out : toResponse(out);
    } catch (error) {
      // A generator made an answer the platform cannot build: a harness bug, not a finding.
      harnessFailures.push(error);
      throw error;
    }
  };
}
