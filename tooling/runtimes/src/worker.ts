/*
 * A Worker that runs the SDK's cases where it is loaded — workerd (miniflare) or Vercel's edge-runtime —
 * and answers `GET /case/<name>` with `{ ok, detail }` as JSON. The tests bundle this file with esbuild
 * against the BUILT packages (their `dist`), so it runs what users install.
 */
import { runCase } from './cases/run.ts';

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const name = pathname.startsWith('/case/') ? decodeURIComponent(pathname.slice('/case/'.length)) : '';
    const result = await runCase(name);
    if (!result) {
      return Response.json({ ok: false, error: `no case ${JSON.stringify(name)}`, code: null }, { status: 404 });
    }
    return Response.json(result);
  },
};
