import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { applyPatch } from './jws.ts';
import type { ResponseOverride } from './scenario.ts';

/** What an endpoint answers when nothing is bent: a status, headers and a body (JSON when an object). */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function encode(body: unknown): { bytes: Buffer; json: boolean } {
  if (body === undefined) {
    return { bytes: Buffer.alloc(0), json: false };
  }
  if (Buffer.isBuffer(body)) {
    return { bytes: body, json: false };
  }
  if (typeof body === 'string') {
    return { bytes: Buffer.from(body), json: false };
  }
  return { bytes: Buffer.from(JSON.stringify(body)), json: true };
}

/** The usual answer with the override's status, headers and body changes applied. */
function bend(answer: Answer, override: ResponseOverride): Answer {
  let body = answer.body;
  if (override.merge && typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    body = applyPatch({ ...(body as Record<string, unknown>) }, override.merge);
  }
  if ('body' in override) {
    body = override.body;
  }
  if (override.hugeBody) {
    const padding = Math.max(0, override.hugeBody.bytes - 10);
    body = Buffer.from(`{"pad":"${'a'.repeat(padding)}"}`);
  }
  return {
    status: override.status ?? answer.status,
    headers: { ...answer.headers, ...override.headers },
    body,
  };
}

/**
 * Sends `answer` bent by `override`. Connections left open on purpose (hangs, trickles) are handed to
 * `onStall` so that a reset can drop them.
 */
export function sendAnswer(
  res: ServerResponse,
  answer: Answer,
  override: ResponseOverride | undefined,
  onStall: (socket: Socket) => void,
): void {
  const socket = res.socket as Socket;
  if (override?.destroy === 'before-headers') {
    socket.destroy();
    return;
  }
  if (override?.hang === 'before-headers') {
    onStall(socket);
    return;
  }
  if (override?.redirect !== undefined) {
    res.writeHead(override.status ?? 302, { location: override.redirect, ...override.headers });
    res.end();
    return;
  }
  const bent = override ? bend(answer, override) : answer;
  const { bytes, json } = encode(bent.body);
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    ...(json ? { 'content-type': 'application/json' } : bytes.length > 0 ? { 'content-type': 'text/plain' } : {}),
    ...bent.headers,
  };
  const chunked = override?.hugeBody !== undefined && override.hugeBody.declareLength !== true;
  if (!chunked) {
    headers['content-length'] = String(bytes.length);
  }
  res.writeHead(bent.status, headers);
  if (override?.hang === 'after-headers') {
    res.flushHeaders();
    onStall(socket);
    return;
  }
  if (override?.destroy === 'mid-body') {
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    setTimeout(() => socket.destroy(), 20);
    return;
  }
  if (override?.trickleMs !== undefined) {
    res.flushHeaders();
    onStall(socket);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent >= bytes.length || socket.destroyed) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(bytes.subarray(sent, sent + 1));
      sent += 1;
    }, override.trickleMs);
    socket.on('close', () => clearInterval(timer));
    return;
  }
  if (chunked) {
    // Without Content-Length: the client only finds out by counting.
    const step = 64 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < bytes.length) {
        const more = res.write(bytes.subarray(offset, offset + step));
        offset += step;
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    socket.on('error', () => undefined);
    pump();
    return;
  }
  res.end(bytes);
}
