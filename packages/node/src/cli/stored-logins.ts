import { readFile } from 'node:fs/promises';

/** One stored login, as `keyway list` shows it: never a token. */
export interface StoredLogin {
  key: string;
  issuer: string;
  clientId: string;
  audience?: string;
  scope?: string;
  subject?: string;
  /** Access token expiry, epoch seconds. */
  expiresAt?: number;
  /** A refresh token is stored: the login outlives its access token. */
  refreshable: boolean;
}

const LABELS: Record<string, keyof StoredLogin> = {
  iss: 'issuer',
  cid: 'clientId',
  aud: 'audience',
  scp: 'scope',
  sub: 'subject',
};

/**
 * Reads the logins of a `FileTokenStore` file without writing or locking it. FileTokenStore has no
 * listing method, so this reads its documented schema (version 1:
 * `{ "version": 1, "entries": { "<key>": { "value": {...}, "expiresAt"?: <epoch ms> } } }`) and parses
 * the `tokenKey` keys (`keyway:v1:iss=...:cid=...[:aud=...][:scp=...][:sub=...]`). Entries that are
 * expired, or whose key another tool wrote, are left out. A missing file is no logins.
 */
export async function readStoredLogins(path: string, now: number = Date.now()): Promise<StoredLogin[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`The token file ${path} is not valid JSON.`);
  }
  const { version, entries } = (document ?? {}) as { version?: unknown; entries?: unknown };
  if (version !== 1 || typeof entries !== 'object' || entries === null) {
    throw new Error(`The token file ${path} has an unknown format (version ${String(version)}).`);
  }
  const logins: StoredLogin[] = [];
  for (const [key, entry] of Object.entries(entries as Record<string, unknown>)) {
    const parts = parseKey(key);
    const { value, expiresAt } = (entry ?? {}) as { value?: Record<string, unknown>; expiresAt?: unknown };
    if (!parts || typeof value !== 'object' || value === null) {
      continue;
    }
    if (typeof expiresAt === 'number' && expiresAt <= now) {
      continue;
    }
    const login: StoredLogin = { key, ...parts, refreshable: typeof value.refresh_token === 'string' };
    if (typeof value.expires_at === 'number') {
      login.expiresAt = value.expires_at;
    }
    const claims = value.claims as { sub?: unknown } | undefined;
    if (login.subject === undefined && typeof claims?.sub === 'string') {
      login.subject = claims.sub;
    }
    logins.push(login);
  }
  return logins.sort((a, b) => a.issuer.localeCompare(b.issuer) || a.clientId.localeCompare(b.clientId));
}

function parseKey(
  key: string,
): Pick<StoredLogin, 'issuer' | 'clientId' | 'audience' | 'scope' | 'subject'> | undefined {
  const [prefix, version, ...fields] = key.split(':');
  if (prefix !== 'keyway' || version !== 'v1') {
    return undefined;
  }
  const parts: Record<string, string> = {};
  for (const field of fields) {
    const at = field.indexOf('=');
    const name = LABELS[field.slice(0, at)];
    if (at < 0 || name === undefined) {
      return undefined;
    }
    try {
      parts[name] = decodeURIComponent(field.slice(at + 1));
    } catch {
      return undefined;
    }
  }
  if (!parts.issuer || !parts.clientId) {
    return undefined;
  }
  return parts as Pick<StoredLogin, 'issuer' | 'clientId'>;
}
