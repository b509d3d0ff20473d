/*
 * The MCP side of the server: JSON-RPC 2.0 messages over Streamable HTTP (MCP 2025-06-18), answered with
 * one `application/json` response per POST — no SSE stream and no session, which a stateless Worker does
 * not need. The server offers one tool, `whoami`, which tells the caller who Keyway says it is.
 * Replace `TOOLS` and `callTool` with your own tools; the caller comes verified from `keywayAuth`.
 */

/** Protocol revisions this server speaks, newest first: `initialize` answers with the client's one if listed here. */
export const PROTOCOL_VERSIONS: readonly string[] = ['2025-06-18', '2025-03-26'];

/** A POST body larger than this (bytes in Content-Length, or characters read) is refused before it is parsed. */
export const MAX_BODY_BYTES = 1_000_000;

/** Who is calling, from the verified access token. */
export interface Caller {
  sub: string;
  clientId: string | undefined;
  scopes: readonly string[];
}

type Id = string | number;

/** JSON-RPC 2.0 error codes (the spec's reserved range). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;

const TOOLS = [
  {
    name: 'whoami',
    title: 'Who am I',
    description: 'The caller as Keyway verified it: the access token’s subject, client and scopes.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: {
      type: 'object',
      properties: {
        sub: { type: 'string' },
        client_id: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
      },
      required: ['sub', 'scopes'],
    },
  },
];

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is Id =>
  typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

function rpcError(id: Id | null, code: number, message: string, status: number): Response {
  return Response.json({ jsonrpc: '2.0', id, error: { code, message } }, { status });
}

function initialize(params: Record<string, unknown>) {
  const asked = params.protocolVersion;
  return {
    protocolVersion: typeof asked === 'string' && PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0],
    capabilities: { tools: {} },
    serverInfo: { name: 'keyway-mcp-worker', version: '0.0.0' },
    instructions: 'Call the whoami tool to see the identity your access token carries.',
  };
}

function callTool(params: Record<string, unknown>, caller: Caller) {
  if (params.name !== 'whoami') {
    throw new RpcError(INVALID_PARAMS, 'Unknown tool: this server has only "whoami".');
  }
  if (params.arguments !== undefined && !isObject(params.arguments)) {
    throw new RpcError(INVALID_PARAMS, 'Invalid params: "arguments" must be an object.');
  }
  const identity = { sub: caller.sub, client_id: caller.clientId, scopes: [...caller.scopes] };
  return {
    content: [{ type: 'text', text: JSON.stringify(identity) }],
    structuredContent: identity,
  };
}

function dispatch(method: string, params: Record<string, unknown>, caller: Caller): unknown {
  switch (method) {
    case 'initialize':
      return initialize(params);
    case 'ping':
      return {};
    case 'tools/list':
      return { tools: TOOLS };
    case 'tools/call':
      return callTool(params, caller);
    default:
      throw new RpcError(METHOD_NOT_FOUND, 'Method not found.');
  }
}

/**
 * Answers one Streamable HTTP POST: a JSON-RPC request gets its result or error as JSON (HTTP 200), a
 * notification or a client's response gets 202 with no body, and a body that is no single JSON-RPC
 * message gets a JSON-RPC error with HTTP 400 (413 when too large). Never throws for bad input.
 *
 * @example
 * ```ts
 * const answer = await handleMcpPost(
 *   new Request('https://mcp.example.com/mcp', {
 *     method: 'POST',
 *     body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami' } }),
 *   }),
 *   { sub: 'usr_ann', clientId: 'my-agent', scopes: ['mcp:tools'] },
 * );
 * // answer.json(): { jsonrpc: '2.0', id: 1, result: { structuredContent: { sub: 'usr_ann', ... }, ... } }
 * ```
 */
export async function handleMcpPost(request: Request, caller: Caller): Promise<Response> {
  const version = request.headers.get('mcp-protocol-version');
  if (version !== null && !PROTOCOL_VERSIONS.includes(version)) {
    return rpcError(null, INVALID_REQUEST, 'Unsupported MCP-Protocol-Version.', 400);
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    return rpcError(null, INVALID_REQUEST, 'Request body too large.', 413);
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    return rpcError(null, INVALID_REQUEST, 'Request body too large.', 413);
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return rpcError(null, PARSE_ERROR, 'Parse error: the body is not JSON.', 400);
  }
  if (!isObject(message) || message.jsonrpc !== '2.0') {
    return rpcError(null, INVALID_REQUEST, 'Invalid Request: expected one JSON-RPC 2.0 message.', 400);
  }
  const id = isId(message.id) ? message.id : null;
  if (message.method === undefined && id !== null && ('result' in message || 'error' in message)) {
    return new Response(null, { status: 202 }); // a response to a server request: nothing to answer
  }
  if (typeof message.method !== 'string' || (message.id !== undefined && id === null)) {
    return rpcError(id, INVALID_REQUEST, 'Invalid Request: "method" must be a string, "id" a string or number.', 400);
  }
  if (message.params !== undefined && !isObject(message.params)) {
    return rpcError(id, INVALID_PARAMS, 'Invalid params: "params" must be an object.', id === null ? 400 : 200);
  }
  if (id === null) {
    return new Response(null, { status: 202 }); // a notification (notifications/initialized, ...)
  }
  try {
    const result = dispatch(message.method, message.params ?? {}, caller);
    return Response.json({ jsonrpc: '2.0', id, result });
  } catch (error) {
    if (error instanceof RpcError) {
      return rpcError(id, error.code, error.message, 200);
    }
    throw error;
  }
}
