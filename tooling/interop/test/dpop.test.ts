import { discover, OAuthError } from '@keyway/core';
import { createDpopProof, type DpopKey, generateDpopKey } from '@keyway/mocks';
import { expectError } from '@keyway/test-support';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { signIn } from '../src/sign-in.ts';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

async function dpopKey(): Promise<{ keyPair: DpopKey; jkt: string }> {
  const keyPair = await generateDpopKey();
  return { keyPair, jkt: keyPair.jkt };
}

/**
 * A `fetch` for the client that sends a DPoP proof by `proofKey` on the pushed authorization request
 * (RFC 9449 section 10.1) — the client itself sends only `dpop_jkt` there — retrying once with the
 * server's nonce. With `dropJkt`, `dpop_jkt` is taken out, so the proof alone binds the code.
 */
function proofOnPar(parEndpoint: string, proofKey: DpopKey, dropJkt: boolean, pushed: URLSearchParams[]) {
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== parEndpoint || init?.body === undefined) {
      return fetch(input, init);
    }
    const body = new URLSearchParams(init.body as string | URLSearchParams);
    if (dropJkt) {
      body.delete('dpop_jkt');
    }
    pushed.push(body);
    let nonce: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const proof = await createDpopProof(proofKey, { method: 'POST', url, ...(nonce ? { nonce } : {}) });
      const headers = new Headers(init.headers);
      headers.set('dpop', proof);
      const response = await fetch(url, { ...init, headers, body: body.toString() });
      nonce = response.headers.get('dpop-nonce') ?? undefined;
      if (attempt > 0 || response.status !== 400 || nonce === undefined) {
        return response;
      }
    }
  };
  return wrapped;
}

// Both targets require DPoP nonces, so each first proof is refused with use_dpop_nonce and retried.
describe.each(TARGETS)('DPoP-bound tokens (RFC 9449) against %s', (name) => {
  const op = useTarget(name);

  it('binds a client-credentials token to the key: token_type DPoP, cnf.jkt in introspection', async () => {
    const { keyPair, jkt } = await dpopKey();
    const answers: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === op.paths.token) {
        const body = response.status === 200 ? '' : ` ${((await response.clone().json()) as { error: string }).error}`;
        answers.push(`${response.status}${body}`);
      }
      return response;
    };
    const client = await discover(op.issuer, { ...op.clients.basic, dpop: keyPair, fetch: recording });

    const tokens = await client.clientCredentials({ scope: 'api:read' });

    // The first proof carried no nonce; the server asked for one and the client retried once.
    expect(answers).toEqual(['400 use_dpop_nonce', '200']);
    expect(tokens.token_type).toBe('DPoP');
    expect(await client.introspect(tokens.access_token)).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt },
    });
  });

  it('binds a code-flow token, calls userinfo with a proof and refreshes under the same key', async () => {
    const { keyPair, jkt } = await dpopKey();
    const client = await discover(op.issuer, { ...op.clients.public, dpop: keyPair });

    const { tokens, authorizationUrl } = await signIn(client, op, {
      user: 'alice',
      scope: 'openid email offline_access',
      prompt: 'consent',
    });

    expect(authorizationUrl.searchParams.get('dpop_jkt')).toBe(jkt);
    expect(tokens.token_type).toBe('DPoP');
    expect(await client.userinfo(tokens.access_token, { expectedSubject: 'alice' })).toMatchObject({
      sub: 'alice',
    });
    const refreshed = await client.refresh(tokens);
    expect(refreshed.token_type).toBe('DPoP');

    const confidential = await discover(op.issuer, op.clients.basic);
    // Introspection by another (confidential) client shows the binding of the public client's token.
    expect(await confidential.introspect(refreshed.access_token)).toMatchObject({ active: true, cnf: { jkt } });

    // Without a proof, the bound token is refused at the userinfo endpoint.
    const keyless = await discover(op.issuer, op.clients.public);
    await expectError(keyless.userinfo(refreshed.access_token), OAuthError, 'invalid_token');
  });

  it("refuses to refresh a public client's bound refresh token under another key", async () => {
    const { keyPair } = await dpopKey();
    const client = await discover(op.issuer, { ...op.clients.public, dpop: keyPair });
    const { tokens } = await signIn(client, op, {
      user: 'bob',
      scope: 'openid offline_access',
      prompt: 'consent',
    });

    const thief = await discover(op.issuer, { ...op.clients.public, dpop: (await dpopKey()).keyPair });
    await expectError(thief.refresh(tokens.refresh_token ?? ''), OAuthError, 'invalid_grant');
    expect((await client.refresh(tokens)).token_type).toBe('DPoP');
  });

  it('binds the code to the key of a DPoP proof on the PAR request, without dpop_jkt (RFC 9449 section 10.1)', async () => {
    const { keyPair, jkt } = await dpopKey();
    const metadata = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as {
      pushed_authorization_request_endpoint: string;
    };
    const pushed: URLSearchParams[] = [];
    const fetchWithProof = proofOnPar(metadata.pushed_authorization_request_endpoint, keyPair, true, pushed);
    const client = await discover(op.issuer, { ...op.clients.public, dpop: keyPair, fetch: fetchWithProof });
    const thief = await discover(op.issuer, { ...op.clients.public, dpop: (await dpopKey()).keyPair });

    // Another key cannot redeem the code: the proof at PAR bound it.
    const stolen = await client.createAuthorizationUrl({ scope: 'openid', par: true });
    const stolenCallback = await op.login(stolen.url, { user: 'alice' });
    await expectError(thief.handleCallback(stolenCallback, stolen), OAuthError, 'invalid_grant');

    const request = await client.createAuthorizationUrl({ scope: 'openid', par: true });
    const tokens = await client.handleCallback(await op.login(request.url, { user: 'alice' }), request);

    expect(pushed.map((body) => body.has('dpop_jkt'))).toEqual([false, false]);
    expect(tokens.token_type).toBe('DPoP');
    const confidential = await discover(op.issuer, op.clients.basic);
    expect(await confidential.introspect(tokens.access_token)).toMatchObject({ active: true, cnf: { jkt } });
  });

  it('refuses a PAR request whose DPoP proof and dpop_jkt name different keys', async () => {
    const { keyPair } = await dpopKey();
    const metadata = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as {
      pushed_authorization_request_endpoint: string;
    };
    const other = (await dpopKey()).keyPair;
    const fetchWithProof = proofOnPar(metadata.pushed_authorization_request_endpoint, other, false, []);
    const client = await discover(op.issuer, { ...op.clients.public, dpop: keyPair, fetch: fetchWithProof });

    await expectError(client.createAuthorizationUrl({ scope: 'openid', par: true }), OAuthError, 'invalid_request');
  });

  if (name === 'mock') {
    it('signs a JWT access token carrying cnf.jkt (mock only: its access tokens are always JWTs)', async () => {
      const { keyPair, jkt } = await dpopKey();
      const client = await discover(op.issuer, { ...op.clients.post, dpop: keyPair });

      const tokens = await client.clientCredentials({ scope: 'api:read' });

      expect(decodeJwt(tokens.access_token)).toMatchObject({ cnf: { jkt }, client_id: 'post-client' });
    });
  }
});
