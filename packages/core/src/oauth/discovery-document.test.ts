import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../errors.js';
import { HttpClient } from '../internal/http.js';
import { fetchMetadata, wellKnownUrl } from './discovery-document.js';

/** The URL oauth4webapi's discoveryRequest asks for `issuer` (what discovery did before, and discover() still does). */
async function oauth4webapiUrl(issuer: string, algorithm: 'oidc' | 'oauth2'): Promise<string> {
  let asked = '';
  await oauth.discoveryRequest(new URL(issuer), {
    algorithm,
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: async (url) => {
      asked = url;
      return new Response('{}');
    },
  });
  return asked;
}

/** An HttpClient over a fetch that answers from `routes` (URL -> status and body) and records what it was asked. */
function server(routes: Record<string, [number, string]>) {
  const asked: { url: string; accept: string | null }[] = [];
  const http = new HttpClient({
    retry: false,
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      asked.push({ url, accept: new Headers(init?.headers).get('accept') });
      const [status, body] = routes[url] ?? [404, 'not found'];
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    },
  });
  return { http, asked };
}

describe('wellKnownUrl', () => {
  it.each([
    'https://auth.example.com',
    'https://auth.example.com/',
    'https://auth.example.com/tenant',
    'https://auth.example.com/tenant/',
    'https://auth.example.com/a/b/c',
    'http://127.0.0.1:8080/realms/demo',
    'https://auth.example.com/tenant?x=1',
  ])('asks for the URLs oauth4webapi asks for, issuer %s', async (issuer) => {
    expect(wellKnownUrl(issuer, 'oidc')).toBe(await oauth4webapiUrl(issuer, 'oidc'));
    expect(wellKnownUrl(issuer, 'oauth2')).toBe(await oauth4webapiUrl(issuer, 'oauth2'));
  });

  it('appends for OpenID Connect and inserts for RFC 8414', () => {
    expect(wellKnownUrl('https://as.example/t1', 'oidc')).toBe(
      'https://as.example/t1/.well-known/openid-configuration',
    );
    expect(wellKnownUrl('https://as.example/t1', 'oauth2')).toBe(
      'https://as.example/.well-known/oauth-authorization-server/t1',
    );
  });
});

describe('fetchMetadata', () => {
  const issuer = 'https://as.example/t1';
  const oidc = 'https://as.example/t1/.well-known/openid-configuration';
  const rfc8414 = 'https://as.example/.well-known/oauth-authorization-server/t1';

  it('takes the OpenID Connect document, asking for JSON', async () => {
    const { http, asked } = server({ [oidc]: [200, JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` })] });
    expect(await fetchMetadata(issuer, http)).toEqual({ issuer, jwks_uri: `${issuer}/jwks` });
    expect(asked).toEqual([{ url: oidc, accept: 'application/json' }]);
  });

  it('falls back to RFC 8414 when OpenID Connect Discovery does not answer 200', async () => {
    const { http, asked } = server({ [oidc]: [404, ''], [rfc8414]: [200, JSON.stringify({ issuer })] });
    expect(await fetchMetadata(issuer, http)).toEqual({ issuer });
    expect(asked.map(({ url }) => url)).toEqual([oidc, rfc8414]);
  });

  it.each([
    ['neither location answers 200', {}, 'discovery_failed'],
    ['the body is not JSON', { [oidc]: [200, '<html>'] }, 'invalid_metadata'],
    ['the body is a JSON array', { [oidc]: [200, '[]'] }, 'invalid_metadata'],
    ['the document has no issuer', { [oidc]: [200, '{}'] }, 'invalid_metadata'],
    ['the issuer is a number', { [oidc]: [200, '{"issuer":1}'] }, 'invalid_metadata'],
    ['the issuer has a trailing slash', { [oidc]: [200, JSON.stringify({ issuer: `${issuer}/` })] }, 'issuer_mismatch'],
    ['the issuer is another host', { [oidc]: [200, '{"issuer":"https://evil.example/t1"}'] }, 'issuer_mismatch'],
  ] as const)('refuses when %s (InvalidResponseError %s)', async (_, routes, code) => {
    const error = await fetchMetadata(issuer, server(routes as Record<string, [number, string]>).http).catch(
      (e: unknown) => e,
    );
    expect(InvalidResponseError.is(error), String(error)).toBe(true);
    expect((error as InvalidResponseError).code).toBe(code);
  });

  it('prints a hostile issuer without its control characters', async () => {
    const hostile = JSON.stringify({ issuer: 'https://evil.example/\u001b[2J\r\nSet-Cookie: x' });
    const error = (await fetchMetadata(issuer, server({ [oidc]: [200, hostile] }).http).catch(
      (e: unknown) => e,
    )) as Error;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
