// Beyond the list: the Keyway service client. createKeywayClient({ baseUrl, token, fetch }) whose fetch
// answers every method with arbitrary statuses, headers and bodies (RFC 9457 problem documents
// near-valid). Errors must be Keyway errors whose fields (`retryAfter`, `toJSON()`) can be read.
import { createKeywayClient, KEYWAY_CLIENT_METHODS, type KeywayError, RateLimitError } from '@keyway/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { answer, type FakeAnswer, toResponse } from '../src/http.ts';
import { bodyText, mostlyValid, oddValue } from '../src/json.ts';
import { expectTypedOutcome, type OutcomeOptions } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

/** Arguments that pass each method's own checks, so the answer is what decides. */
const PARAMS: Record<string, unknown> = {
  'access.retrieve': { id: 'pt_1' },
  'refresh.store': { refresh_token: 'rt' },
  'offline.requestConsent': { client_id: 'c', user_id: 'u', scope: 'read' },
  'offline.callback': { code: 'c', state: 's' },
  'offline.revoke': { id: 'pt_1' },
  'externalTokens.retrieve': { provider: 'github' },
};

const problem = mostlyValid(
  { type: 'https://keyway.dev/problems/x', title: 'Bad', status: 400, detail: 'Nope', code: 'bad_thing' },
  { code: fc.oneof(anyString, oddValue), status: oddValue, title: oddValue },
  1,
);

/** A model-ish success body: the fields the generated models name, with odd values. */
const model = mostlyValid(
  { id: 'pt_1', access_token: 'at', token_type: 'Bearer', expires_in: 60, provider: 'github', items: [], valid: true },
  { expires_in: oddValue, items: oddValue, access_token: oddValue },
  1,
);

const serviceAnswer = fc.oneof(
  { weight: 3, arbitrary: answer(bodyText([model])) },
  {
    weight: 2,
    arbitrary: answer(bodyText([problem]), fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 503)).map(
      (a): FakeAnswer => ({ ...a, headers: [['content-type', 'application/problem+json'], ...a.headers] }),
    ),
  },
);

/**
 * Reported (see README): a 2xx answer with an empty body and a Content-Length other than "0" reaches
 * openapi-fetch's `response.json()`, whose SyntaxError escapes.
 */
const KNOWN = /SyntaxError: Unexpected end of JSON input/;

/** Escapes found by this property (shrunk), run first every time. */
const ESCAPES: Array<[FakeAnswer, string]> = [
  [{ status: 200, headers: [['content-length', '-1']], body: null }, 'access.retrieve'],
];

/** Reading an error's fields must not throw either. */
const readable: OutcomeOptions['inspect'] = (outcome) => {
  if (outcome.kind !== 'typed') {
    return;
  }
  const error = outcome.error as KeywayError;
  JSON.stringify(error);
  String(error);
  if (RateLimitError.is(error)) {
    const seconds = error.retryAfter;
    if (seconds !== undefined && (typeof seconds !== 'number' || Number.isNaN(seconds))) {
      throw new Error(`retryAfter is ${String(seconds)}`);
    }
  }
};

type Call = (client: ReturnType<typeof createKeywayClient>, name: string) => Promise<unknown>;

const callMethod: Call = (client, name) => {
  const [resource, method] = name.split('.') as [string, string];
  const fn = (client as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[resource]![
    method
  ]!;
  const entry = KEYWAY_CLIENT_METHODS.find((m) => m.name === name)!;
  return entry.takesParams ? fn(PARAMS[name] ?? {}) : fn();
};

const serviceProperty = (call: Call, tally?: Tally) =>
  fc.asyncProperty(
    serviceAnswer,
    fc.constantFrom(...KEYWAY_CLIENT_METHODS.map((m) => m.name)),
    async (served, name) => {
      const client = createKeywayClient({
        baseUrl: 'https://keyway.fuzz.test',
        token: 'service-token',
        retry: false,
        fetch: async () => toResponse(served),
      });
      await expectTypedOutcome(() => call(client, name), { tally, inspect: readable, known: KNOWN });
    },
  );

describe('createKeywayClient: arbitrary answers to every method', () => {
  it('the model, or a Keyway error whose fields can be read', async () => {
    const tally = new Tally();
    await fuzz(serviceProperty(callMethod, tally), { examples: ESCAPES });
    console.log(`service client: ${tally}`);
    tally.expectReached(['result', 'KeywayApiError', 'RateLimitError', 'InvalidResponseError']);
  });

  it('sanity: the property catches a method that throws a TypeError', async () => {
    await expectPropertyToFail(
      serviceProperty(async (client, name) => {
        const result = await callMethod(client, name).catch(() => undefined);
        if (result === undefined) {
          throw new TypeError('broken');
        }
        return result;
      }),
    );
  });
});
