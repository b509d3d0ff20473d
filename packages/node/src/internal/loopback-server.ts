import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError, KeywayError } from '@keyway/core';

/** What the handler of a callback decides: the page the browser sees, and whether the wait is over. */
interface CallbackOutcome {
  status: number;
  title: string;
  detail: string;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves once the server no longer listens and every connection is gone. */
  close(): Promise<void>;
}

interface LoopbackServerOptions {
  port: number;
  path: string;
  /**
   * Called for each GET of `path` on the expected host. Returning `undefined` means "not ours" (the
   * server answers 400 and keeps waiting); otherwise the answer is sent and the server closes.
   */
  onCallback: (url: URL) => Promise<CallbackOutcome | undefined>;
}

const LOOPBACK_HOST = '127.0.0.1';

/**
 * A one-shot HTTP server on 127.0.0.1 (RFC 8252 §7.3: a loopback IP literal, never `localhost` or
 * 0.0.0.0) for the redirect of a native app's authorization request.
 */
export async function startLoopbackServer(options: LoopbackServerOptions): Promise<LoopbackServer> {
  let done = false;
  let closed: Promise<void> | undefined;
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        send(response, { status: 500, title: 'Sign-in failed', detail: 'An unexpected error occurred.' });
      }
    });
  });
  // Keep-alive connections from the browser would hold close() open.
  server.keepAliveTimeout = 1_000;

  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // A browser's speculative, idle sockets: nothing to wait for.
      setTimeout(() => server.closeAllConnections(), 100).unref();
    });
    return closed;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://${LOOPBACK_HOST}:${port}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, {
        status: 405,
        title: 'Method not allowed',
        detail: 'This address only takes the sign-in redirect.',
      });
      return;
    }
    // A page on another origin that resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
    if (request.headers.host !== `${LOOPBACK_HOST}:${port}`) {
      send(response, { status: 400, title: 'Wrong host', detail: 'Requests must address 127.0.0.1 directly.' });
      return;
    }
    if (url.pathname !== options.path || done) {
      send(response, {
        status: 404,
        title: 'Not found',
        detail: done ? 'The sign-in already finished. You can close this tab.' : 'Nothing here.',
      });
      return;
    }
    const outcome = await options.onCallback(url);
    if (outcome === undefined) {
      send(response, {
        status: 400,
        title: 'Unexpected sign-in response',
        detail: 'This response does not belong to the sign-in in progress; it was ignored.',
      });
      return;
    }
    done = true;
    send(response, outcome, () => {
      void close();
    });
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, options.port));
    server.once('error', onError);
    server.listen({ host: LOOPBACK_HOST, port: options.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return { redirectUri: `http://${LOOPBACK_HOST}:${port}${options.path}`, port, close };
}

/** A typed error for a port that cannot be had, instead of a raw `EADDRINUSE`. */
function listenError(error: NodeJS.ErrnoException, port: number): KeywayError {
  if (error.code === 'EADDRINUSE') {
    return new ConfigurationError(
      `Port ${port} on ${LOOPBACK_HOST} is already in use, so the login cannot receive its redirect there: ` +
        'stop what listens on it, or choose another redirectPort (0: any free port).',
      { code: 'port_in_use', cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new ConfigurationError(
      `This process may not listen on port ${port} of ${LOOPBACK_HOST}: choose a redirectPort above 1023 (0: any free port).`,
      { code: 'port_not_allowed', cause: error },
    );
  }
  return new KeywayError(
    `Cannot listen on ${LOOPBACK_HOST}:${port} for the login's redirect (${error.code ?? error.message}).`,
    {
      code: 'loopback_unavailable',
      cause: error,
    },
  );
}

function send(response: ServerResponse, outcome: CallbackOutcome, then?: () => void): void {
  const body = page(outcome);
  response.writeHead(outcome.status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    Connection: 'close',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body, then);
}

function page({ title, detail }: CallbackOutcome): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:15vh auto;max-width:32rem;padding:0 1rem;color:#222}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
