// Target 9: token-store keys. `parseTokenKey` reads keys back from any store (a file, Redis, KV), so it
// must take any string; `tokenKey` builds them from options and discovery data.
import { parseTokenKey, type TokenKeyParts, tokenKey } from '@keyway/token-store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedOutcome, isKeywayError } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString, percentGarbage } from '../src/strings.ts';

/**
 * What was reported so far (see README): a lone surrogate meets encodeURIComponent; a non-string scope;
 * keys that do not parse back (an issuer that normalises to '', or to a different string the second time).
 */
const KNOWN =
  /URIError: URI malformed|scope\.split is not a function|cannot read back the key tokenKey made: keyway:v1:iss=:/;

const LABELS = ['iss', 'cid', 'aud', 'scp', 'sub', 'xyz', '', 'ISS'];

/** Strings shaped like keys: the prefix, labelled fields in any order, repeated, with any values. */
const keyLike = fc.oneof(
  anyString,
  fc
    .tuple(
      fc.constantFrom('keyway:v1:', 'keyway:v1', 'keyway:v2:', 'KEYWAY:v1:', ''),
      fc.array(
        fc.tuple(
          fc.constantFrom(...LABELS),
          fc.constantFrom('=', '', '=='),
          fc.oneof(anyString, percentGarbage, fc.webUrl().map(encodeURIComponent)),
        ),
        { maxLength: 7 },
      ),
    )
    .map(([prefix, fields]) => prefix + fields.map(([label, eq, value]) => `${label}${eq}${value}`).join(':')),
  // Real keys, then cut or spliced.
  fc.tuple(fc.webUrl(), fc.string({ minLength: 1 }), fc.nat(), anyString).map(([issuer, clientId, cut, splice]) => {
    const key = tokenKey({ issuer, clientId });
    return key.slice(0, cut % (key.length + 1)) + splice + key.slice(cut % (key.length + 1));
  }),
);

/** Parts with string values of any content. */
const stringParts: fc.Arbitrary<TokenKeyParts> = fc.record(
  {
    issuer: fc.oneof(anyString, fc.webUrl({ withQueryParameters: true, withFragments: true })),
    clientId: anyString,
    audience: anyString,
    scope: fc.oneof(
      anyString,
      fc.array(anyString).map((s) => s.join(' ')),
    ),
    subject: anyString,
  },
  { requiredKeys: ['issuer', 'clientId'] },
);

/** Parts as untyped JavaScript might pass them (values read from JSON config): any type. */
const untypedParts = fc.record(
  {
    issuer: fc.oneof(anyString, fc.anything()),
    clientId: fc.oneof(anyString, fc.anything()),
    audience: fc.anything(),
    scope: fc.anything(),
    subject: fc.anything(),
  },
  { requiredKeys: [] },
);

/** The property every parseTokenKey case is held to; `parse` is swappable for the sanity check. */
const parseProperty = (parse: (key: string) => unknown) =>
  fc.asyncProperty(keyLike, (key) =>
    expectTypedOutcome(() => parse(key), {
      isTyped: isKeywayError,
      known: KNOWN,
      inspect: (outcome) => {
        // The documented round trip: parts that came back rebuild the very same key.
        const parts = outcome.kind === 'result' ? (outcome.value as TokenKeyParts | undefined) : undefined;
        if (parts !== undefined && tokenKey(parts) !== key) {
          throw new Error(`parseTokenKey(${JSON.stringify(key)}) gave parts that do not rebuild the key`);
        }
      },
    }),
  );

describe('parseTokenKey (arbitrary strings)', () => {
  it('returns parts or undefined, never throws', async () => {
    // Escape found by this property (shrunk; fixed in f22c3ad, kept as a regression example): a lone
    // surrogate in a field made tokenKey's re-encoding throw.
    await fuzz(parseProperty(parseTokenKey), { examples: [['keyway:v1:iss=\ud800:cid=a']] });
  });

  it('sanity: the property catches a parser that throws a TypeError', async () => {
    const broken = (key: string) => {
      if (key.includes('%')) {
        throw new TypeError('broken parser');
      }
      return parseTokenKey(key);
    };
    await expectPropertyToFail(parseProperty(broken), 500);
  });
});

describe('tokenKey (arbitrary parts)', () => {
  const buildProperty = <T>(parts: fc.Arbitrary<T>, build: (parts: T) => unknown) =>
    fc.asyncProperty(parts, (value) =>
      expectTypedOutcome(() => build(value), { isTyped: isKeywayError, known: KNOWN }),
    );

  it('string parts of any content: a key (that parses back) or TokenStoreError', async () => {
    const examples: Array<[TokenKeyParts]> = [
      // Escape found by this property (shrunk): encodeURIComponent throws URIError on a lone surrogate.
      [{ issuer: '!', clientId: ' ', scope: '\udfff' }],
      // Violations (shrunk, then reduced): parseTokenKey promises to read back every key tokenKey makes.
      // An issuer that normalises to '' gives `keyway:v1:iss=:cid=c`, which parseTokenKey refuses;
      [{ issuer: '/', clientId: 'c' }],
      // trailing slashes are dropped after the trim, so `a /` keys as `a ` and re-normalises to `a`.
      [{ issuer: 'a /', clientId: 'c' }],
    ];
    await fuzz(
      fc.asyncProperty(stringParts, (parts) =>
        expectTypedOutcome(() => tokenKey(parts), {
          isTyped: isKeywayError,
          known: KNOWN,
          inspect: (outcome) => {
            if (outcome.kind === 'result' && parseTokenKey(outcome.value as string) === undefined) {
              throw new Error(`parseTokenKey cannot read back the key tokenKey made: ${String(outcome.value)}`);
            }
          },
        }),
      ),
      { examples },
    );
  });

  it('parts of any type (untyped callers, JSON config): a key or TokenStoreError', async () => {
    // Escape found by this property (shrunk): a scope that is not a string reaches `scope.split`.
    await fuzz(
      buildProperty(untypedParts, (parts) => tokenKey(parts as unknown as TokenKeyParts)),
      {
        examples: [[{ issuer: 'x', clientId: 'y', scope: {} }]],
      },
    );
  });

  it('sanity: the property catches a builder that throws a TypeError', async () => {
    await expectPropertyToFail(
      buildProperty(stringParts, (parts) => {
        if (parts.scope !== undefined) {
          throw new TypeError('broken builder');
        }
        return tokenKey(parts);
      }),
    );
  });

  it('keeps the documented normalisation (a pinned example)', () => {
    expect(tokenKey({ issuer: 'HTTPS://Auth.Example.com:443/', clientId: 'cli', scope: 'write read read' })).toBe(
      tokenKey({ issuer: 'https://auth.example.com', clientId: 'cli', scope: 'read write' }),
    );
  });
});
