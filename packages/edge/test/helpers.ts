/*
 * The edge package's own test helpers, shared by the suites beside the code (src/*.test.ts). Outside
 * src/, so nothing test-only is in the published tree; a fake KV namespace comes from @keyway/mocks.
 */
import type { FetchLike } from '@keyway/core';
import { createMockKeyway, type MockKeyway } from '@keyway/mocks';
import { expect } from 'vitest';
import { EdgeAuthError } from '../src/errors.js';

export const AUDIENCE = 'https://api.example.com';
export const URL_THINGS = 'https://api.example.com/things';
export const REALM = `realm="${AUDIENCE}"`;
export const DPOP_CHALLENGE = `DPoP ${REALM}, algs="ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA"`;

/**
 * A fresh mock and a `fetch` of its own: core caches discovery and the JWKS per `fetch`, so a new
 * wrapper stands for a new isolate (empty caches).
 */
export function freshMock(): { mock: MockKeyway; fetch: FetchLike } {
  // One key seed for the suite: each mock would otherwise make an RSA key of its own (~0.5 s each);
  // no test here tells mocks apart by their keys.
  const mock = createMockKeyway({ keySeed: 'keyway-edge-unit-tests' });
  return { mock, fetch: isolateFetch(mock) };
}

/** Another "isolate" of the same mock: the same server, caches of its own. */
export function isolateFetch(mock: MockKeyway): FetchLike {
  return (input, init) => mock.fetch(input, init);
}

export function bearer(token: string, url = URL_THINGS, init: RequestInit = {}): Request {
  return new Request(url, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as object) } });
}

/** Epoch seconds now. */
export const now = (): number => Math.floor(Date.now() / 1000);

/** Awaits a refusal and checks it whole: the error, the response's status, headers and body. */
export async function expectRefusal(
  promise: Promise<unknown>,
  expected: { code: string; reason: string; status: number; challenge: string | null; token?: string },
): Promise<EdgeAuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (caught: unknown) => caught,
  );
  expect(EdgeAuthError.is(error)).toBe(true);
  const refusal = error as EdgeAuthError;
  expect({ code: refusal.code, reason: refusal.reason, status: refusal.status }).toEqual({
    code: expected.code,
    reason: expected.reason,
    status: expected.status,
  });
  const response = refusal.response;
  expect(response.status).toBe(expected.status);
  expect(response.headers.get('www-authenticate')).toBe(expected.challenge);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = await response.text();
  expect(JSON.parse(body)).toMatchObject({ error_description: refusal.message });
  if (expected.token) {
    for (const text of [body, expected.challenge ?? '', refusal.message, JSON.stringify(refusal), String(refusal)]) {
      expect(text).not.toContain(expected.token);
    }
  }
  return refusal;
}
