/*
 * Bundled to an IIFE by test/web.test.ts and loaded in a page in headless Chromium: runs contract cases
 * and single operations against the real localStorage and sessionStorage.
 */
import { encryptedStore } from '../../src/encrypted-store.js';
import type { StoredTokenSet } from '../../src/types.js';
import { WebStorageTokenStore } from '../../src/web-store.js';
import { type ContractSubject, runContractCase } from '../contract-cases.js';

type Variant = 'local' | 'session' | 'encrypted-local';

function subject(variant: Variant): ContractSubject {
  return {
    lock: true,
    create(ns) {
      if (variant === 'session') {
        return new WebStorageTokenStore({ storage: sessionStorage, prefix: `${ns}:` });
      }
      const store = new WebStorageTokenStore({ prefix: `${ns}:` });
      return variant === 'local' ? store : encryptedStore(store, 'web store secret, long enough');
    },
  };
}

function describeError(error: unknown): { error: string; code: unknown; rendered: string } {
  return {
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    code: (error as { code?: unknown })?.code ?? null,
    rendered: `${String(error)} ${JSON.stringify(error)} ${String((error as { cause?: unknown })?.cause)}`,
  };
}

const harness = {
  async runCase(name: string, variant: Variant) {
    try {
      await runContractCase(name, subject(variant));
      return { ok: true, runtime: navigator.userAgent };
    } catch (error) {
      return { ok: false, ...describeError(error) };
    }
  },
  /** Holds the lock on `key` for `ms`, recording when it held it. */
  async hold(key: string, ms: number) {
    const store = new WebStorageTokenStore({ prefix: 'tabs:' });
    return store.lock!(key, async () => {
      const start = performance.timeOrigin + performance.now();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { start, end: performance.timeOrigin + performance.now() };
    });
  },
  async set(key: string, value: StoredTokenSet) {
    await new WebStorageTokenStore({ prefix: 'tabs:' }).set(key, value);
  },
  async get(key: string) {
    return (await new WebStorageTokenStore({ prefix: 'tabs:' }).get(key)) ?? null;
  },
  /** What the store does where storage is blocked (sandboxed iframes) or with a failing storage. */
  async failures() {
    const results: Record<string, unknown> = {};
    try {
      await new WebStorageTokenStore().get('k');
      results.default = { ok: true };
    } catch (error) {
      results.default = describeError(error);
    }
    const full: Storage = Object.assign(Object.create(Storage.prototype) as Storage, {
      getItem: () => null,
      removeItem: () => {},
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    try {
      await new WebStorageTokenStore({ storage: full }).set('k', { access_token: 'at-web-secret' });
      results.quota = { ok: true };
    } catch (error) {
      results.quota = describeError(error);
    }
    return results;
  },
};

(globalThis as { keywayHarness?: typeof harness }).keywayHarness = harness;
