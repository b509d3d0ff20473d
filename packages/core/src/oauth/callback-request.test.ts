import { describe, expect, it } from 'vitest';
import { FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import { CallbackError } from '../errors.js';
import { MAX_CALLBACK_BODY_BYTES, readCallback } from './callback.js';

const FORM = 'application/x-www-form-urlencoded';

async function setup() {
  const op = await FakeOP.create();
  const client = op.client();
  const request = await client.createAuthorizationUrl({
    scope: 'openid',
    extraParams: { response_mode: 'form_post' },
  });
  op.on('/token', async (call) =>
    json({
      access_token: `at-${call.body.get('code')}`,
      token_type: 'Bearer',
      id_token: await op.idToken({ nonce: request.nonce }),
    }),
  );
  /** The POST the browser sends to the redirect URI for `response_mode=form_post`. */
  const formPost = (params: Record<string, string>, init: RequestInit = {}) =>
    new Request(REDIRECT_URI, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ iss: op.issuer, ...params }),
      ...init,
    });
  return { op, client, request, formPost };
}

describe('handleCallback(request): response_mode=form_post and GET requests', () => {
  it('asks for form_post through extraParams', async () => {
    const { request } = await setup();
    expect(request.url.searchParams.get('response_mode')).toBe('form_post');
  });

  it('reads a form_post body and redeems its code', async () => {
    const { op, client, request, formPost } = await setup();
    const tokens = await client.handleCallback(formPost({ code: 'code-1', state: request.state }), request);
    expect(tokens.access_token).toBe('at-code-1');
    expect(tokens.claims?.nonce).toBe(request.nonce);
    expect(op.callsTo('/token')[0]!.body.get('code')).toBe('code-1');
  });

  it('accepts a charset parameter and any case in the content type', async () => {
    const { client, request, formPost } = await setup();
    const posted = formPost(
      { code: 'code-1', state: request.state },
      { headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' } },
    );
    expect((await client.handleCallback(posted, request)).access_token).toBe('at-code-1');
  });

  it('ignores the query of a form_post (an injected code there is never redeemed)', async () => {
    const { op, client, request } = await setup();
    const posted = new Request(`${REDIRECT_URI}?code=injected&state=${request.state}`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ iss: op.issuer, code: 'code-1', state: request.state }),
    });
    await client.handleCallback(posted, request);
    expect(op.callsTo('/token').map((call) => call.body.get('code'))).toEqual(['code-1']);
  });

  it('reads a GET request from its URL', async () => {
    const { op, client, request } = await setup();
    const tokens = await client.handleCallback(
      new Request(op.callback({ code: 'g-1', state: request.state })),
      request,
    );
    expect(tokens.access_token).toBe('at-g-1');
  });

  it('checks a form_post like any callback: state, iss, errors, duplicates, replay', async () => {
    const { op, client, request, formPost } = await setup();
    const cases: [Record<string, string>, string][] = [
      [{ code: 'c', state: 'forged-state' }, 'state_mismatch'],
      [{ code: 'c', state: request.state, iss: 'https://evil.example.test' }, 'iss_mismatch'],
      [{ error: 'access_denied', state: request.state }, 'access_denied'],
      [{ state: request.state }, 'missing_code'],
    ];
    for (const [params, code] of cases) {
      const error = await rejection(client.handleCallback(formPost(params), request));
      expect(CallbackError.is(error), code).toBe(true);
      expect(error.code).toBe(code);
    }
    const duplicated = new Request(REDIRECT_URI, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: `iss=${encodeURIComponent(op.issuer)}&state=${request.state}&code=a&code=b`,
    });
    expect((await rejection(client.handleCallback(duplicated, request))).code).toBe('duplicate_parameter');
    expect(op.callsTo('/token')).toHaveLength(0);

    await client.handleCallback(formPost({ code: 'code-1', state: request.state }), request);
    const replay = await rejection(client.handleCallback(formPost({ code: 'code-1', state: request.state }), request));
    expect(replay.code).toBe('state_reused');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('refuses other methods and bodies that are not a form, before anything is sent', async () => {
    const { op, client, request, formPost } = await setup();
    const params = { code: 'code-1', state: request.state };
    const cases: [Request, string][] = [
      [formPost(params, { method: 'PUT' }), 'invalid_callback_method'],
      [new Request(REDIRECT_URI, { method: 'DELETE' }), 'invalid_callback_method'],
      [formPost(params, { headers: { 'content-type': 'application/json' } }), 'invalid_callback_body'],
      [formPost(params, { headers: { 'content-type': 'text/plain' } }), 'invalid_callback_body'],
      [formPost(params, { headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 'invalid_callback_body'],
    ];
    for (const [incoming, code] of cases) {
      const error = await rejection(client.handleCallback(incoming, request));
      expect(CallbackError.is(error), `${incoming.method} ${incoming.headers.get('content-type')}`).toBe(true);
      expect(error.code).toBe(code);
    }
    expect(op.callsTo('/token')).toHaveLength(0);
    // Nothing was consumed: the genuine callback still goes through.
    expect((await client.handleCallback(formPost(params), request)).access_token).toBe('at-code-1');
  });

  it('refuses a body already read, or larger than the cap (declared or streamed), quoting nothing', async () => {
    const { op, client, request, formPost } = await setup();
    const used = formPost({ code: 'secret-code-1', state: request.state });
    await used.text();
    const padding = 'x'.repeat(MAX_CALLBACK_BODY_BYTES);
    const big = formPost({ code: 'secret-code-1', state: request.state, pad: padding });
    const streamed = new Request(REDIRECT_URI, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new ReadableStream({
        start(controller) {
          const chunk = new TextEncoder().encode(`code=secret-code-1&state=${request.state}&pad=${padding}`);
          controller.enqueue(chunk.subarray(0, 100));
          controller.enqueue(chunk.subarray(100));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    for (const incoming of [used, big, streamed]) {
      const error = await rejection(client.handleCallback(incoming, request));
      expect(CallbackError.is(error)).toBe(true);
      expect(error.code).toBe('invalid_callback_body');
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('secret-code-1');
    }
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('takes a request-like object of another realm or framework', async () => {
    const { client, request, op } = await setup();
    const body = new TextEncoder().encode(
      new URLSearchParams({ iss: op.issuer, code: 'code-x', state: request.state }).toString(),
    );
    const incoming = {
      url: REDIRECT_URI,
      method: 'post',
      headers: new Headers({ 'content-type': FORM }),
      body: null,
      bodyUsed: false,
      arrayBuffer: async () => body.buffer,
    };
    const tokens = await client.handleCallback(incoming as unknown as Request, request);
    expect(tokens.access_token).toBe('at-code-x');
  });
});

describe('readCallback', () => {
  it('reads URLs and strings as before', async () => {
    expect((await readCallback('https://app.example.test/cb?code=a&state=s')).get('code')).toBe('a');
    expect((await readCallback(new URL('https://app.example.test/cb#code=f&state=s'))).get('code')).toBe('f');
  });

  it('decodes a UTF-8 form body', async () => {
    const incoming = new Request(REDIRECT_URI, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'state=%C3%A9t%C3%A9&code=c%2B1+2',
    });
    const params = await readCallback(incoming);
    expect(params.get('state')).toBe('été');
    expect(params.get('code')).toBe('c+1 2');
  });
});
