import { type ClientRegistration, discover, type FetchLike } from '@keyway/core';
import type { StoredTokenSet, TokenStore } from '@keyway/token-store';

/**
 * The client a login without `clientId` uses: registered once per issuer (core's `discover()` without
 * a client id registers a public native client) and remembered in the token store, so that no later
 * run registers again while the stored registration exists.
 *
 * The registration is kept under its own key (never a `tokenKey`, so `keyway list` does not take it
 * for a login). A store holds token sets, so the record is one: a secret the provider issued anyway
 * sits where a token set keeps its secret (`access_token`), stored, encrypted and redacted as tokens are.
 */

/** The identity a registration gives a login. */
interface RegisteredClient {
  clientId: string;
  clientSecret?: string;
}

interface RegistrationRecord extends StoredTokenSet {
  /** The client secret, or `''` for a public client. */
  access_token: string;
  token_type: typeof RECORD_TYPE;
  client_id: string;
}

const RECORD_TYPE = 'keyway_client_registration';

/** The store key of the registration for `issuer` (exactly as given: discovery needs that string). */
export function registrationKey(issuer: string): string {
  return `keyway-registration:v1:${encodeURIComponent(issuer)}`;
}

function fromRecord(value: StoredTokenSet | undefined): RegisteredClient | undefined {
  const record = value as Partial<RegistrationRecord> | undefined;
  if (record?.token_type !== RECORD_TYPE || typeof record.client_id !== 'string' || record.client_id === '') {
    return undefined;
  }
  return {
    clientId: record.client_id,
    ...(typeof record.access_token === 'string' && record.access_token !== ''
      ? { clientSecret: record.access_token }
      : {}),
  };
}

/** The registration stored for `issuer`, if any (no request). */
export async function storedRegistration(store: TokenStore, issuer: string): Promise<RegisteredClient | undefined> {
  return fromRecord(await store.get(registrationKey(issuer)));
}

/** Seconds until the issued secret expires (RFC 7591 `client_secret_expires_at`; 0: never). */
function secretTtl(registration: ClientRegistration): number | undefined {
  const expiresAt = registration.client_secret_expires_at;
  if (typeof registration.client_secret !== 'string' || typeof expiresAt !== 'number' || expiresAt === 0) {
    return undefined;
  }
  return Math.max(0, expiresAt - Math.floor(Date.now() / 1000));
}

/**
 * The stored registration for `issuer`, or a new one, stored. Under the store's lock (where it has
 * one), re-read first: two processes logging in at once register once.
 */
export async function registeredClient(options: {
  issuer: string;
  store: TokenStore;
  fetch?: FetchLike | undefined;
}): Promise<RegisteredClient> {
  const { issuer, store } = options;
  const key = registrationKey(issuer);
  const register = async (): Promise<RegisteredClient> => {
    const stored = await storedRegistration(store, issuer);
    if (stored) {
      return stored;
    }
    let registration: ClientRegistration | undefined;
    await discover(issuer, {
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      onRegister: (made) => {
        registration = made;
      },
    });
    const made = registration!;
    const record: RegistrationRecord = {
      access_token: made.client_secret ?? '',
      token_type: RECORD_TYPE,
      client_id: made.client_id,
    };
    const ttl = secretTtl(made);
    await store.set(key, record, ttl === undefined ? {} : { ttl });
    return fromRecord(record)!;
  };
  return store.lock ? store.lock(key, register) : register();
}
