import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/** The app's view of Keyway: where the service is and how it calls it. */
export interface KeywayConfig {
  issuer: string;
  apiToken: string;
  fetch?: typeof fetch;
}

/** Returns the user's GitHub token, or a URL to send them to when GitHub needs consent again. */
export async function githubToken(
  config: KeywayConfig,
): Promise<{ token: string } | { reconsentUrl: string } | { connected: false }> {
  const doFetch = config.fetch ?? fetch;
  const res = await doFetch(`${config.issuer}/api/v1/external-tokens/github`, {
    headers: { authorization: `Bearer ${config.apiToken}` },
  });
  if (res.status === 404) {
    return { connected: false };
  }
  const body = (await res.json()) as { access_token?: string; code?: string; consent_url?: string };
  if (res.status === 401 && body.code === 'reconsent_required' && body.consent_url) {
    return { reconsentUrl: body.consent_url };
  }
  if (!res.ok || !body.access_token) {
    throw new Error(`Keyway answered ${res.status}`);
  }
  return { token: body.access_token };
}

/** A route handler guard: the request's bearer token must be a Keyway access token for `audience`. */
export async function requireUser(request: Request, issuer: string, audience: string): Promise<JWTPayload> {
  const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  if (!token) {
    throw new Response('Unauthorized', { status: 401 });
  }
  const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth/jwks`));
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt' });
    return payload;
  } catch {
    throw new Response('Unauthorized', { status: 401 });
  }
}
