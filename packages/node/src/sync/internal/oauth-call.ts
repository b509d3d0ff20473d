import {
  ConfigurationError,
  discover,
  OAuthClient,
  type OAuthClientOptions,
  type ProviderMetadata,
} from '@keyway/core';
import { decodeSyncValue, encodeSyncValue } from './oauth-codec.js';

/**
 * The OAuth twin's side of the worker (see `../oauth-client.ts`). Every call carries what the worker
 * needs to rebuild the twin's `OAuthClient` (issuer metadata and options), so a restarted worker
 * answers the next call as the old one would; the worker keeps the built clients (their DPoP nonces)
 * between calls.
 */

/** The options that cross to the worker: no function, no live object; `dpop` is a key pair by then. */
export type WorkerClientOptions = Omit<OAuthClientOptions, 'fetch' | 'stateStore' | 'onCacheUpdate' | 'dpop'> & {
  dpop?: CryptoKeyPair;
};

export interface OAuthDiscoverPayload {
  issuer: string;
  /** `clientId` may be missing: core's `discover()` then registers a native public client. */
  options: Omit<WorkerClientOptions, 'clientId' | 'dpop'> & { clientId?: string; dpop?: CryptoKeyPair | true };
}

export interface OAuthDiscovered {
  metadata: ProviderMetadata;
  clientId: string;
  /** The key pair made for `dpop: true`, so that every call of the twin (any worker) signs with one key. */
  dpop?: CryptoKeyPair;
}

export interface OAuthCallPayload {
  /** Which twin: the worker keeps one `OAuthClient` per twin. */
  twin: string;
  metadata: ProviderMetadata;
  options: WorkerClientOptions;
  method: string;
  /** Encoded with `encodeSyncValue`. */
  args: unknown[];
}

/**
 * The methods of `OAuthClient`, read from its prototype: what the twin forwards and what the worker
 * accepts. A method added to core reaches the twin with no edit here.
 */
export function oauthClientMethods(): string[] {
  return Object.getOwnPropertyNames(OAuthClient.prototype).filter(
    (name) =>
      name !== 'constructor' &&
      typeof Object.getOwnPropertyDescriptor(OAuthClient.prototype, name)?.value === 'function',
  );
}

/** Worker: discovers (and, without a client id, registers) once for a new twin. */
export async function oauthDiscover(payload: unknown): Promise<OAuthDiscovered> {
  const { issuer, options } = payload as OAuthDiscoverPayload;
  // Made here, once: the twin sends this pair with every call, so a restarted worker keeps the key.
  const dpop = options.dpop === true ? await generateEs256() : options.dpop;
  const client = await discover(issuer, { ...options, ...(dpop ? { dpop } : {}) } as OAuthClientOptions);
  return { metadata: client.metadata, clientId: client.clientId, ...(dpop ? { dpop } : {}) };
}

/** An ES256 pair as core makes for `dpop: true`: the private key stays non-extractable. */
function generateEs256(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;
}

/** At most this many twins' clients are kept; an evicted one is rebuilt from its next call. */
const MAX_CLIENTS = 64;
const clients = new Map<string, OAuthClient>();
let methods: ReadonlySet<string> | undefined;

function clientOf({ twin, metadata, options }: OAuthCallPayload): OAuthClient {
  let client = clients.get(twin);
  if (client) {
    clients.delete(twin); // re-inserted below: most recently used last
  } else {
    client = new OAuthClient(metadata, options);
    if (clients.size >= MAX_CLIENTS) {
      clients.delete(clients.keys().next().value as string);
    }
  }
  clients.set(twin, client);
  return client;
}

/** Worker: runs one method of a twin's client. */
export async function oauthCall(payload: unknown): Promise<unknown> {
  const call = payload as OAuthCallPayload;
  methods ??= new Set(oauthClientMethods());
  if (!methods.has(call.method)) {
    throw new ConfigurationError(`Unknown OAuthClient method ${JSON.stringify(call.method)}.`, {
      code: 'invalid_parameter',
    });
  }
  const client = clientOf(call);
  const method = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[call.method]!;
  const result = await method.apply(client, decodeSyncValue(call.args) as unknown[]);
  return encodeSyncValue(result);
}
