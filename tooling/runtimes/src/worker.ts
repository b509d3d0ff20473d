/*
 * A Worker that runs the SDK's cases where it is loaded — workerd (miniflare) or Vercel's edge-runtime —
 * and answers `GET /case/<name>` with `{ ok, detail }` as JSON. The tests bundle this file with esbuild
 * against the BUILT packages (their `dist`), so it runs what users install.
 */
import { lifecycleCases } from './cases/lifecycle.ts';
import { oauthCases } from './cases/oauth.ts';
import { serviceClientCases } from './cases/service-client.ts';
import type { Case, CaseResult } from './cases/types.ts';

declare const EdgeRuntime: string | undefined;

const cases: Record<string, Case> = {
  ...serviceClientCases,
  ...oauthCases,
  ...lifecycleCases,
  async runtime() {
    return {
      userAgent: typeof navigator === 'undefined' ? null : navigator.userAgent,
      edgeRuntime: typeof EdgeRuntime === 'string' ? EdgeRuntime : null,
      // @keyway/mocks runs without it: its workerd/edge-light build never loads msw, which needs it here.
      localStorage: typeof (globalThis as { localStorage?: unknown }).localStorage,
      webCrypto: typeof crypto.subtle.sign === 'function',
      // Neither runtime may hand out Node's globals: the SDK must not need them.
      process: typeof (globalThis as { process?: unknown }).process,
      buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    };
  },
};

function describe(error: unknown): CaseResult {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
  const code = (error as { code?: unknown } | null)?.code;
  return { ok: false, error: `${text}${stack}`, code: typeof code === 'string' ? code : null };
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const name = pathname.startsWith('/case/') ? decodeURIComponent(pathname.slice('/case/'.length)) : '';
    const run = cases[name];
    if (!run) {
      return Response.json({ ok: false, error: `no case ${JSON.stringify(name)}`, code: null }, { status: 404 });
    }
    let result: CaseResult;
    try {
      result = { ok: true, detail: await run() };
    } catch (error) {
      result = describe(error);
    }
    return Response.json(result);
  },
};
