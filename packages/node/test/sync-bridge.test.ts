import { KeywayError, KeywayTimeoutError, NotFoundError } from '@keyway/core';
import { EdgeAuthError } from '@keyway/edge';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncWorkerError } from '../src/sync/errors.js';
import { SyncBridge } from '../src/sync/internal/bridge.js';
import { fixtureUrl, thrown } from './sync-helpers.js';

const workerUrl = new URL('../dist/sync/worker.js', import.meta.url);
const bridges: SyncBridge[] = [];

function bridge(handlers = fixtureUrl('bridge-handlers.mjs')): SyncBridge {
  const made = new SyncBridge({ workerUrl, handlers });
  bridges.push(made);
  return made;
}

afterEach(() => {
  for (const made of bridges.splice(0)) {
    made.close();
  }
});

describe('SyncBridge (the built worker with a fixture handler table)', () => {
  it('returns plain data and reuses one worker', () => {
    const sync = bridge();
    expect(sync.call('echo', { a: [1, 'two'], b: null }, 5_000)).toEqual({ a: [1, 'two'], b: null });
    const first = sync.call('threadId', undefined, 5_000);
    expect(sync.call('threadId', undefined, 5_000)).toBe(first);
  });

  it('rebuilds the thrown class: KeywayApiError subclasses and built-in errors', () => {
    const sync = bridge();
    const notFound = thrown(() => sync.call('notFound', undefined, 5_000));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ status: 404, requestId: 'req_fixture', code: 'not_found' });
    const typeError = thrown(() => sync.call('typeError', undefined, 5_000));
    expect(typeError).toBeInstanceOf(TypeError);
    expect((typeError as Error).message).toBe('bad input');
  });

  it('rebuilds an error of a package it does not import (EdgeAuthError) by its brand, with its fields', () => {
    const error = thrown(() => bridge().call('edgeAuth', undefined, 5_000));
    expect(EdgeAuthError.is(error)).toBe(true);
    expect(KeywayError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(KeywayError);
    expect(error).toMatchObject({
      name: 'EdgeAuthError',
      code: 'invalid_token',
      message: 'The access token expired.',
      reason: 'token_expired',
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });
    expect((error as Error).stack).toContain('sync-bridge.test.ts');
  });

  it('turns a worker that exits into SyncWorkerError, and starts a new one on the next call', () => {
    const sync = bridge();
    const before = sync.call('threadId', undefined, 5_000);
    const error = thrown(() => sync.call('exit', undefined, 5_000));
    expect(error).toBeInstanceOf(SyncWorkerError);
    expect(error).toMatchObject({ code: 'sync_worker_crashed' });
    expect((error as Error).message).toContain('exit code 7');
    expect(sync.call('threadId', undefined, 5_000)).not.toBe(before);
  });

  it('reports an uncaught exception in the worker with the error as cause', () => {
    const sync = bridge();
    const started = performance.now();
    const error = thrown(() => sync.call('uncaught', undefined, 5_000));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(SyncWorkerError.is(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    expect(((error as Error).cause as Error).message).toBe('stray failure');
    expect(sync.call('echo', 'again', 5_000)).toBe('again');
  });

  it('times out a call, discards the busy worker and answers the next call from a fresh one', () => {
    const sync = bridge();
    const before = sync.call('threadId', undefined, 5_000);
    const error = thrown(() => sync.call('sleep', 2_000, 100));
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect(error).toMatchObject({ code: 'sync_timeout', timeout: 100 });
    expect(sync.call('threadId', undefined, 5_000)).not.toBe(before);
    expect(sync.call('sleep', 10, 5_000)).toBe(10);
  });

  it('refuses arguments and results that cannot be cloned', () => {
    const sync = bridge();
    expect(thrown(() => sync.call('echo', { fn: () => 1 }, 5_000))).toMatchObject({
      code: 'sync_uncloneable_argument',
    });
    const result = thrown(() => sync.call('uncloneable', undefined, 5_000));
    expect((result as Error).name).toBe('DataCloneError');
    expect(sync.call('echo', 1, 5_000)).toBe(1);
  });

  it('reports an unknown operation and a handler module that does not load', () => {
    expect((thrown(() => bridge().call('nope', undefined, 5_000)) as Error).message).toContain(
      'Unknown sync operation',
    );
    const broken = bridge(fixtureUrl('does-not-exist.mjs'));
    expect((thrown(() => broken.call('echo', 1, 5_000)) as Error).message).toContain('does-not-exist.mjs');
  });

  it('says so when the worker file is missing', () => {
    const missing = new SyncBridge({ workerUrl: new URL('./no-such-worker.js', import.meta.url) });
    expect(thrown(() => missing.call('echo', 1, 5_000))).toMatchObject({ code: 'sync_worker_missing' });
  });
});
