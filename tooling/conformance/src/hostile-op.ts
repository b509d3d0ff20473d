import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createKeyRing, type KeyRing } from './keys.ts';
import { CLIENT_ID, discoveryOf, mintToken, type OpState, RESOURCE, type Routed, route } from './op-endpoints.ts';
import { sendAnswer } from './op-respond.ts';
import type { EndpointName, ResponseOverride, Scenario, TokenTweak } from './scenario.ts';

export { CLIENT_ID, RESOURCE };

/** One request the OP received. */
export interface ReceivedRequest {
  endpoint: EndpointName | 'unknown';
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  /** The form body (empty for GET). */
  form: URLSearchParams;
  /** ms since the epoch. */
  at: number;
}

/**
 * A real OpenID Provider on 127.0.0.1 (port 0) that is correct by default — discovery whose issuer is
 * its own URL, a JWKS with an RS256 and an ES256 key, signed ID tokens with iss/aud/exp/iat/nonce/
 * at_hash, code flow with PKCE, PAR, device flow, userinfo, introspection, revocation — and that a
 * case bends through {@link HostileOp.scenario}.
 */
export interface HostileOp {
  /** `http://127.0.0.1:<port>`, exactly as its discovery document says. */
  readonly issuer: string;
  readonly keys: KeyRing;
  /** What the OP does wrong; assign a new one per case (`reset()` empties it). */
  scenario: Scenario;
  /** Every request received since the last reset. */
  readonly requests: ReceivedRequest[];
  /** Requests received by `endpoint` since the last reset. */
  count(endpoint: EndpointName): number;
  /** The discovery document as the OP currently serves it (scenario `metadata` applied). */
  metadata(): Record<string, unknown>;
  /** An ID token for `CLIENT_ID` (or `aud`), bent by `tweak`, signed as the OP would. */
  idToken(tweak?: TokenTweak, aud?: string): Promise<string>;
  /** An RFC 9068 JWT access token for {@link RESOURCE}, bent by `tweak`. */
  accessToken(tweak?: TokenTweak): Promise<string>;
  /** Back to a correct OP: empty scenario, no requests, hanging connections dropped. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a hostile OP. One per test file. */
export async function startHostileOp(): Promise<HostileOp> {
  const keys = await createKeyRing();
  const sockets = new Set<Socket>();
  const stalled = new Set<Socket>();
  const requests: ReceivedRequest[] = [];
  const served = new Map<EndpointName, number>();
  let issuer = '';
  const state: OpState = {
    get issuer() {
      return issuer;
    },
    keys,
    scenario: {},
    codes: new Map(),
    pushed: new Map(),
    devicePolls: new Map(),
  };

  const overrideFor = (endpoint: EndpointName): ResponseOverride | undefined => {
    const n = served.get(endpoint) ?? 0;
    served.set(endpoint, n + 1);
    const configured = state.scenario[endpoint];
    if (Array.isArray(configured)) {
      return configured[n] ?? undefined;
    }
    return configured;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const raw = await readBody(req);
    const form = new URLSearchParams(req.method === 'POST' ? raw : '');
    const routed: Routed = await route(state, req, url, form);
    requests.push({
      endpoint: routed.endpoint,
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      form,
      at: Date.now(),
    });
    const override = routed.endpoint === 'unknown' ? undefined : overrideFor(routed.endpoint);
    sendAnswer(res, routed.answer, override, (socket) => stalled.add(socket));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('hostile OP: internal failure');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stalled.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const mint = async (kind: 'id' | 'at', tweak: TokenTweak | undefined, aud?: string): Promise<string> =>
    (await mintToken(state, kind, tweak, aud ? { aud } : {})).jwt;

  return {
    get issuer() {
      return issuer;
    },
    keys,
    get scenario() {
      return state.scenario;
    },
    set scenario(value: Scenario) {
      state.scenario = value;
    },
    requests,
    count: (endpoint) => requests.filter((r) => r.endpoint === endpoint).length,
    metadata: () => discoveryOf(state),
    idToken: (tweak, aud) => mint('id', tweak, aud),
    accessToken: (tweak) => mint('at', tweak),
    reset() {
      state.scenario = {};
      requests.length = 0;
      served.clear();
      state.codes.clear();
      state.pushed.clear();
      state.devicePolls.clear();
      for (const socket of stalled) {
        socket.destroy();
      }
      stalled.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** The request body as text (bounded: the clients under test never send much). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1_000_000) {
        req.destroy();
        reject(new Error('request body too large'));
      }
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * One hostile OP for a test file: started before its tests, reset to a correct OP before each test,
 * closed after. The returned object stands for that OP (its properties are the running OP's), so a
 * file reads `const op = useHostileOp();` and then `op.scenario = { ... }`.
 */
export function useHostileOp(): HostileOp {
  let current: HostileOp | undefined;
  beforeAll(async () => {
    current = await startHostileOp();
  });
  afterAll(() => current?.close());
  beforeEach(() => current?.reset());
  const running = (): HostileOp => {
    if (!current) {
      throw new Error('The hostile OP is not running: use it inside a test or hook.');
    }
    return current;
  };
  return new Proxy({} as HostileOp, {
    get: (_, name) => {
      const value = Reflect.get(running(), name);
      return typeof value === 'function' ? value.bind(running()) : value;
    },
    set: (_, name, value) => Reflect.set(running(), name, value),
  });
}
