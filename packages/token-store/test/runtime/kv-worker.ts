/*
 * A Worker bundled by test/kv.test.ts and run in workerd (miniflare). It runs contract cases and single
 * store operations against a real KV binding and answers with JSON.
 */
import { encryptedStore } from '../../src/encrypted-store.js';
import { type KvNamespaceLike, KvTokenStore } from '../../src/kv-store.js';
import type { StoredTokenSet, TokenStore } from '../../src/types.js';
import { type ContractSubject, runContractCase } from '../contract-cases.js';

interface Env {
  TOKENS: KvNamespaceLike;
}

type Variant = 'kv' | 'encrypted-kv';

function subject(env: Env, variant: Variant): ContractSubject {
  return {
    lock: false,
    create(ns) {
      const store = new KvTokenStore({ namespace: env.TOKENS, prefix: `${ns}:` });
      return variant === 'kv' ? store : encryptedStore(store, 'kv store secret, long enough');
    },
  };
}

interface Operation {
  op: 'set' | 'get' | 'delete';
  prefix?: string;
  key: string;
  value?: StoredTokenSet;
  ttl?: number;
}

async function operate(env: Env, operation: Operation): Promise<unknown> {
  const store: TokenStore = new KvTokenStore({ namespace: env.TOKENS, prefix: operation.prefix });
  if (operation.op === 'set') {
    await store.set(operation.key, operation.value!, operation.ttl === undefined ? undefined : { ttl: operation.ttl });
    return null;
  }
  if (operation.op === 'get') {
    return (await store.get(operation.key)) ?? null;
  }
  await store.delete(operation.key);
  return null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const body = (await request.json()) as Record<string, unknown>;
    try {
      if (url.pathname === '/case') {
        await runContractCase(body.name as string, subject(env, body.variant as Variant));
        return Response.json({ ok: true, runtime: navigator.userAgent });
      }
      if (url.pathname === '/op') {
        return Response.json({ ok: true, result: await operate(env, body as unknown as Operation) });
      }
      return Response.json({ ok: false, error: `no route ${url.pathname}` }, { status: 404 });
    } catch (error) {
      return Response.json({
        ok: false,
        error: errorText(error),
        code: (error as { code?: unknown }).code ?? null,
        // What a caller of the store could see in the runtime: the test checks no secret is in it.
        rendered: `${String(error)} ${JSON.stringify(error)} ${String((error as { cause?: unknown }).cause)}`,
      });
    }
  },
};
