/*
 * The Hono app of hono-app.ts served by Bun on 127.0.0.1 (port 0) for the issuer in argv[2]; prints
 * `{ "url", "bun" }` as one JSON line once it listens. Bundled and run by hono.bun.test.ts.
 */
import { honoApp } from './hono-app.ts';

declare const Bun: {
  version: string;
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    url: URL;
  };
};

const issuer = process.argv[2];
if (!issuer) {
  throw new Error('usage: bun hono-bun.js <issuer>');
}
const app = honoApp(issuer);
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => app.fetch(request) });
console.log(JSON.stringify({ url: server.url.href, bun: Bun.version }));
