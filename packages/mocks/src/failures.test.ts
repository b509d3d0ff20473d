import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMockKeyway, type MockKeyway } from './index.js';

let mock: MockKeyway;
const validate = (init: RequestInit = {}) =>
  mock.fetch(`${mock.issuer}/api/v1/validate`, {
    ...init,
    headers: { authorization: `Bearer ${mock.apiToken}` },
  });

beforeEach(() => {
  mock = createMockKeyway();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('fail()', () => {
  it('answers 429 with Retry-After and a rate_limited problem', async () => {
    mock.fail('validateToken', { status: 429, retryAfter: 7, times: 1 });
    const res = await validate();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect((await validate()).status).toBe(200);
  });

  it('fails `times` requests, then lets them through (503 then success)', async () => {
    const rule = mock.fail('GET /api/v1/validate', { status: 503, times: 2 });
    expect((await validate()).status).toBe(503);
    expect((await validate()).status).toBe(503);
    expect((await validate()).status).toBe(200);
    expect(rule.hits).toBe(2);
  });

  it('fails every time until cleared when `times` is left out', async () => {
    const rule = mock.fail('*', { status: 500 });
    for (let i = 0; i < 3; i++) {
      expect(await (await validate()).json()).toMatchObject({ status: 500, code: 'internal_error' });
    }
    rule.clear();
    expect((await validate()).status).toBe(200);
  });

  it('serves an HTML error page as text/html', async () => {
    mock.fail('validateToken', { status: 502, body: '<html><body>Bad gateway</body></html>' });
    const res = await validate();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('Bad gateway');
  });

  it('sends a JSON body and custom headers as given', async () => {
    mock.fail('validateToken', { status: 418, body: { teapot: true }, headers: { 'X-Extra': '1' } });
    const res = await validate();
    expect(res.headers.get('x-extra')).toBe('1');
    expect(await res.json()).toEqual({ teapot: true });
  });

  it('matches templated and concrete paths', async () => {
    const id = mock.seed.persistentToken();
    const get = () =>
      mock.fetch(`${mock.issuer}/api/v1/access/${id}`, { headers: { authorization: `Bearer ${mock.apiToken}` } });
    mock.fail('GET /api/v1/access/{id}', { status: 500, times: 1 });
    mock.fail(`GET /api/v1/access/${id}`, { status: 504, times: 1 });
    mock.fail('/api/v1/access/:id', { status: 408, times: 1 });
    expect((await get()).status).toBe(500);
    expect((await get()).status).toBe(504);
    expect((await get()).status).toBe(408);
    expect((await get()).status).toBe(200);
  });

  it('does not touch other routes', async () => {
    mock.fail('listExternalTokens', { status: 500 });
    expect((await validate()).status).toBe(200);
  });

  it('makes mock.fetch reject like a dropped connection on a network error', async () => {
    mock.fail('validateToken', { network: true, times: 1 });
    const error = await validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(mock.calls[0]?.status).toBe(0);
    expect((await validate()).status).toBe(200);
  });

  it('answers Response.error() from handle() on a network error', async () => {
    mock.fail('validateToken', { network: true });
    const res = await mock.handle(new Request(`${mock.issuer}/api/v1/validate`));
    expect(res.type).toBe('error');
  });

  it('delays a response and honours the caller abort signal meanwhile', async () => {
    mock.fail('validateToken', { delay: 200 });
    const started = Date.now();
    expect((await validate()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const aborted = validate({ signal: AbortSignal.timeout(20) });
    await expect(aborted).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses an impossible status', () => {
    expect(() => mock.fail('token', { status: 99 })).toThrow(RangeError);
  });

  it('reset() removes every rule', async () => {
    mock.fail('*', { status: 500 });
    mock.reset();
    expect((await validate()).status).toBe(200);
  });
});
