import { createTokenSource, type PrivateKeyInput, type TokenSet, type TokenSource } from '@keyway/core';
import { type TokenStore, tokenKey } from '@keyway/token-store';
import {
  type CoordinatorRequest,
  InvalidCoordinatorRequest,
  isTokenSet,
  MAX_REQUEST_BYTES,
  parseCoordinatorRequest,
  serializeFailure,
} from './internal/coordinator-protocol.js';
import { lazyOAuthClient } from './token-source.js';

/**
 * The part of a Durable Object's storage (`ctx.storage`) a {@link TokenCoordinator} uses. Cloudflare's
 * `DurableObjectStorage` satisfies it.
 */
export interface TokenCoordinatorStorage {
  get(key: string): Promise<unknown>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/**
 * A Durable Object namespace binding as a token source uses it (`env.KEYWAY_TOKENS`, bound to
 * {@link TokenCoordinator}). Cloudflare's `DurableObjectNamespace` satisfies it.
 */
export interface TokenCoordinatorNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The part of a Durable Object's state (`ctx`) a {@link TokenCoordinator} uses. */
export interface TokenCoordinatorState {
  readonly storage: TokenCoordinatorStorage;
}

/** Token sources kept in memory per object; past this, the least recently created is dropped. */
const MAX_SOURCES = 64;

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * A Durable Object that obtains client-credentials tokens for every isolate of a Worker: each token
 * source created with `coordinator` asks it, it answers from its cache, and when the token nears its
 * expiry it makes one token request however many isolates ask at once. The token set is kept in the
 * object's storage, so an evicted or restarted object serves it again without a new request.
 *
 * The caller sends the client's configuration, secret included, in the body of each request: the
 * object needs no secret of its own and never stores one. It keeps a token set under a SHA-256 over
 * the client's configuration and credentials, so a caller holding other credentials for the same
 * client never receives the token obtained with these.
 *
 * Export it from the Worker and bind it (`[[durable_objects.bindings]]`, see the README), then pass
 * the binding as `coordinator` to {@link createEdgeTokenSource}.
 *
 * @example
 * ```ts
 * import { createEdgeTokenSource, type TokenCoordinatorNamespace } from '@keyway/edge';
 * export { TokenCoordinator } from '@keyway/edge';
 *
 * interface Env {
 *   KEYWAY_TOKENS: TokenCoordinatorNamespace;
 *   CLIENT_SECRET: string;
 * }
 *
 * export default {
 *   async fetch(_request: Request, env: Env): Promise<Response> {
 *     const source = createEdgeTokenSource({
 *       issuer: 'https://auth.example.com',
 *       clientId: 'my-worker',
 *       clientSecret: env.CLIENT_SECRET,
 *       scope: 'things:read',
 *       coordinator: env.KEYWAY_TOKENS,
 *     });
 *     return source.authFetch('https://api.example.com/things');
 *   },
 * };
 * ```
 */
export class TokenCoordinator {
  readonly #store: TokenStore;
  // One source per stored token set, with the skew of the request that created it: every isolate of a
  // Worker sends the same one, and a caller with another skew only asks a little more often.
  readonly #sources = new Map<string, TokenSource>();

  constructor(ctx: TokenCoordinatorState, _env?: unknown) {
    const storage = ctx.storage;
    this.#store = {
      async get(key) {
        const stored = await storage.get(key);
        if (typeof stored !== 'string') {
          return undefined;
        }
        // A value that is not a token set (written by something else, or damaged) counts as none.
        let tokens: unknown;
        try {
          tokens = JSON.parse(stored);
        } catch {
          return undefined;
        }
        return isTokenSet(tokens) ? tokens : undefined;
      },
      async set(key, value) {
        await storage.put(key, JSON.stringify(value));
      },
      async delete(key) {
        await storage.delete(key);
      },
    };
  }

  /**
   * Answers one token source: `200 { tokens }`, `502 { failure }` when the issuer refused or could not
   * be reached (the caller rethrows it as the same error class), `400` for a request it cannot read,
   * `405` for another method than POST, `413` for a body past 32 KiB.
   */
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return refuse(405, 'The TokenCoordinator answers POST only.', { allow: 'POST' });
    }
    let source: TokenSource;
    let parsed: CoordinatorRequest;
    try {
      parsed = parseCoordinatorRequest(JSON.parse(await readBody(request)));
      source = await this.#source(parsed);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return refuse(413, `The request body is larger than ${MAX_REQUEST_BYTES} bytes.`);
      }
      // Garbage in the body, a bad field, an issuer no key can be made of: the caller's request is wrong.
      return refuse(
        400,
        error instanceof InvalidCoordinatorRequest ? error.message : 'The body is not a token request.',
      );
    }
    try {
      return Response.json({ tokens: await tokenFor(source, parsed) }, { headers: NO_STORE });
    } catch (error) {
      const failure = serializeFailure(error);
      if (failure) {
        return Response.json({ failure }, { status: 502, headers: NO_STORE });
      }
      return refuse(500, 'The TokenCoordinator failed.');
    }
  }

  async #source(request: CoordinatorRequest): Promise<TokenSource> {
    const key = await storageKey(request);
    let source = this.#sources.get(key);
    if (!source) {
      if (this.#sources.size >= MAX_SOURCES) {
        this.#sources.delete(this.#sources.keys().next().value as string);
      }
      source = createTokenSource({
        client: lazyOAuthClient({
          ...request,
          ...(request.privateKey === undefined ? {} : { privateKey: request.privateKey as PrivateKeyInput }),
        }),
        grant: {
          type: 'client_credentials',
          ...(request.scope === undefined ? {} : { scope: request.scope }),
          ...(request.resource === undefined ? {} : { resource: request.resource }),
        },
        store: this.#store,
        key,
        skew: request.skew,
      });
      this.#sources.set(key, source);
    }
    return source;
  }
}

/** What the caller asked for: the cached token, or a new one when it refused or forced the current one. */
async function tokenFor(source: TokenSource, request: CoordinatorRequest): Promise<TokenSet> {
  if (request.forceRefresh) {
    return source.getToken({ forceRefresh: true });
  }
  const tokens = await source.getToken();
  const rejected = request.rejectedToken;
  return rejected !== undefined && tokens.access_token === rejected
    ? source.getToken({ rejectedToken: rejected })
    : tokens;
}

/**
 * The storage key of a token set: what decides which token the issuer hands out (issuer, client,
 * audience, scope: core's `tokenKey`) and the credentials, hashed so that storage holds no secret.
 */
async function storageKey(request: CoordinatorRequest): Promise<string> {
  const key = tokenKey({
    issuer: request.issuer,
    clientId: request.clientId,
    ...(request.resource === undefined ? {} : { audience: request.resource }),
    ...(request.scope === undefined ? {} : { scope: request.scope }),
  });
  const credentials = JSON.stringify([
    key,
    request.tokenEndpointAuthMethod ?? null,
    request.clientSecret ?? null,
    request.privateKey ?? null,
  ]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(credentials));
  return `tokens:${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

class BodyTooLarge extends Error {}

/** The body as text, read no further than {@link MAX_REQUEST_BYTES}. */
async function readBody(request: Request): Promise<string> {
  if (!request.body) {
    return '';
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.byteLength;
    if (size > MAX_REQUEST_BYTES) {
      await reader.cancel();
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function refuse(status: number, description: string, headers: Record<string, string> = {}): Response {
  const error = status === 500 ? 'server_error' : 'invalid_request';
  return Response.json({ error, error_description: description }, { status, headers: { ...NO_STORE, ...headers } });
}
