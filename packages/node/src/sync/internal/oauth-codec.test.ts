import { inspect } from 'node:util';
import { ConfigurationError, redactOnInspect } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { decodeSyncValue, encodeSyncValue } from './oauth-codec.js';

/** Through the codec and a structured clone, as between the threads. */
const roundTrip = (value: unknown) => decodeSyncValue(structuredClone(encodeSyncValue(value)));

describe('the OAuth twin’s codec', () => {
  it('carries URLs, body-less Requests and Responses (status and headers) as themselves', () => {
    const [url, request, response] = roundTrip([
      new URL('https://a.example/cb?code=1'),
      new Request('https://a.example/cb?code=1', { headers: { 'x-a': '1' } }),
      new Response(null, { status: 401, headers: { 'DPoP-Nonce': 'n-1' } }),
    ]) as [URL, Request, Response];
    expect(url).toBeInstanceOf(URL);
    expect(url.href).toBe('https://a.example/cb?code=1');
    expect(request).toBeInstanceOf(Request);
    expect([request.url, request.method, request.headers.get('x-a')]).toEqual([
      'https://a.example/cb?code=1',
      'GET',
      '1',
    ]);
    expect(response).toBeInstanceOf(Response);
    expect([response.status, response.headers.get('dpop-nonce')]).toEqual([401, 'n-1']);
  });

  it('refuses a Request with a body and an AbortSignal, anywhere in the arguments', () => {
    for (const bad of [
      [new Request('https://a.example/cb', { method: 'POST', body: 'code=1' })],
      [{ nested: { signal: AbortSignal.timeout(1000) } }],
    ]) {
      let error: unknown;
      try {
        encodeSyncValue(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('unsupported_argument');
    }
  });

  it('a token set comes back redacted for people, whole for code', () => {
    const tokens = roundTrip(redactOnInspect({ access_token: 'at-secret', token_type: 'Bearer' })) as object;
    expect(inspect(tokens)).not.toContain('at-secret');
    expect(JSON.stringify(tokens)).toContain('at-secret');
  });

  it('a careless caller’s wide, cyclic argument is walked once per object (no blow-up), cycles kept', () => {
    const hostile: Record<string, unknown> = {};
    for (let i = 0; i < 50; i += 1) {
      hostile[`k${i}`] = hostile; // 50 references to itself: a walk by depth would visit 50^depth nodes
    }
    hostile.where = new URL('https://a.example/');
    const back = roundTrip(hostile) as Record<string, unknown>;
    expect(back.k0).toBe(back);
    expect(back.k49).toBe(back);
    expect(back.where).toBeInstanceOf(URL);
  });
});
