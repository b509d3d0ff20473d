import { TokenStoreError } from './errors.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from './internal/encoding.js';
import { assertStorable, expiryOf, isExpired } from './internal/expiry.js';
import type { SetOptions, StoredTokenSet, TokenStore } from './types.js';
import type { WebCryptoKey } from './web-types.js';

const FORMAT = 'keyway-aes-gcm-v1';
const HKDF_SALT = 'keyway/token-store/v1';
const HKDF_INFO = 'keyway token-store AES-256-GCM';
const AAD_PREFIX = 'keyway/token-store/v1 key:';
const MIN_SECRET_LENGTH = 16;

/**
 * What `encryptedStore` writes to the inner store: an opaque token set. The ciphertext sits in
 * `access_token` so that every adapter can hold it; `token_type` names the format.
 */
interface EncryptedEnvelope extends StoredTokenSet {
  token_type: typeof FORMAT;
  /** `<iv>.<ciphertext+tag>`, both base64url. */
  access_token: string;
}

/**
 * Options of {@link encryptedStore}.
 */
export interface EncryptedStoreOptions {
  /** Clock in epoch milliseconds used to turn `expires_at` into a ttl for the inner store. */
  now?: () => number;
}

/**
 * Wraps a store so that values are encrypted at rest with AES-256-GCM (Web Crypto).
 *
 * - `secret` is either a high-entropy string (at least 16 characters; use 32 random bytes, e.g. from
 *   `openssl rand -base64 32`, not a human password), from which the key is derived with HKDF-SHA-256
 *   under a fixed context, or a `CryptoKey`: an AES-GCM key (`encrypt`/`decrypt` usages) used as it
 *   is, or an HKDF key (`deriveKey` usage) derived like a string.
 * - Each write uses a fresh random 96-bit IV.
 * - The store key is bound as additional authenticated data: a value copied to another key does not
 *   decrypt.
 * - A wrong secret, tampered data, a moved value or a plaintext value throws a
 *   {@link TokenStoreError} with code `decrypt_failed`. An unusable secret (too short, a key without the
 *   right usages) makes `get` and `set` throw `invalid_secret`; `delete` works without the key.
 *
 * The wrapper computes the expiry itself (the inner store only sees ciphertext) and passes it on as
 * an explicit `ttl`; `lock` is passed through when the inner store has one.
 *
 * @example
 * ```ts
 * import { encryptedStore, MemoryTokenStore } from '@keyway/token-store';
 *
 * const store = encryptedStore(new MemoryTokenStore(), 'a long random secret from your vault');
 * await store.set('key', { access_token: 'at', refresh_token: 'rt' });
 * const tokens = await store.get('key'); // decrypted
 * ```
 */
export function encryptedStore<T extends StoredTokenSet = StoredTokenSet>(
  store: TokenStore<StoredTokenSet>,
  secret: string | WebCryptoKey,
  options: EncryptedStoreOptions = {},
): TokenStore<T> {
  const now = options.now ?? Date.now;
  const keyPromise = importSecret(secret);
  // A rejected key promise must not count as unhandled before the first use.
  keyPromise.catch(() => {});

  const wrapped: TokenStore<T> = {
    async get(key) {
      // The key first: an unusable secret fails the first read even when nothing is stored yet.
      const cryptoKey = await keyPromise;
      const envelope = await store.get(key);
      if (envelope === undefined) {
        return undefined;
      }
      return decrypt<T>(cryptoKey, key, envelope);
    },
    async set(key, value, setOptions?: SetOptions) {
      assertStorable(value);
      const cryptoKey = await keyPromise;
      const at = now();
      const expiresAt = expiryOf(value, setOptions, at);
      if (isExpired(expiresAt, at)) {
        await store.delete(key);
        return;
      }
      const envelope = await encrypt(cryptoKey, key, value);
      await store.set(key, envelope, expiresAt === undefined ? undefined : { ttl: (expiresAt - at) / 1000 });
    },
    delete(key) {
      return store.delete(key);
    },
  };
  if (store.lock) {
    const lock = store.lock.bind(store);
    wrapped.lock = (key, fn) => lock(key, fn);
  }
  return wrapped;
}

async function importSecret(secret: string | WebCryptoKey): Promise<CryptoKey> {
  if (typeof secret === 'string') {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new TokenStoreError(
        `encryptedStore needs a secret of at least ${MIN_SECRET_LENGTH} characters (use 32 random bytes).`,
        { code: 'invalid_secret' },
      );
    }
    const base = await crypto.subtle.importKey('raw', utf8(secret), 'HKDF', false, ['deriveKey']);
    return deriveAesKey(base);
  }
  if (!isCryptoKey(secret)) {
    throw new TokenStoreError('encryptedStore needs a secret string or a CryptoKey.', { code: 'invalid_secret' });
  }
  const algorithm = secret.algorithm.name;
  if (algorithm === 'AES-GCM' && secret.usages.includes('encrypt') && secret.usages.includes('decrypt')) {
    return secret;
  }
  if (algorithm === 'HKDF' && secret.usages.includes('deriveKey')) {
    return deriveAesKey(secret);
  }
  throw new TokenStoreError(
    'encryptedStore needs an AES-GCM CryptoKey with encrypt and decrypt usages, or an HKDF key with deriveKey.',
    { code: 'invalid_secret' },
  );
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CryptoKey).algorithm === 'object' &&
    Array.isArray((value as CryptoKey).usages)
  );
}

function deriveAesKey(base: CryptoKey): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(HKDF_SALT), info: utf8(HKDF_INFO) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function encrypt(key: CryptoKey, storeKey: string, value: StoredTokenSet): Promise<EncryptedEnvelope> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(AAD_PREFIX + storeKey) },
    key,
    utf8(JSON.stringify(value)),
  );
  return { token_type: FORMAT, access_token: `${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}` };
}

async function decrypt<T>(key: CryptoKey, storeKey: string, envelope: StoredTokenSet): Promise<T> {
  if (envelope.token_type !== FORMAT || typeof envelope.access_token !== 'string') {
    throw new TokenStoreError('The stored value is not encrypted by encryptedStore.', { code: 'decrypt_failed' });
  }
  const [ivText, dataText, extra] = envelope.access_token.split('.');
  let plaintext: ArrayBuffer;
  try {
    if (ivText === undefined || dataText === undefined || extra !== undefined) {
      throw new TypeError('malformed envelope');
    }
    const iv = fromBase64Url(ivText);
    if (iv.length !== 12) {
      throw new TypeError('bad IV length');
    }
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(AAD_PREFIX + storeKey) },
      key,
      fromBase64Url(dataText),
    );
  } catch (cause) {
    throw new TokenStoreError(
      'Could not decrypt the stored value: wrong secret, tampered data, or a value moved from another key.',
      { code: 'decrypt_failed', cause },
    );
  }
  try {
    return JSON.parse(fromUtf8(new Uint8Array(plaintext))) as T;
  } catch {
    // No cause: a JSON parse error would quote the plaintext.
    throw new TokenStoreError('The decrypted value is not JSON.', { code: 'decrypt_failed' });
  }
}
