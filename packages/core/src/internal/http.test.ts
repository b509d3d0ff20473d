import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  type KeywayError,
  KeywayTimeoutError,
} from '../errors.js';
import { type FetchLike, HttpClient } from './http.js';
import { parseRetryAfter } from './retry-after.js';
import { VERSION } from './version.js';

type Call = { url: string; method: string; headers: Headers; body: string | null };

/** A scripted fetch: each call takes the next step (a Response factory or an error). */
function scripted(steps: Array<() => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init) => {
    const headers = new Headers(init?.headers);
    const body = init?.body == null ? null : String(init.body);
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers, body });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]!;
    return step();
  };
  return { fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const fast = { initialDelay: 1, maxDelay: 4 };

afterEach(() => {
  vi.useRealTimers();
});

describe('HttpClient: redirects', () => {
  it.each([301, 302, 303, 307, 308])('never follows a %s: InvalidResponseError unexpected_redirect', async (status) => {
    const { fetch, calls } = scripted([
      () => new Response(null, { status, headers: { location: 'https://elsewhere.example.test/token' } }),
    ]);
    const error = await new HttpClient({ fetch })
      .send({ url: 'https://op.example.test/token', method: 'POST', body: 'code=c', retry: true })
      .catch((e: unknown) => e);
    expect(InvalidResponseError.is(error)).toBe(true);
    expect((error as InvalidResponseError).code).toBe('unexpected_redirect');
    expect((error as InvalidResponseError).status).toBe(status);
    expect(calls.map((call) => call.url)).toEqual(['https://op.example.test/token']);
  });

  it('passes a 304 through as an answer', async () => {
    const { fetch } = scripted([() => new Response(null, { status: 304 })]);
    expect((await new HttpClient({ fetch }).send({ url: 'https://op.example.test/x' })).status).toBe(304);
  });
});

describe('HttpClient', () => {
  it('sends the client header and returns a buffered response', async () => {
    const { fetch, calls } = scripted([json(200, { ok: true })]);
    const http = new HttpClient({ fetch, userAgent: 'my-app/1.2' });
    const response = await http.send({ url: 'https://api.test/x' });
    expect(await response.json()).toEqual({ ok: true });
    expect(calls[0]!.headers.get('x-keyway-client')).toBe(`keyway-core/${VERSION} my-app/1.2`);
  });

  it('retries a safe request on 503 and then succeeds', async () => {
    const { fetch, calls } = scripted([json(503, {}), json(503, {}), json(200, { ok: 1 })]);
    const http = new HttpClient({ fetch, retry: fast });
    const response = await http.send({ url: 'https://api.test/x', retry: true });
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(3);
  });

  it('gives up after maxRetries and returns the last response', async () => {
    const { fetch, calls } = scripted([json(502, {})]);
    const http = new HttpClient({ fetch, retry: { ...fast, maxRetries: 1 } });
    const response = await http.send({ url: 'https://api.test/x', retry: true });
    expect(response.status).toBe(502);
    expect(calls).toHaveLength(2);
  });

  it('never retries a request that is not marked retryable', async () => {
    const { fetch, calls } = scripted([json(503, {}), json(200, {})]);
    const http = new HttpClient({ fetch, retry: fast });
    const response = await http.send({ url: 'https://api.test/x', method: 'POST', body: 'a=1' });
    expect(response.status).toBe(503);
    expect(calls).toHaveLength(1);
  });

  it('does not retry 4xx other than 408 and 429', async () => {
    const { fetch, calls } = scripted([json(404, {}), json(200, {})]);
    const http = new HttpClient({ fetch, retry: fast });
    expect((await http.send({ url: 'https://api.test/x', retry: true })).status).toBe(404);
    expect(calls).toHaveLength(1);
  });

  it('honours Retry-After in seconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fetch, calls } = scripted([json(429, {}, { 'retry-after': '2' }), json(200, {})]);
    const http = new HttpClient({ fetch, retry: fast });
    const pending = http.send({ url: 'https://api.test/x', retry: true });
    await vi.advanceTimersByTimeAsync(1_990);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    expect((await pending).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('does not wait for a Retry-After far in the future', async () => {
    const { fetch, calls } = scripted([json(429, {}, { 'retry-after': '3600' }), json(200, {})]);
    const http = new HttpClient({ fetch, retry: fast });
    expect((await http.send({ url: 'https://api.test/x', retry: true })).status).toBe(429);
    expect(calls).toHaveLength(1);
  });

  it('turns a network failure into KeywayConnectionError and retries safe requests', async () => {
    const { fetch, calls } = scripted([() => Promise.reject(new TypeError('fetch failed')), json(200, { ok: true })]);
    const http = new HttpClient({ fetch, retry: fast });
    expect((await http.send({ url: 'https://api.test/x', retry: true })).status).toBe(200);
    expect(calls).toHaveLength(2);

    const failing = scripted([() => Promise.reject(new TypeError('fetch failed'))]);
    const noRetry = new HttpClient({ fetch: failing.fetch, retry: false });
    const error = await noRetry.send({ url: 'https://api.test/x', retry: true }).catch((e: unknown) => e);
    expect(KeywayConnectionError.is(error)).toBe(true);
    expect((error as KeywayError).code).toBe('connection_error');
    expect(failing.calls).toHaveLength(1);
  });

  it('times out while waiting for headers', async () => {
    const fetch: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const http = new HttpClient({ fetch, timeout: 20, retry: false });
    const error = await http.send({ url: 'https://api.test/x' }).catch((e: unknown) => e);
    expect(KeywayTimeoutError.is(error)).toBe(true);
    expect(KeywayConnectionError.is(error)).toBe(true);
    expect((error as KeywayTimeoutError).code).toBe('timeout');
    expect((error as KeywayTimeoutError).timeout).toBe(20);
  });

  it('times out while the body is still streaming', async () => {
    const fetch: FetchLike = async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"partial":'));
          // never closes
        },
      });
      return new Response(body, { status: 200 });
    };
    const http = new HttpClient({ fetch, timeout: 30, retry: false });
    const error = await http.send({ url: 'https://api.test/x' }).catch((e: unknown) => e);
    expect(KeywayTimeoutError.is(error)).toBe(true);
  });

  it("honours the caller's AbortSignal, before and during a request", async () => {
    const { fetch, calls } = scripted([json(200, {})]);
    const http = new HttpClient({ fetch });
    const aborted = AbortSignal.abort();
    const before = await http.send({ url: 'https://api.test/x', signal: aborted }).catch((e: unknown) => e);
    expect(KeywayAbortError.is(before)).toBe(true);
    expect(calls).toHaveLength(0);

    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const controller = new AbortController();
    const pending = new HttpClient({ fetch: hanging }).send({ url: 'https://api.test/x', signal: controller.signal });
    controller.abort();
    const during = await pending.catch((e: unknown) => e);
    expect(KeywayAbortError.is(during)).toBe(true);
    expect((during as KeywayError).code).toBe('aborted');
  });

  it('aborts the backoff sleep when the caller aborts', async () => {
    const { fetch, calls } = scripted([json(503, {})]);
    const controller = new AbortController();
    const http = new HttpClient({ fetch, retry: { initialDelay: 10_000, maxDelay: 10_000 } });
    const pending = http.send({ url: 'https://api.test/x', retry: true, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(KeywayAbortError.is(await pending.catch((e: unknown) => e))).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('refuses a body larger than maxResponseBytes', async () => {
    const { fetch } = scripted([() => new Response('x'.repeat(2_000), { status: 200 })]);
    const http = new HttpClient({ fetch, maxResponseBytes: 1_000 });
    const error = await http.send({ url: 'https://api.test/x' }).catch((e: unknown) => e);
    expect(InvalidResponseError.is(error)).toBe(true);
    expect((error as InvalidResponseError).code).toBe('response_too_large');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Thu, 01 Jan 2025 00:00:10 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('HttpClient: the buffered response describes its own body', () => {
  it.each(['-1', '999', 'abc'])('replaces a declared Content-Length of %s with the real one', async (declared) => {
    const { fetch } = scripted([
      () =>
        new Response('', { status: 200, headers: { 'content-length': declared, 'content-type': 'application/json' } }),
      () => new Response('{"a":1}', { status: 200, headers: { 'content-length': declared } }),
    ]);
    const client = new HttpClient({ fetch, maxResponseBytes: 10_000 });
    const empty = await client.send({ url: 'https://api.example.test/x' });
    expect(empty.headers.get('content-length')).toBe('0');
    const full = await client.send({ url: 'https://api.example.test/x' });
    expect(full.headers.get('content-length')).toBe('7');
    expect(await full.json()).toEqual({ a: 1 });
  });
});
