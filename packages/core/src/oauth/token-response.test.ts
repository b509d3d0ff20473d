import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { json, rejection } from '../../test/oauth/fake-op.js';
import { InvalidResponseError, KeywayApiError, OAuthError } from '../errors.js';
import { processTokenResponse } from './token-response.js';

const context = { now: 1_700_000_000, dpop: false };

describe('processTokenResponse', () => {
  it('keeps the server spelling of token_type, computes expires_at and drops expires_in', async () => {
    const tokens = await processTokenResponse(
      json({ access_token: 'a', token_type: 'bearer', expires_in: 3600, refresh_token: 'r', scope: 's', extra: 1 }),
      context,
    );
    expect(tokens).toEqual({
      access_token: 'a',
      token_type: 'bearer',
      expires_at: 1_700_003_600,
      refresh_token: 'r',
      scope: 's',
      extra: 1,
    });
  });

  it('accepts a missing expires_in, a numeric string, and null optional fields', async () => {
    const none = await processTokenResponse(json({ access_token: 'a', token_type: 'Bearer', scope: null }), context);
    expect(none).toEqual({ access_token: 'a', token_type: 'Bearer' });
    const text = await processTokenResponse(
      json({ access_token: 'a', token_type: 'BEARER', expires_in: '60' }),
      context,
    );
    expect(text.expires_at).toBe(1_700_000_060);
  });

  it.each([
    ['no access_token', { token_type: 'Bearer' }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
    ['no token_type', { access_token: 'a' }],
    ['an unknown token_type', { access_token: 'a', token_type: 'mac' }],
    ['a negative expires_in', { access_token: 'a', token_type: 'Bearer', expires_in: -1 }],
    ['a non-numeric expires_in', { access_token: 'a', token_type: 'Bearer', expires_in: 'soon' }],
    ['a numeric refresh_token', { access_token: 'a', token_type: 'Bearer', refresh_token: 42 }],
    ['an object scope', { access_token: 'a', token_type: 'Bearer', scope: {} }],
    ['a numeric id_token', { access_token: 'a', token_type: 'Bearer', id_token: 1 }],
    ['an array body', [1, 2]],
  ])('refuses %s with InvalidResponseError', async (_name, body) => {
    const error = await rejection(processTokenResponse(json(body), context));
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_token_response', status: 200 });
  });

  it('refuses a body that is not JSON, without quoting it', async () => {
    const error = await rejection(processTokenResponse(new Response('access_token=leaked'), context));
    expect(error.code).toBe('invalid_token_response');
    expect(JSON.stringify(error) + String(error)).not.toContain('leaked');
  });

  it('maps 400 and 401 (with or without WWW-Authenticate) OAuth error bodies to OAuthError', async () => {
    const body = { error: 'invalid_client', error_description: 'bad secret', error_uri: 'https://docs/x' };
    for (const response of [
      json(body, 400),
      json(body, 401),
      json(body, 401, { 'www-authenticate': 'Basic realm="token"' }),
    ]) {
      const error = await rejection(processTokenResponse(response, context));
      expect(OAuthError.is(error)).toBe(true);
      expect(error).toMatchObject({ ...body, code: 'invalid_client', status: response.status });
      expect(error.cause).toBeUndefined();
    }
  });

  it('takes the error from WWW-Authenticate when a 401 has no body', async () => {
    const response = new Response(null, {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="x", error="invalid_token", error_description="expired, sorry"' },
    });
    const error = await rejection(processTokenResponse(response, context));
    expect(error).toMatchObject({ name: 'OAuthError', error: 'invalid_token', error_description: 'expired, sorry' });
  });

  it('reports an HTTP error status without an OAuth error as the KeywayApiError of that status, body dropped', async () => {
    const page = '<html>oops refresh_token=rt-secret</html>';
    const error = await rejection(
      processTokenResponse(new Response(page, { status: 502, headers: { 'retry-after': '7' } }), context),
    );
    expect(error).toMatchObject({ name: 'InternalServerError', code: 'http_502', status: 502 });
    expect(KeywayApiError.is(error)).toBe(true);
    expect((error as unknown as KeywayApiError).headers['retry-after']).toBe('7');
    expect((error as unknown as KeywayApiError).body).toBeUndefined();
    expect(`${error.message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('rt-secret');
    const html404 = await rejection(processTokenResponse(new Response('<h1>Not Found</h1>', { status: 404 }), context));
    expect(html404).toMatchObject({ name: 'NotFoundError', code: 'http_404', status: 404 });
    const noError = await rejection(processTokenResponse(json({ message: 'nope' }, 403), context));
    expect(noError).toMatchObject({ name: 'PermissionDeniedError', status: 403 });
  });

  it('reports a 2xx other than 200 as InvalidResponseError unexpected_status', async () => {
    const error = await rejection(
      processTokenResponse(json({ access_token: 'a', token_type: 'Bearer' }, 201), context),
    );
    expect(error).toMatchObject({ name: 'InvalidResponseError', code: 'unexpected_status', status: 201 });
  });

  it('requires issued_token_type for token exchange and then accepts N_A', async () => {
    const exchange = { ...context, tokenExchange: true };
    const tokens = await processTokenResponse(
      json({
        access_token: 'id.jwt',
        token_type: 'N_A',
        issued_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      }),
      exchange,
    );
    expect(tokens.issued_token_type).toBe('urn:ietf:params:oauth:token-type:id_token');
    const error = await rejection(processTokenResponse(json({ access_token: 'a', token_type: 'Bearer' }), exchange));
    expect(error.code).toBe('invalid_token_response');
    const notExchange = await rejection(processTokenResponse(json({ access_token: 'a', token_type: 'N_A' }), context));
    expect(notExchange.code).toBe('invalid_token_response');
  });
});
