import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The relying party's side of the browser flows: where the provider sends the browser back. */
export interface CallbackServer {
  /** `http://127.0.0.1:<port>/callback`, registered as every client's redirect URI. */
  redirectUri: string;
  /** `http://127.0.0.1:<port>/logged-out`, registered as every client's post-logout redirect URI. */
  postLogoutRedirectUri: string;
  /** `http://127.0.0.1:<port>/backchannel-logout`: where a provider POSTs back-channel logout tokens. */
  backchannelLogoutUri: string;
  /** Every URL the browser reached on this server, oldest first. */
  readonly hits: URL[];
  /** Every POST this server received (a `form_post` callback, a back-channel logout), oldest first. */
  readonly posts: ReceivedPost[];
  close(): Promise<void>;
}

/** A POST the relying party received, as it came. */
export interface ReceivedPost {
  url: URL;
  contentType: string | undefined;
  body: string;
  /** The request as a `fetch` server would hand it to the client (`handleCallback(request)`). */
  request(): Request;
}

/**
 * Starts a tiny HTTP server on 127.0.0.1 (port 0) that answers 200 and records each request's URL (but a
 * favicon's), and each POST's body.
 */
export async function startCallbackServer(): Promise<CallbackServer> {
  const hits: URL[] = [];
  const posts: ReceivedPost[] = [];
  let origin = '';
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/favicon.ico') {
      // Chromium asks for one on its own; it is no callback.
      res.writeHead(404).end();
      return;
    }
    hits.push(url);
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'];
      posts.push({
        url,
        contentType,
        body,
        request: () =>
          new Request(url, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body }),
      });
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!DOCTYPE html><title>Keyway interop callback</title><link rel="icon" href="data:,"><p>ok</p>');
  });
  const port = await listen(server);
  origin = `http://127.0.0.1:${port}`;
  return {
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/logged-out`,
    backchannelLogoutUri: `${origin}/backchannel-logout`,
    hits,
    posts,
    close: () => close(server),
  };
}

/** Listens on 127.0.0.1 port 0 and resolves to the port the OS picked. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server, dropping idle keep-alive sockets so the close does not wait for them. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
