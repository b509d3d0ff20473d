// Target 7: stored token files. FileTokenStore({ path }) over an arbitrary file written to a temp dir
// (any text, any JSON, near-valid store documents, bytes that are not UTF-8), then get/keys/set/delete.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '@keyway/token-store/file';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { tokenDocument } from '../src/documents.ts';
import { bodyText, edgeNumber, JsonEntries, mutatedObject, NASTY_KEYS, oddValue, toJsonText } from '../src/json.ts';
import { expectTypedOutcome, isKeywayError } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

const root = mkdtempSync(join(tmpdir(), 'keyway-fuzz-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY = 'keyway:v1:iss=https%3A%2F%2Fissuer.fuzz.test:cid=cli';
const keyName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(KEY, 'k') },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_KEYS) },
  { weight: 1, arbitrary: anyString },
);

/** A stored entry: `{ value: <token set>, expiresAt? }`, mutated. */
const entry = mutatedObject(
  { value: { access_token: 'at', token_type: 'Bearer', refresh_token: 'rt' }, expiresAt: 4_102_444_800_000 },
  { value: fc.oneof(tokenDocument, oddValue), expiresAt: fc.oneof(edgeNumber, oddValue) },
);

/** A store document `{ version: 1, entries: { ... } }`, mutated. */
const storeDocument = fc
  .array(fc.tuple(keyName, entry), { maxLength: 4 })
  .chain((entries) =>
    mutatedObject(
      { version: 1, entries: new JsonEntries(entries) },
      { version: fc.oneof(fc.constantFrom(1, 2, 0, '1', 1.5, -1, 2 ** 53, null), edgeNumber), entries: oddValue },
    ),
  );

/** What is at the token file's path. */
type FileContent =
  | { kind: 'none' }
  | { kind: 'dir' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

/** File content: none, text, JSON, a near-valid document (most), bytes, a BOM, a cut document. */
const fileContent: fc.Arbitrary<
  { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'dir' }
> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'dir' as const }) },
  { weight: 3, arbitrary: bodyText().map((text) => ({ kind: 'text' as const, text })) },
  { weight: 8, arbitrary: storeDocument.map((doc) => ({ kind: 'text' as const, text: toJsonText(doc) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(storeDocument, fc.nat(), fc.constantFrom('\ufeff', '', ' \n')).map(([doc, cut, prefix]) => {
      const text = toJsonText(doc);
      return { kind: 'text' as const, text: prefix + text.slice(0, cut % (text.length + 1)) };
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
);

type Op =
  | { op: 'get'; key: string }
  | { op: 'keys' }
  | { op: 'set'; key: string; value: unknown; ttl: unknown }
  | { op: 'delete'; key: string };

const storedValue = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ access_token: 'at2', token_type: 'Bearer', expires_at: 4_102_444_800 }) },
  { weight: 2, arbitrary: tokenDocument.map((doc) => JSON.parse(toJsonText(doc)) as unknown) },
  { weight: 1, arbitrary: fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true }) },
  { weight: 1, arbitrary: fc.record({ access_token: fc.constant('x'), nested: fc.anything({ withBigInt: true }) }) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: keyName }),
  fc.record({ op: fc.constant('keys' as const) }),
  fc.record({
    op: fc.constant('set' as const),
    key: keyName,
    value: storedValue,
    ttl: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.oneof(edgeNumber, oddValue) },
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), key: keyName }),
);

let cases = 0;

/** Writes `content` at a fresh path; returns the path. */
async function prepare(content: FileContent): Promise<string> {
  const dir = join(root, `case-${++cases}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'tokens.json');
  if (content.kind === 'text') {
    await writeFile(path, content.text);
  } else if (content.kind === 'bytes') {
    await writeFile(path, content.bytes);
  } else if (content.kind === 'dir') {
    await mkdir(path);
  }
  return path;
}

function run(store: FileTokenStore, step: Op): Promise<unknown> {
  switch (step.op) {
    case 'get':
      return store.get(step.key);
    case 'keys':
      return store.keys();
    case 'set':
      return store.set(
        step.key,
        step.value as never,
        step.ttl === undefined ? undefined : ({ ttl: step.ttl } as never),
      );
    case 'delete':
      return store.delete(step.key);
  }
}

const fileProperty = (apply: (store: FileTokenStore, step: Op) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(fileContent, fc.array(op, { minLength: 1, maxLength: 4 }), async (content, steps) => {
    const path = await prepare(content);
    const corrupt: unknown[] = [];
    const store = new FileTokenStore({
      path,
      lockTimeoutMs: 3_000,
      onCorrupt: (error) => {
        corrupt.push(error);
        tally?.counts.set('moved_aside', (tally.counts.get('moved_aside') ?? 0) + 1);
      },
    });
    try {
      for (const step of steps) {
        await expectTypedOutcome(() => apply(store, step), { isTyped: isKeywayError, tally, input: step });
      }
    } finally {
      await rm(join(path, '..'), { recursive: true, force: true });
    }
  });

describe('FileTokenStore over an arbitrary token file', () => {
  it('get/keys/set/delete: a result or a TokenStoreError', async () => {
    const tally = new Tally();
    await fuzz(fileProperty(run, tally));
    console.log(`token file: ${tally}`);
    tally.expectReached(['result', 'moved_aside', 'invalid_value', 'unsupported_version']);
  });

  it('sanity: the property catches a store that throws a SyntaxError', async () => {
    await expectPropertyToFail(
      fileProperty(async (store, step) => {
        if (step.op === 'get') {
          throw new SyntaxError('broken store');
        }
        return run(store, step);
      }),
    );
  });
});
