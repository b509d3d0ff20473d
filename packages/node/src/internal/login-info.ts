import type { StoredTokenSet, TokenStore } from '@keyway/token-store';

/**
 * What `keyway token/list/logout` need to know of a login beyond its tokens: the issuer exactly as
 * given (the store key holds it normalised: `https://auth.example.com/tenant/` loses its slash, and
 * discovery needs the exact string), and which of `audience` / `resource` the key's audience part is.
 *
 * Kept beside the token set, under its own key derived from the login's: the token set stays the
 * provider's wire object (nothing to add on write and delete on read), and a refresh rewrites only it.
 */
export interface LoginInfo {
  issuer: string;
  audience?: string;
  resource?: string;
}

/** The record a store holds (a store holds token sets: `access_token` is empty). */
interface LoginInfoRecord extends StoredTokenSet {
  access_token: '';
  token_type: typeof RECORD_TYPE;
  keyway_issuer: string;
  keyway_audience?: string;
  keyway_resource?: string;
}

const RECORD_TYPE = 'keyway_login_info';

/** The key of the login info of the login stored under `loginKey` (never a `tokenKey` itself). */
export function loginInfoKey(loginKey: string): string {
  return `keyway-login-info:v1:${loginKey}`;
}

/**
 * The fields entries written before the info moved beside the tokens carry inside the token set
 * (still read, and stripped from what `authenticate()` returns).
 */
export const LEGACY_INFO_FIELDS = ['keyway_issuer', 'keyway_audience', 'keyway_resource'] as const;

function fromFields(value: Record<string, unknown> | undefined): LoginInfo | undefined {
  if (typeof value?.keyway_issuer !== 'string') {
    return undefined;
  }
  return {
    issuer: value.keyway_issuer,
    ...(typeof value.keyway_audience === 'string' ? { audience: value.keyway_audience } : {}),
    ...(typeof value.keyway_resource === 'string' ? { resource: value.keyway_resource } : {}),
  };
}

/**
 * Stores the info of the login under `loginKey`, expiring with its tokens (never, when they can be
 * refreshed; else at the access token's expiry).
 */
export async function writeLoginInfo(
  store: TokenStore,
  loginKey: string,
  info: LoginInfo,
  tokens: StoredTokenSet,
): Promise<void> {
  const record: LoginInfoRecord = {
    access_token: '',
    token_type: RECORD_TYPE,
    keyway_issuer: info.issuer,
    ...(info.audience === undefined ? {} : { keyway_audience: info.audience }),
    ...(info.resource === undefined ? {} : { keyway_resource: info.resource }),
    ...(typeof tokens.refresh_token !== 'string' && typeof tokens.expires_at === 'number'
      ? { expires_at: tokens.expires_at }
      : {}),
  };
  await store.set(loginInfoKey(loginKey), record);
}

/** The info of the login under `loginKey`: beside it, else (older entries) inside `tokens`. */
export async function readLoginInfo(
  store: TokenStore,
  loginKey: string,
  tokens: StoredTokenSet | undefined,
): Promise<LoginInfo | undefined> {
  const record = await store.get(loginInfoKey(loginKey));
  return (record?.token_type === RECORD_TYPE ? fromFields(record) : undefined) ?? fromFields(tokens);
}

/** Removes the login info of `loginKey` (with the login). */
export async function deleteLoginInfo(store: TokenStore, loginKey: string): Promise<void> {
  await store.delete(loginInfoKey(loginKey));
}
