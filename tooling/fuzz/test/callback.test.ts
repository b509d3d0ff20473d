// Target 5: callback URLs. client.handleCallback(url, { state, nonce, codeVerifier }) with arbitrary
// strings, URLs and query strings (duplicates, unicode, percent garbage, fragments), and a token
// endpoint that answers (mostly with valid tokens, so a good callback goes all the way).
import { OAuthClient, type StateStore } from '@keyway/core';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { tokenDocument } from '../src/documents.ts';
import { answer, type FakeAnswer, jsonAnswer } from '../src/http.ts';
import { CLIENT_ID, ENDPOINTS, ISSUER, idClaims, issuerFetch, METADATA, REDIRECT_URI } from '../src/issuer.ts';
import { bodyText } from '../src/json.ts';
import { buildJws, CLIENT_SECRET, type KeyRing, keyRing } from '../src/jwt.ts';
import { expectTypedOutcome } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString, percentGarbage } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
beforeAll(async () => {
  keys = await keyRing();
});

const VERIFIER = 'v'.repeat(43);
let cases = 0;

/** One callback case: the checks the app kept, and the URL the browser came back with. */
interface CallbackCase {
  state: string;
  checks: { state: string; nonce?: string; codeVerifier: string; maxAge?: number };
  url: string;
  asUrl: boolean;
}

/** A query parameter: the ones a callback has (mostly right), others, any name. */
const param = (state: string) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.constant('state'),
        fc.oneof({ weight: 5, arbitrary: fc.constant(state) }, { weight: 1, arbitrary: anyString }),
      ),
    },
    { weight: 4, arbitrary: fc.tuple(fc.constant('code'), fc.oneof(fc.constantFrom('c-1', ''), anyString)) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.constant('iss'),
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(ISSUER) },
          { weight: 1, arbitrary: fc.constantFrom(`${ISSUER}/`, '', 'https://evil.example') },
        ),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('error', 'error_description', 'error_uri'), anyString) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.oneof(fc.constantFrom('session_state', 'response', 'id_token', 'scope', ''), anyString),
        anyString,
      ),
    },
  );

/** encodeURIComponent, which throws on a lone surrogate: that is the raw mode's job. */
const encode = (value: string) =>
  encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );

/** `usual` nine times in ten, else `other`. */
const usually = <T>(usual: T, other: T) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constant(other) });

/** How a parameter is written: encoded properly, raw, or with percent garbage spliced in. */
const encoding = fc.constantFrom('encoded', 'encoded', 'encoded', 'encoded', 'encoded', 'raw', 'garbage');

const callbackCase: fc.Arbitrary<CallbackCase> = fc.constant(null).chain(() => {
  const state = `st-${++cases}-${Date.now().toString(36)}`;
  return fc
    .record({
      base: fc.oneof(
        { weight: 6, arbitrary: fc.constant(REDIRECT_URI) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'http://127.0.0.1:8080/cb',
            'http://[',
            'https://exa mple.com/cb',
            'http://%zz/cb',
            'https://a:b:c@/cb',
            '/callback',
            '',
            'callback',
            'https://[::1]/cb',
            'custom:/cb',
            '//host/cb',
          ),
        },
        { weight: 1, arbitrary: anyString },
      ),
      // The parameters a provider sends (each mostly present, in any order), then maybe extra ones.
      params: fc
        .tuple(
          fc
            .tuple(usually(true, false), usually(true, false), usually(true, false))
            .chain(([withState, withCode, withIss]) => {
              const present: Array<[string, string]> = [
                ...(withState ? [['state', state] as [string, string]] : []),
                ...(withCode ? [['code', 'c-1'] as [string, string]] : []),
                ...(withIss ? [['iss', ISSUER] as [string, string]] : []),
              ];
              return fc.shuffledSubarray(present, { minLength: present.length });
            }),
          fc.oneof(
            { weight: 4, arbitrary: fc.constant([]) },
            { weight: 1, arbitrary: fc.array(param(state), { minLength: 1, maxLength: 4 }) },
          ),
        )
        .chain(([usual, extra]) =>
          fc.tuple(...[...usual, ...extra].map((p) => fc.tuple(fc.constant(p), encoding, percentGarbage))),
        ),
      separator: fc.constantFrom('?', '?', '?', '?', '?', '?', '#', '?&', '??', '#?'),
      joiner: fc.constantFrom('&', '&', '&', ';', '&&'),
      tail: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: anyString }),
      nonce: fc.option(fc.constantFrom('nonce-1', 'nonce-2'), { nil: undefined }),
      verifier: fc.oneof({ weight: 5, arbitrary: fc.constant(VERIFIER) }, { weight: 1, arbitrary: anyString }),
      maxAge: fc.oneof(
        { weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(0, 60, 3600) },
      ),
      checkState: fc.oneof(
        { weight: 8, arbitrary: fc.constant(state) },
        { weight: 1, arbitrary: fc.constantFrom('', 'other') },
      ),
      asUrl: fc.boolean(),
    })
    .map(({ base, params, separator, joiner, tail, nonce, verifier, maxAge, checkState, asUrl }) => {
      const query = params
        .map(([[name, value], how, garbage]) => {
          if (how === 'raw') {
            return `${name}=${value}`;
          }
          const encoded = `${encode(name)}=${encode(value)}`;
          return how === 'garbage' ? `${encoded}${garbage}` : encoded;
        })
        .join(joiner);
      return {
        state,
        checks: {
          state: checkState,
          codeVerifier: verifier,
          ...(nonce === undefined ? {} : { nonce }),
          ...(maxAge === undefined ? {} : { maxAge }),
        },
        url: `${base}${separator}${query}${tail}`,
        asUrl,
      };
    });
});

/** What the token endpoint answers: valid tokens with an ID token for nonce-1 (mostly), or anything. */
const tokenAnswer = fc.oneof(
  { weight: 4, arbitrary: fc.constant('valid' as const) },
  { weight: 1, arbitrary: answer(bodyText([tokenDocument])) },
);

async function tokenEndpoint(planned: 'valid' | FakeAnswer): Promise<FakeAnswer> {
  if (planned !== 'valid') {
    return planned;
  }
  const idToken = await buildJws(
    {
      header: { alg: 'ES256', kid: 'ec-1' },
      payload: idClaims({ nonce: 'nonce-1' }),
      key: 1,
      signature: 'valid',
      randomSignature: new Uint8Array(),
      mutation: { kind: 'none' },
    },
    keys,
  );
  return jsonAnswer({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken });
}

const callbackProperty = (handle: (client: OAuthClient, c: CallbackCase) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(callbackCase, tokenAnswer, fc.boolean(), async (c, planned, issParameter) => {
    const served = await tokenEndpoint(planned);
    const client = new OAuthClient(
      { ...METADATA, authorization_response_iss_parameter_supported: issParameter },
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        retry: false,
        fetch: issuerFetch(keys, { [ENDPOINTS.token]: () => served }),
        // Each run is a process of its own: a code redeemed by an earlier run ('c-1' recurs) would
        // otherwise end every later run at `code_reused` before the token response is read.
        stateStore: freshStateStore(),
      },
    );
    await expectTypedOutcome(() => handle(client, c), { tally });
  });

/** An in-memory store of consumed states and codes, for one run. */
function freshStateStore(): StateStore {
  const seen = new Set<string>();
  return { consume: async (key) => !seen.has(key) && seen.add(key).has(key) };
}

/** The URL as a string, or as a `URL` object when it parses (both are accepted). */
function input(c: CallbackCase): string | URL {
  if (c.asUrl && URL.canParse(c.url)) {
    return new URL(c.url);
  }
  return c.url;
}

describe('handleCallback: arbitrary callback URLs', () => {
  it('tokens, or a typed error (CallbackError before anything is redeemed)', async () => {
    const tally = new Tally();
    await fuzz(callbackProperty((client, c) => client.handleCallback(input(c), c.checks), tally));
    console.log(`callback: ${tally}`);
    tally.expectReached(['result', 'state_mismatch', 'missing_code', 'duplicate_parameter', 'iss_mismatch']);
  });

  it('sanity: the property catches a callback handler that throws a TypeError', async () => {
    await expectPropertyToFail(
      callbackProperty(async (client, c) => {
        const tokens = await client.handleCallback(input(c), c.checks).catch(() => undefined);
        if (tokens === undefined) {
          throw new TypeError('broken handler');
        }
        return tokens;
      }),
    );
  });
});
