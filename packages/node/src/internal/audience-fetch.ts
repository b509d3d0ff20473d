import type { FetchLike } from '@keyway/core';

/** A `fetch` wrapper and the endpoints it adds `audience` to. */
interface AudienceFetch {
  fetch: FetchLike;
  /** Adds `audience` to requests to `url` (once discovery has told where the endpoints are). */
  target(url: string | undefined): void;
}

const GLOBAL = {};
// One wrapper per (fetch, audience): core caches discovery per fetch, and a new wrapper per call would
// defeat that cache.
const wrappers = new WeakMap<object, Map<string, AudienceFetch>>();

/**
 * A `fetch` that adds `audience` (Auth0-style providers) to the form body of requests to the endpoints
 * registered with `target()`: the device authorization request, and refresh-token grants at the token
 * endpoint. `@keyway/core` takes `extraParams` only for the authorization request; its
 * `deviceAuthorization()` and `refresh()` take a `resource` but no other parameter.
 */
export function audienceFetch(base: FetchLike | undefined, audience: string): AudienceFetch {
  const byAudience = wrappers.get(base ?? GLOBAL) ?? new Map<string, AudienceFetch>();
  wrappers.set(base ?? GLOBAL, byAudience);
  const existing = byAudience.get(audience);
  if (existing) {
    return existing;
  }
  const targets = new Set<string>();
  const wrapper: AudienceFetch = {
    fetch: (input, init) => {
      const send = base ?? (globalThis.fetch.bind(globalThis) as FetchLike);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = withAudience(init?.body, audience);
      return targets.has(url) && body !== undefined ? send(input, { ...init, body }) : send(input, init);
    },
    target(url) {
      if (url !== undefined) {
        targets.add(url);
      }
    },
  };
  byAudience.set(audience, wrapper);
  return wrapper;
}

/** The form body with `audience` added, or `undefined` when it is not a form, already has one, or is another grant. */
function withAudience(body: unknown, audience: string): URLSearchParams | undefined {
  const form =
    body instanceof URLSearchParams
      ? new URLSearchParams(body)
      : typeof body === 'string'
        ? new URLSearchParams(body)
        : undefined;
  if (form === undefined || form.has('audience')) {
    return undefined;
  }
  const grant = form.get('grant_type');
  if (grant !== null && grant !== 'refresh_token') {
    return undefined;
  }
  form.set('audience', audience);
  return form;
}
