// The harness itself: it must report every kind of escape, or no property built on it can fail.
import { ConfigurationError } from '@keyway/core';
import { TokenStoreError } from '@keyway/token-store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscapeFound, expectTypedOutcome, isKeywayError, outcomeOf } from '../src/outcome.ts';
import { expectPropertyToFail } from '../src/runs.ts';
import { SANITY_MARKER } from '../src/unhandled.ts';

describe('outcome harness', () => {
  it('accepts a result and a typed Keyway error', async () => {
    expect((await outcomeOf(() => 42)).kind).toBe('result');
    expect((await outcomeOf(async () => 'ok')).kind).toBe('result');
    const typed = await outcomeOf(() => {
      throw new ConfigurationError('bad', { code: 'x' });
    });
    expect(typed.kind).toBe('typed');
  });

  it('reports a synchronous TypeError as an escape, with its stack', async () => {
    const error = await expectTypedOutcome(() => {
      throw new TypeError('Cannot read properties of undefined');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EscapeFound);
    expect((error as Error).message).toMatch(/^ESCAPE \(untyped exception\): TypeError: Cannot read properties/);
    expect((error as Error).message).toMatch(/\n\s+at /);
  });

  it('reports an asynchronous SyntaxError, a DOMException and a thrown string as escapes', async () => {
    for (const thrown of [new SyntaxError('Unexpected token'), new DOMException('nope', 'DataError'), 'boom']) {
      const outcome = await outcomeOf(async () => {
        await Promise.resolve();
        throw thrown;
      });
      expect(outcome.kind).toBe('escape');
    }
  });

  it('counts an error as typed only when `isTyped` says so', async () => {
    class ForeignError extends Error {}
    const fail = () => {
      throw new ForeignError('x');
    };
    expect((await outcomeOf(fail)).kind).toBe('escape');
    expect((await outcomeOf(fail, { isTyped: (e) => e instanceof ForeignError })).kind).toBe('typed');
    const storeError = () => {
      throw new TokenStoreError('x', { code: 'invalid_key' });
    };
    expect((await outcomeOf(storeError, { isTyped: isKeywayError })).kind).toBe('typed');
  });

  it('reports a call that never settles as a hang', async () => {
    const outcome = await outcomeOf(() => new Promise(() => {}), { timeoutMs: 50 });
    expect(outcome).toEqual({ kind: 'hang', timeoutMs: 50 });
  });

  it('reports an unhandled rejection left behind by a call that returned a result', async () => {
    const outcome = await outcomeOf(() => {
      Promise.reject(new Error(`${SANITY_MARKER} left behind`));
      return 'looks fine';
    });
    expect(outcome.kind).toBe('unhandled');
    expect(outcome.kind === 'unhandled' && outcome.settled.kind).toBe('result');
  });

  it('reports what `inspect` throws about a typed error as a violation', async () => {
    const outcome = await outcomeOf(
      () => {
        throw new ConfigurationError('bad');
      },
      {
        inspect: () => {
          throw new TypeError('response cannot be built');
        },
      },
    );
    expect(outcome.kind).toBe('violated');
  });

  it('makes a fast-check property fail, and shrink, on the first input that escapes', async () => {
    const error = await expectPropertyToFail(
      fc.asyncProperty(fc.integer(), (n) =>
        expectTypedOutcome(() => {
          if (n > 10) {
            throw new RangeError(`too big: ${n}`);
          }
          return n;
        }),
      ),
      200,
    );
    expect(String((error as Error).message)).toContain('RangeError: too big: 11');
  });
});
