/*
 * Every case by name, and the one way to run a case: a thrown error becomes `{ ok: false }` with the
 * error's name, message, stack and `code`. The Worker (workerd, edge-runtime) and the driver (Node, Deno,
 * Bun) both run cases through `runCase`, so every runtime reports the same shape.
 */
import { lifecycleCases } from './lifecycle.ts';
import { oauthCases } from './oauth.ts';
import { serviceClientCases } from './service-client.ts';
import type { Case, CaseResult } from './types.ts';

declare const EdgeRuntime: string | undefined;

export const cases: Record<string, Case> = {
  ...serviceClientCases,
  ...oauthCases,
  ...lifecycleCases,
  async runtime() {
    return {
      userAgent: typeof navigator === 'undefined' ? null : navigator.userAgent,
      edgeRuntime: typeof EdgeRuntime === 'string' ? EdgeRuntime : null,
      // @keyway/mocks runs without it: its workerd/edge-light build never loads msw, which needs it there.
      localStorage: typeof (globalThis as { localStorage?: unknown }).localStorage,
      webCrypto: typeof crypto.subtle.sign === 'function',
      // No edge runtime may hand out Node's globals: the SDK must not need them.
      process: typeof (globalThis as { process?: unknown }).process,
      buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    };
  },
};

function failure(error: unknown): CaseResult {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
  const code = (error as { code?: unknown } | null)?.code;
  return { ok: false, error: `${text}${stack}`, code: typeof code === 'string' ? code : null };
}

/** Runs one case; `undefined` when there is no case of that name. */
export async function runCase(name: string): Promise<CaseResult | undefined> {
  const run = Object.hasOwn(cases, name) ? cases[name] : undefined;
  if (!run) {
    return undefined;
  }
  try {
    return { ok: true, detail: await run() };
  } catch (error) {
    return failure(error);
  }
}
