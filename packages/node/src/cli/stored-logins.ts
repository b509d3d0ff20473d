import { parseTokenKey } from '@keyway/token-store';
import type { FileTokenStore } from '@keyway/token-store/file';
import { readLoginInfo } from '../internal/login-info.js';

/** One stored login, as `keyway list` shows it: never a token. */
export interface StoredLogin {
  key: string;
  /** The issuer exactly as the login was given it (older entries: as normalised in the key). */
  issuer: string;
  clientId: string;
  /** The `audience` the login asked for (Auth0-style providers). */
  audience?: string;
  /** The RFC 8707 resource indicator the login asked for. */
  resource?: string;
  scope?: string;
  subject?: string;
  /** Access token expiry, epoch seconds. */
  expiresAt?: number;
  /** A refresh token is stored: the login outlives its access token. */
  refreshable: boolean;
}

/**
 * The logins kept in a `FileTokenStore`: its live keys (`keys()`) that `parseTokenKey` recognises as
 * `tokenKey` keys, completed from each token set (the exact issuer, `audience` or `resource`, the
 * subject, the expiry). Entries whose key another tool wrote are left out. A missing file is no logins.
 */
export async function readStoredLogins(store: FileTokenStore): Promise<StoredLogin[]> {
  const logins: StoredLogin[] = [];
  for (const key of await store.keys()) {
    const parts = parseTokenKey(key);
    const value = parts === undefined ? undefined : await store.get(key);
    if (parts === undefined || typeof value !== 'object' || value === null) {
      continue;
    }
    const info = await readLoginInfo(store, key, value);
    const login: StoredLogin = {
      key,
      issuer: info?.issuer ?? parts.issuer,
      clientId: parts.clientId,
      refreshable: typeof value.refresh_token === 'string',
    };
    // The key's audience part is `audience` when the login had one, else `resource` (as in every
    // entry written before `audience` existed).
    if (info?.audience !== undefined) {
      login.audience = info.audience;
    }
    const resource = info?.resource;
    if (resource !== undefined || (login.audience === undefined && parts.audience !== undefined)) {
      login.resource = resource ?? parts.audience!;
    }
    if (parts.scope !== undefined) {
      login.scope = parts.scope;
    }
    if (parts.subject !== undefined) {
      login.subject = parts.subject;
    } else {
      const subject = (value.claims as { sub?: unknown } | undefined)?.sub;
      if (typeof subject === 'string') {
        login.subject = subject;
      }
    }
    if (typeof value.expires_at === 'number') {
      login.expiresAt = value.expires_at;
    }
    logins.push(login);
  }
  return logins.sort((a, b) => a.issuer.localeCompare(b.issuer) || a.clientId.localeCompare(b.clientId));
}
