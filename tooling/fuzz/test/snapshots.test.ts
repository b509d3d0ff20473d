// Target 8: cache snapshots. core restoreOAuthCache(snapshot, { fetch }) and edge restore(value,
// { fetch, store }) with arbitrary values, then the caches they filled in use: a verification that
// relies on the restored metadata and keys (the network answers 503), and a new snapshot.
import { createAccessTokenVerifier, restoreOAuthCache, snapshotOAuthCache } from '@keyway/core';
import { createVerifier, restore, snapshot } from '@keyway/edge';
import { MemoryTokenStore } from '@keyway/token-store';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { tokenDocument } from '../src/documents.ts';
import { AUDIENCE, accessClaims, ENDPOINTS, ISSUER, METADATA } from '../src/issuer.ts';
import { edgeNumber, JsonEntries, mostlyValid, mutatedObject, oddValue, toJsonText } from '../src/json.ts';
import { buildJws, type KeyRing, keyRing } from '../src/jwt.ts';
import { expectTypedOutcome, isKeywayError } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

let keys: KeyRing;
let token: string;
beforeAll(async () => {
  keys = await keyRing();
  token = await buildJws(
    {
      header: { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' },
      payload: accessClaims({ exp: Math.floor(Date.now() / 1000) + 86_400 }),
      key: 0,
      signature: 'valid',
      randomSignature: new Uint8Array(),
      mutation: { kind: 'none' },
    },
    keys,
  );
});

const fetchedAt = fc.oneof(
  { weight: 8, arbitrary: fc.constant(null).map(() => Date.now() - 1_000) },
  { weight: 1, arbitrary: fc.oneof(edgeNumber, fc.constantFrom(0, Date.now() + 86_400_000, -1), oddValue) },
);

/** A discovery entry of a core snapshot, mutated. */
const discoveryEntry = mostlyValid(
  { issuer: ISSUER, metadata: METADATA, fetchedAt: 0 },
  {
    issuer: fc.constantFrom(`${ISSUER}/`, '', 'https://other.example'),
    metadata: fc.oneof(
      mutatedObject(METADATA, { jwks_uri: fc.oneof(oddValue, fc.constantFrom('javascript:x', '')) }),
      oddValue,
    ),
    fetchedAt,
  },
).chain((entry) => fetchedAt.map((at) => withDefault(entry, 'fetchedAt', at)));

/** A JWKS entry of a core snapshot, mutated (keys of any shape). */
const jwksEntry = () =>
  fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: fc.nat(3).map((i) => keys.issuer[i]!.publicJwk) },
        {
          weight: 2,
          arbitrary: fc.nat(3).chain((i) => mutatedObject(keys.issuer[i]!.publicJwk as Record<string, unknown>)),
        },
        { weight: 1, arbitrary: oddValue },
        { weight: 1, arbitrary: fc.constant({ kty: 'oct', k: 'c2VjcmV0' }) },
      ),
      { maxLength: 5 },
    )
    .chain((list) =>
      mutatedObject(
        { uri: ENDPOINTS.jwks, keys: list, fetchedAt: 0 },
        { uri: fc.constantFrom('', `${ISSUER}/other`), fetchedAt },
      ),
    )
    .chain((entry) => fetchedAt.map((at) => withDefault(entry, 'fetchedAt', at)));

/** Puts `value` in place of an unchanged `name` (the base holds a placeholder made when the case runs). */
function withDefault(entry: JsonEntries, name: string, value: unknown): JsonEntries {
  return new JsonEntries(entry.entries.map(([k, v]) => (k === name && v === 0 ? [k, value] : [k, v])));
}

/** A core snapshot `{ version: 1, discovery: [...], jwks: [...] }`: as snapshotOAuthCache() writes it, or mutated. */
const coreSnapshot = () =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constant(null).map(
        () =>
          new JsonEntries([
            ['version', 1],
            ['discovery', [{ issuer: ISSUER, metadata: METADATA, fetchedAt: Date.now() - 1_000 }]],
            [
              'jwks',
              [{ uri: ENDPOINTS.jwks, keys: keys.issuer.map((key) => key.publicJwk), fetchedAt: Date.now() - 1_000 }],
            ],
          ]),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.array(discoveryEntry, { maxLength: 2 }), fc.array(jwksEntry(), { maxLength: 2 }))
        .chain(([discovery, jwks]) =>
          mostlyValid(
            { version: 1, discovery, jwks },
            { version: fc.constantFrom(2, '1', 0, null), discovery: oddValue, jwks: oddValue },
          ),
        ),
    },
  );

/** An edge snapshot `{ version: 1, oauth: <core snapshot>, tokens: [...] }`, mutated. */
const edgeSnapshot = () =>
  fc
    .tuple(
      coreSnapshot(),
      fc.array(
        mostlyValid(
          { key: 'keyway:v1:iss=x:cid=y', value: { access_token: 'at', expires_at: 4_102_444_800 } },
          { key: fc.oneof(anyString, oddValue), value: fc.oneof(tokenDocument, oddValue) },
        ),
        { maxLength: 3 },
      ),
    )
    .chain(([oauth, tokens]) =>
      mutatedObject(
        { version: 1, oauth, tokens },
        { version: fc.constantFrom(2, '1'), oauth: oddValue, tokens: oddValue },
      ),
    );

/** A snapshot as restore() may get it: the object, its JSON text, null/undefined, anything at all. */
const snapshotInput = (document: fc.Arbitrary<JsonEntries>) =>
  fc.oneof(
    { weight: 4, arbitrary: document.map((doc) => JSON.parse(toJsonText(doc)) as unknown) },
    { weight: 2, arbitrary: document.map(toJsonText) },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, '', 'null', '{}', '[]') },
    {
      weight: 1,
      arbitrary: fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
      }),
    },
    { weight: 1, arbitrary: anyString },
  );

/** A network that is down: only restored caches can verify. */
const offline = () => async () => new Response('down', { status: 503 });

const coreProperty = (
  restoreIt: (value: unknown, fetch: ReturnType<typeof offline>) => unknown,
  tally?: Tally,
  used?: Tally,
) =>
  fc.asyncProperty(snapshotInput(coreSnapshot()), async (value) => {
    const fetch = offline();
    await expectTypedOutcome(() => restoreIt(value, fetch), { tally });
    // Whatever was restored is now in the caches: using them must also end in a result or a typed error.
    await expectTypedOutcome(() => snapshotOAuthCache({ fetch }));
    const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, fetch, retry: false });
    await expectTypedOutcome(() => verifier.verify(token), { tally: used });
  });

const restoreCore = (value: unknown, fetch: ReturnType<typeof offline>) =>
  restoreOAuthCache(value as Parameters<typeof restoreOAuthCache>[0], { fetch });

describe('core restoreOAuthCache(snapshot)', () => {
  it('restores or throws ConfigurationError; the restored caches verify or fail typed', async () => {
    const [tally, used] = [new Tally(), new Tally()];
    await fuzz(coreProperty(restoreCore, tally, used));
    console.log(`core snapshot: restore ${tally}; then verify ${used}`);
    tally.expectReached(['result', 'invalid_snapshot']);
    used.expectReached(['result', 'discovery_failed']);
  });

  it('sanity: the property catches a restore that throws a TypeError', async () => {
    await expectPropertyToFail(
      coreProperty((value, fetch) => {
        if (typeof value === 'string') {
          throw new TypeError('broken restore');
        }
        return restoreCore(value, fetch);
      }),
    );
  });
});

const edgeProperty = (
  restoreIt: (value: unknown, fetch: ReturnType<typeof offline>, store: MemoryTokenStore) => Promise<unknown>,
  tally?: Tally,
  used?: Tally,
) =>
  fc.asyncProperty(snapshotInput(fc.oneof(edgeSnapshot(), coreSnapshot())), async (value) => {
    const fetch = offline();
    const store = new MemoryTokenStore();
    await expectTypedOutcome(() => restoreIt(value, fetch, store), { tally, isTyped: isKeywayError });
    await expectTypedOutcome(() => snapshot({ fetch }));
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, fetch, retry: false });
    await expectTypedOutcome(() => verifier.verify(token), { tally: used });
  });

const restoreEdge = (value: unknown, fetch: ReturnType<typeof offline>, store: MemoryTokenStore) =>
  restore(value as Parameters<typeof restore>[0], { fetch, store });

describe('edge restore(value, { fetch, store })', () => {
  it('restores or throws a typed error; the restored caches verify or fail typed', async () => {
    const [tally, used] = [new Tally(), new Tally()];
    await fuzz(edgeProperty(restoreEdge, tally, used));
    console.log(`edge snapshot: restore ${tally}; then verify ${used}`);
    tally.expectReached(['result', 'invalid_snapshot']);
    used.expectReached(['result', 'unavailable']);
  });

  it('sanity: the property catches a restore that throws a TypeError', async () => {
    await expectPropertyToFail(
      // Thrown for every input, so the check does not depend on the generator drawing a particular value.
      edgeProperty(async () => {
        throw new TypeError('broken restore');
      }),
      300,
    );
  });
});
