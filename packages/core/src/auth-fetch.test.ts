import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { authFetch } from './auth-fetch.js';
import { ConfigurationError } from './errors.js';
import type { FetchLike } from './internal/http.js';
import type { TokenSet } from './token-set.js';
import { createTokenSource } from './token-source.js';

/** A resource server that accepts only the current token and records what it saw. */
function resourceServer() {
  const seen: Array<{ method: string; url: string; authorization: string | null; dpop: string | null; body: string }> =
    [];
  let accepted = 'tok-1';
  let status5xx = false;
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? await request.text() : '';
    const authorization = request.headers.get('authorization');
    seen.push({ method: request.method, url: request.url, authorization, dpop: request.headers.get('dpop'), body });
    if (status5xx) {
      return new Response('oops', { status: 503 });
    }
    if (authorization !== `Bearer ${accepted}` && authorization !== `DPoP ${accepted}`) {
      return new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    return new Response(JSON.stringify({ ok: true, body }), { status: 200 });
  };
  return {
    fetch,
    seen,
    accept(token: string) {
      accepted = token;
    },
    fail5xx() {
      status5xx = true;
    },
  };
}

function countingSource(tokenType = 'Bearer') {
  let n = 0;
  const source = createTokenSource({
    grant: {
      type: 'custom',
      fetchToken: async (): Promise<TokenSet> => {
        n += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { access_token: `tok-${n}`, token_type: tokenType, expires_at: Math.floor(Date.now() / 1000) + 3600 };
      },
    },
  });
  return { source, count: () => n };
}

describe('authFetch', () => {
  it('adds the Authorization header from the source', async () => {
    const server = resourceServer();
    const { source } = countingSource('bearer');
    const api = authFetch(source, { fetch: server.fetch });
    const response = await api('https://api.test/things', { headers: { 'x-extra': '1' } });
    expect(response.status).toBe(200);
    expect(server.seen[0]?.authorization).toBe('Bearer tok-1');
  });

  it('retries exactly once on 401 after a forced refresh, replaying the body', async () => {
    const server = resourceServer();
    const { source, count } = countingSource();
    const api = authFetch(source, { fetch: server.fetch });
    await source.getToken(); // tok-1 cached
    server.accept('tok-2'); // the server revoked tok-1
    const response = await api('https://api.test/things', { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, body: '{"a":1}' });
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(server.seen[1]?.body).toBe('{"a":1}');
    expect(count()).toBe(2);
  });

  it('replays a Request object body on the retry', async () => {
    const server = resourceServer();
    const { source } = countingSource();
    await source.getToken();
    server.accept('tok-2');
    const api = authFetch(source, { fetch: server.fetch });
    const response = await api(new Request('https://api.test/x', { method: 'PUT', body: 'payload' }));
    expect(response.status).toBe(200);
    expect(server.seen.map((s) => s.body)).toEqual(['payload', 'payload']);
  });

  it('returns the second 401 instead of looping', async () => {
    const server = resourceServer();
    const { source, count } = countingSource();
    server.accept('never');
    const api = authFetch(source, { fetch: server.fetch });
    const response = await api('https://api.test/things');
    expect(response.status).toBe(401);
    expect(server.seen).toHaveLength(2);
    expect(count()).toBe(2);
  });

  it('does not replay a streamed body', async () => {
    const server = resourceServer();
    const { source, count } = countingSource();
    await source.getToken();
    server.accept('tok-2');
    const api = authFetch(source, { fetch: server.fetch });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'));
        controller.close();
      },
    });
    const response = await api('https://api.test/upload', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(401);
    expect(server.seen).toHaveLength(1);
    expect(count()).toBe(1);
  });

  it('passes 5xx through without retrying', async () => {
    const server = resourceServer();
    const { source } = countingSource();
    server.fail5xx();
    const api = authFetch(source, { fetch: server.fetch });
    const response = await api('https://api.test/things', { method: 'POST', body: 'x' });
    expect(response.status).toBe(503);
    expect(server.seen).toHaveLength(1);
  });

  it('refreshes once when many requests are refused with the same token', async () => {
    const server = resourceServer();
    const { source, count } = countingSource();
    await source.getToken();
    server.accept('tok-2');
    const api = authFetch(source, { fetch: server.fetch });
    const responses = await Promise.all(Array.from({ length: 20 }, () => api('https://api.test/things')));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(count()).toBe(2);
  });

  it('signs a DPoP proof when the source has a DPoP-capable client and a DPoP token', async () => {
    const server = resourceServer();
    const proofs: string[] = [];
    const client = {
      issuer: 'https://as.test',
      clientId: 'c',
      clientCredentials: async (): Promise<TokenSet> => ({ access_token: 'tok-1', token_type: 'DPoP' }),
      refresh: async (): Promise<TokenSet> => ({ access_token: 'tok-2', token_type: 'DPoP' }),
      dpopProof: async (method: string, url: string, token?: string) => {
        proofs.push(`${method} ${url} ${token}`);
        return 'proof.jwt';
      },
    };
    const source = createTokenSource({ client, grant: { type: 'client_credentials' } });
    const response = await authFetch(source, { fetch: server.fetch })('https://api.test/r', { method: 'post' });
    expect(response.status).toBe(200);
    expect(server.seen[0]).toMatchObject({ authorization: 'DPoP tok-1', dpop: 'proof.jwt' });
    expect(proofs).toEqual(['POST https://api.test/r tok-1']);
  });

  it('answers a use_dpop_nonce challenge with a proof carrying the nonce, without a refresh', async () => {
    const nonces = new Map<string, string>();
    const seen: Array<{ dpop: string | null; body: string }> = [];
    let refreshes = 0;
    const client = {
      issuer: 'https://as.test',
      clientId: 'c',
      clientCredentials: async (): Promise<TokenSet> => ({ access_token: 'tok-1', token_type: 'DPoP' }),
      refresh: async (): Promise<TokenSet> => {
        refreshes += 1;
        return { access_token: 'tok-2', token_type: 'DPoP' };
      },
      dpopProof: async (method: string, url: string) => `proof ${method} nonce=${nonces.get(new URL(url).origin)}`,
      rememberDpopNonce: (url: string, response: Response) => {
        const nonce = response.headers.get('dpop-nonce');
        if (nonce) {
          nonces.set(new URL(url).origin, nonce);
        }
      },
    };
    let serverNonce = 'n-1';
    const fetch: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      const dpop = request.headers.get('dpop');
      seen.push({ dpop, body: await request.text() });
      if (dpop !== `proof POST nonce=${serverNonce}`) {
        return new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': serverNonce },
        });
      }
      serverNonce = 'n-2'; // the next nonce, announced on a success
      return new Response('ok', { status: 200, headers: { 'dpop-nonce': serverNonce } });
    };
    const source = createTokenSource({ client, grant: { type: 'client_credentials' } });
    const api = authFetch(source, { fetch });

    const first = await api(new Request('https://api.test/r', { method: 'POST', body: 'payload' }));
    expect(first.status).toBe(200);
    expect(seen).toEqual([
      { dpop: 'proof POST nonce=undefined', body: 'payload' },
      { dpop: 'proof POST nonce=n-1', body: 'payload' },
    ]);
    // The nonce of the successful answer is used at once: no challenge this time.
    const second = await api('https://api.test/r', { method: 'POST', body: 'again' });
    expect(second.status).toBe(200);
    expect(seen[2]).toEqual({ dpop: 'proof POST nonce=n-2', body: 'again' });
    expect(seen).toHaveLength(3);
    expect(refreshes).toBe(0);
  });
});

describe('authFetch: values a header cannot carry', () => {
  function fixedSource(access_token: string, token_type = 'Bearer') {
    return createTokenSource({
      grant: { type: 'custom', fetchToken: async (): Promise<TokenSet> => ({ access_token, token_type }) },
    });
  }

  it.each([
    ['a CR/LF', 'secret-token\r\nx-injected: 1'],
    ['a NUL', 'secret-token\u0000'],
    ['a space', 'secret token'],
    ['non-ASCII', 'secret-tökén'],
  ])('refuses a token with %s (ConfigurationError invalid_token, nothing sent, nothing quoted)', async (_, token) => {
    const server = resourceServer();
    const api = authFetch(fixedSource(token), { fetch: server.fetch });
    const error = await api('https://api.test/things').catch((e: unknown) => e);
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('invalid_token');
    expect(server.seen).toHaveLength(0);
    expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('secret');
  });

  it('refuses a token type with a CR/LF', async () => {
    const server = resourceServer();
    const api = authFetch(fixedSource('tok', 'Bearer\r\nx: y'), { fetch: server.fetch });
    const error = await api('https://api.test/things').catch((e: unknown) => e);
    expect((error as ConfigurationError).code).toBe('invalid_token');
    expect(server.seen).toHaveLength(0);
  });

  it('refuses a per-call header with CR/LF as invalid_header, quoting neither name nor value', async () => {
    const server = resourceServer();
    const api = authFetch(fixedSource('tok'), { fetch: server.fetch });
    const error = await api('https://api.test/things', { headers: { 'x-api-key': 'key-secret\r\nx: y' } }).catch(
      (e: unknown) => e,
    );
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('invalid_header');
    expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('key-secret');
    expect(server.seen).toHaveLength(0);
  });
});
