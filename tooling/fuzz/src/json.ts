/**
 * JSON documents for the parsers: any JSON, any JavaScript value forced into JSON, and near-valid
 * objects whose fields are mutated one by one. Serialised by hand, so a document can hold what
 * `JSON.stringify` never writes but `JSON.parse` reads: an own `__proto__` key, duplicate keys,
 * `1e999` (Infinity), deep nesting.
 */
import fc from 'fast-check';
import { anyString } from './strings.ts';

/** Raw JSON text placed as is (e.g. `1e999`, which parses to Infinity). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object given as its entries: keys may repeat and may be `__proto__`. */
export class JsonEntries {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/** Marks a field to drop from a near-valid object. */
export const OMIT: unique symbol = Symbol('omit');

/** Serialises `value`: RawJson and JsonEntries as described, anything JSON cannot hold as `null`. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) {
    return value.text;
  }
  if (value instanceof JsonEntries) {
    return `{${value.entries
      .filter(([, v]) => v !== OMIT)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(toJsonText).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== OMIT && v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) {
    return toJsonText(new JsonEntries(Object.entries(value)));
  }
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/** Keys that trip naive object handling. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
  'toJSON',
  '',
] as const;

/** Numbers at the edges: huge, negative, fractional, unsafe integers, and Infinity/-Infinity/-0 as raw text. */
export const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324),
  fc.constantFrom(new RawJson('1e999'), new RawJson('-1e999'), new RawJson('-0'), new RawJson('1E+400')),
  fc.double(),
  fc.integer(),
);

/** Strings that look like numbers, or like something else a lenient parser would take. */
export const numberishString = fc.constantFrom(
  '3600',
  '1e3',
  '0x10',
  '-1',
  ' 60',
  '60 ',
  'NaN',
  'Infinity',
  '',
  '٣٦٠٠',
  '3600.5',
  '99999999999999999999999',
  '007',
  '1_000',
);

/** Any JSON value (with odd numbers, nasty keys and odd strings mixed in). */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    edgeNumber,
    anyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(anyString, fc.constantFrom(...NASTY_KEYS)), tie('value')), { maxLength: 5 })
      .map((entries) => new JsonEntries(entries)),
  ),
})).value;

/** Values of a field that should hold something else: every JSON type, numbers at the edges, numberish strings. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, '', ' ', [], {}, [[]], { a: {} }, ['a', 'b'], [1]),
  edgeNumber,
  numberishString,
  anyString,
  jsonValue,
);

/** Nested arrays/objects deep enough to hurt a recursive walker. */
export const deepJson = fc
  .tuple(fc.constantFrom(64, 1_000, 20_000), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => new RawJson(`${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`));

/**
 * A near-valid object: `base` with no field changed (often), one field changed (most often), or
 * several; a changed field is dropped, given an odd value, or given one of its own candidates (fields
 * that only have candidates are added that way). Maybe extra fields with nasty keys.
 */
export function mutatedObject(
  base: Record<string, unknown>,
  candidates: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<JsonEntries> {
  const fields = Object.keys({ ...base, ...candidates });
  const replacement = (name: string): fc.Arbitrary<unknown> => {
    const own = candidates[name];
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(OMIT) },
      { weight: 2, arbitrary: oddValue },
      ...(own ? [{ weight: 4, arbitrary: own }] : []),
    );
  };
  const changed = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 5, arbitrary: fc.subarray(fields, { minLength: 1, maxLength: 1 }) },
    ...(fields.length >= 2 ? [{ weight: 2, arbitrary: fc.subarray(fields, { minLength: 2 }) }] : []),
  );
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant<Array<[string, unknown]>>([]) },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS, ...fields), anyString), oddValue), {
        minLength: 1,
        maxLength: 3,
      }),
    },
  );
  return fc.tuple(changed, extra).chain(([names, more]) =>
    fc.tuple(...names.map(replacement)).map((values) => {
      const entries = fields
        .filter((name) => name in base || names.includes(name))
        .map((name) => {
          const i = names.indexOf(name);
          return [name, i < 0 ? base[name] : values[i]] as const;
        });
      return new JsonEntries([...entries, ...more]);
    }),
  );
}

/** `base` as is `keep` times in `keep + 1`, else mutated: for parts of a bigger document. */
export function mostlyValid(
  base: Record<string, unknown>,
  candidates: Record<string, fc.Arbitrary<unknown>> = {},
  keep = 5,
): fc.Arbitrary<JsonEntries> {
  return fc.oneof(
    { weight: keep, arbitrary: fc.constant(new JsonEntries(Object.entries(base))) },
    { weight: 1, arbitrary: mutatedObject(base, candidates) },
  );
}

/** Any JavaScript value fast-check can make, forced into JSON text (bigints, undefined and cycles become null). */
export const anythingAsJsonText = fc
  .anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true })
  .map((value) => {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return 'null';
    }
  });

/** Body text: garbage, any JSON, or the given near-valid documents (most weight). */
export function bodyText(nearValid: fc.Arbitrary<unknown>[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: anyString },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: anythingAsJsonText },
    { weight: 2, arbitrary: jsonValue.map(toJsonText) },
    { weight: 1, arbitrary: deepJson.map(toJsonText) },
    { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{}', '"x"', '1e999', '{"a":1', '\ufeff{}', 'true') },
    ...(nearValid.length > 0 ? [{ weight: 8, arbitrary: fc.oneof(...nearValid).map(toJsonText) }] : []),
  );
}
