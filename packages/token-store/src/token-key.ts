import { TokenStoreError } from './errors.js';

/**
 * What a token set is for: the parts of a {@link tokenKey}.
 */
export interface TokenKeyParts {
  /** The issuer URL (or, for the Keyway service, its base URL). */
  issuer: string;
  clientId: string;
  /** Audience or resource indicator; kept exactly as given (audiences are case-sensitive). */
  audience?: string;
  /** Space-separated scopes; order and duplicates do not matter. */
  scope?: string;
  /** The user (or other subject) the tokens act for. */
  subject?: string;
}

/**
 * The store key for a token set: deterministic and identical in every process and runtime.
 *
 * - The issuer is normalised: scheme and host lowercased, default port and trailing slashes dropped
 *   (`HTTPS://Auth.Example.com:443/` and `https://auth.example.com` give the same key).
 * - Scopes are split on whitespace, deduplicated and sorted.
 * - Each part is percent-encoded and labelled, so no value can forge a delimiter: different parts
 *   always give different keys. Empty optional parts count as absent.
 *
 * The result reads like `keyway:v1:iss=https%3A%2F%2Fauth.example.com:cid=cli:scp=read%20write`.
 *
 * @example
 * ```ts
 * import { tokenKey } from '@keyway/token-store';
 *
 * const a = tokenKey({ issuer: 'https://Auth.example.com/', clientId: 'cli', scope: 'write read' });
 * const b = tokenKey({ issuer: 'https://auth.example.com', clientId: 'cli', scope: 'read write read' });
 * console.assert(a === b);
 * ```
 */
export function tokenKey(parts: TokenKeyParts): string {
  if (typeof parts.issuer !== 'string' || parts.issuer.trim() === '') {
    throw new TokenStoreError('tokenKey needs a non-empty `issuer`.', { code: 'invalid_key' });
  }
  if (typeof parts.clientId !== 'string' || parts.clientId === '') {
    throw new TokenStoreError('tokenKey needs a non-empty `clientId`.', { code: 'invalid_key' });
  }
  for (const name of ['issuer', 'clientId', 'audience', 'scope', 'subject'] as const) {
    const value: unknown = parts[name];
    // A lone surrogate cannot be encoded (encodeURIComponent throws URIError): refuse it like any bad part.
    if (value !== undefined && value !== null && (typeof value !== 'string' || !isWellFormed(value))) {
      throw new TokenStoreError(`tokenKey: \`${name}\` must be a well-formed string.`, { code: 'invalid_key' });
    }
  }
  const issuer = normaliseIssuer(parts.issuer);
  if (issuer === '') {
    throw new TokenStoreError('tokenKey needs an `issuer` that is more than slashes.', { code: 'invalid_key' });
  }
  const fields: Array<[string, string | undefined]> = [
    ['iss', issuer],
    ['cid', parts.clientId],
    ['aud', parts.audience || undefined],
    ['scp', normaliseScope(parts.scope)],
    ['sub', parts.subject || undefined],
  ];
  let key = 'keyway:v1';
  for (const [label, value] of fields) {
    if (value !== undefined) {
      key += `:${label}=${encodePart(value)}`;
    }
  }
  return key;
}

const LABELS: Record<string, keyof TokenKeyParts> = {
  iss: 'issuer',
  cid: 'clientId',
  aud: 'audience',
  scp: 'scope',
  sub: 'subject',
};

/**
 * The parts of a key made by {@link tokenKey} (issuer normalised, scopes sorted), or `undefined` for
 * any other string. `tokenKey(parseTokenKey(key))` gives `key` back.
 *
 * @example
 * ```ts
 * import { parseTokenKey, tokenKey } from '@keyway/token-store';
 *
 * const key = tokenKey({ issuer: 'https://auth.example.com/', clientId: 'cli', scope: 'write read' });
 * parseTokenKey(key); // { issuer: 'https://auth.example.com', clientId: 'cli', scope: 'read write' }
 * ```
 */
export function parseTokenKey(key: string): TokenKeyParts | undefined {
  if (typeof key !== 'string' || !key.startsWith('keyway:v1:')) {
    return undefined;
  }
  const parts: Partial<Record<keyof TokenKeyParts, string>> = {};
  for (const field of key.slice('keyway:v1:'.length).split(':')) {
    const eq = field.indexOf('=');
    const name = LABELS[field.slice(0, eq)];
    if (eq < 0 || name === undefined || parts[name] !== undefined) {
      return undefined;
    }
    try {
      parts[name] = decodeURIComponent(field.slice(eq + 1));
    } catch {
      return undefined;
    }
  }
  if (!parts.issuer || !parts.clientId) {
    return undefined;
  }
  const parsed = parts as TokenKeyParts;
  // Only keys tokenKey itself would produce (field order, normalisation) count.
  try {
    return tokenKey(parsed) === key ? parsed : undefined;
  } catch {
    return undefined; // a decoded part tokenKey refuses (a lone surrogate): not one of its keys
  }
}

/** True unless `value` holds a lone UTF-16 surrogate (`String.prototype.isWellFormed`, written out for older runtimes). */
function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/**
 * Lowercases scheme and host, drops the default port, the fragment and trailing slashes — repeated
 * until nothing changes, so that normalising a normalised issuer is a no-op (odd inputs such as
 * `A: /` change again on a second pass) and parseTokenKey reads every key back; an issuer that never
 * settles is refused.
 */
function normaliseIssuer(issuer: string): string {
  let current = issuer;
  for (let pass = 0; pass < 4; pass++) {
    const next = normaliseIssuerOnce(current);
    if (next === current) {
      return next;
    }
    current = next;
  }
  throw new TokenStoreError('tokenKey: the `issuer` has no stable normal form.', { code: 'invalid_key' });
}

function normaliseIssuerOnce(issuer: string): string {
  const trimmed = issuer.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    // Not a URL (a bare name): used as given, minus trailing slashes and spaces (all of them, so that
    // normalising a normalised issuer changes nothing and parseTokenKey reads every key back).
    return trimmed.replace(/[\s/]+$/, '');
  }
  // URL already lowercases scheme and host and drops the scheme's default port.
  const path = url.pathname.replace(/\/+$/, '');
  const origin = url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin;
  return `${origin}${path}${url.search}`;
}

function normaliseScope(scope: string | undefined): string | undefined {
  if (!scope) {
    return undefined;
  }
  const scopes = [...new Set(scope.split(/\s+/).filter(Boolean))].sort();
  return scopes.length > 0 ? scopes.join(' ') : undefined;
}

// encodeURIComponent leaves `!'()*` alone; encode them too so the key only holds [A-Za-z0-9._~-] and escapes.
function encodePart(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
