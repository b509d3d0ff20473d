/*
 * "Adding an operation to openapi/keyway.yaml needs no hand edit in core or node", proven end to end:
 * a temporary copy of the spec and of @keyway/openapi, @keyway/core and @keyway/node (sources as
 * committed, their node_modules linked, each one's @keyway dependency pointed at the copy) gets two
 * new operations marked `x-keyway-client`; the generator and the packages' own builds run there;
 * then the new methods are called through the async client and through the sync client against a
 * small HTTP server, and a snippet that uses them is type-checked.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const PACKAGES = ['openapi', 'core', 'node'] as const;
/** Inside the copy, each package's @keyway dependency on another copied package points at the copy. */
const REDIRECTS: Record<string, string[]> = { openapi: [], core: ['openapi'], node: ['core'] };
const TOKEN = 'roundtrip-token';

/** The operations added to the spec: a GET with a path and a query parameter, a POST with a JSON body. */
const NEW_PATHS = `
  /api/v1/things/{id}:
    get:
      operationId: retrieveThing
      x-keyway-idempotent: true
      x-keyway-client: things.retrieve
      summary: Retrieve a thing
      tags: [Token manager]
      security:
        - bearerAuth: []
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
        - name: verbose
          in: query
          schema:
            type: boolean
      responses:
        '200':
          description: The thing.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
              example: { id: t_1, size: 3 }
        '404':
          $ref: '#/components/responses/NotFound'

  /api/v1/things:
    post:
      operationId: createThing
      x-keyway-idempotent: false
      x-keyway-client: things.create
      summary: Create a thing
      tags: [Token manager]
      security:
        - bearerAuth: []
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [size]
              properties:
                size:
                  type: integer
                label:
                  type: string
            example: { size: 2 }
      responses:
        '201':
          description: The new thing.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
              example: { id: t_2, size: 2 }
        '400':
          $ref: '#/components/responses/BadRequest'
`;

const THING_SCHEMA = `
    Thing:
      type: object
      required: [id, size]
      properties:
        id:
          type: string
        size:
          type: integer
        label:
          type: string
`;

/** What the new methods are used as, in a user's code: it must type-check against the built packages. */
const SNIPPET = `
import { createKeywayClient, KEYWAY_CLIENT_METHODS, type KeywayClientMethod } from '@keyway/core';
import { createKeywaySyncClient } from './dist/index.js';

const client = createKeywayClient({ baseUrl: 'http://127.0.0.1:1' });
const pending: Promise<{ id: string; size: number; label?: string }> = client.things.retrieve({ id: 't', verbose: true });
const created: Promise<{ id: string; size: number }> = client.things.create({ size: 2, label: 'x' }, { timeout: 1_000 });
const name: KeywayClientMethod = 'things.create';
const sync = createKeywaySyncClient({ baseUrl: 'http://127.0.0.1:1' });
const size: number = sync.things.retrieve({ id: 't' }, { syncTimeout: 1_000 }).size;
// @ts-expect-error the path parameter is required
void client.things.retrieve({ verbose: true });
// @ts-expect-error size is an integer
void sync.things.create({ size: 'big' });
void [pending, created, name, size, KEYWAY_CLIENT_METHODS];
`;

/** What the sync client is used as, in a child process (a blocked thread could not serve HTTP). */
const SYNC_SCRIPT = `
import { createKeywaySyncClient } from './dist/index.js';
const keyway = createKeywaySyncClient({ baseUrl: process.env.BASE_URL, token: '${TOKEN}' });
const retrieved = keyway.things.retrieve({ id: 'sync 1' });
const created = keyway.things.create({ size: 7 });
let refused;
try { keyway.things.retrieve({ id: 'broken' }); } catch (error) { refused = { name: error.name, message: error.message }; }
console.log(JSON.stringify({ retrieved, created, refused }));
`;

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

let temp: string;
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function startServer(): Promise<void> {
  server = createServer(async (request, response) => {
    const body = await readBody(request);
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      body,
    });
    const url = new URL(request.url ?? '/', 'http://x');
    const answer = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const thing = /^\/api\/v1\/things\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && thing) {
      const id = decodeURIComponent(thing[1]!);
      return id === 'broken' ? answer(200, { id }) : answer(200, { id, size: 3, label: url.search || 'plain' });
    }
    if (request.method === 'POST' && url.pathname === '/api/v1/things') {
      return answer(201, { id: 't_new', size: (JSON.parse(body) as { size: number }).size });
    }
    answer(404, { type: 'about:blank', title: 'Not found', status: 404 });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    });
  });
}

/** `node_modules` of the copy: links to the original's entries, except the redirected @keyway packages. */
function linkNodeModules(name: string): void {
  const original = join(repo, 'packages', name, 'node_modules');
  const copy = join(temp, 'packages', name, 'node_modules');
  mkdirSync(join(copy, '@keyway'), { recursive: true });
  for (const entry of readdirSync(original)) {
    if (entry !== '@keyway') {
      symlinkSync(join(original, entry), join(copy, entry));
    }
  }
  for (const entry of readdirSync(join(original, '@keyway'))) {
    const target = REDIRECTS[name]!.includes(entry) ? join(temp, 'packages', entry) : join(original, '@keyway', entry);
    symlinkSync(target, join(copy, '@keyway', entry));
  }
}

/** Copies the spec and the three packages (sources only), adds the operations, generates and builds. */
async function prepare(): Promise<void> {
  temp = mkdtempSync(join(tmpdir(), 'keyway-spec-roundtrip-'));
  const skip = new Set(['node_modules', 'dist', '.turbo', '.test-results']);
  for (const name of PACKAGES) {
    cpSync(join(repo, 'packages', name), join(temp, 'packages', name), {
      recursive: true,
      filter: (source) => !skip.has(source.split('/').at(-1) ?? ''),
    });
    linkNodeModules(name);
  }
  const spec = readFileSync(join(repo, 'openapi/keyway.yaml'), 'utf8');
  expect(spec).toMatch(/^paths:\n/m);
  expect(spec).toMatch(/^ {2}schemas:\n/m);
  mkdirSync(join(temp, 'openapi'));
  writeFileSync(
    join(temp, 'openapi/keyway.yaml'),
    spec.replace(/^paths:\n/m, `paths:${NEW_PATHS}\n`).replace(/^ {2}schemas:\n/m, `  schemas:${THING_SCHEMA}\n`),
  );
  const node = process.execPath;
  await run(node, ['scripts/generate.mjs'], { cwd: join(temp, 'packages/openapi') });
  for (const name of PACKAGES) {
    const cwd = join(temp, 'packages', name);
    await run(node, [join(cwd, 'node_modules/tsup/dist/cli-default.js'), '--silent'], { cwd });
  }
}

beforeAll(async () => {
  await Promise.all([prepare(), startServer()]);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (temp) {
    rmSync(temp, { recursive: true, force: true });
  }
});

describe('an operation added to the spec reaches both clients with no hand edit', () => {
  it('is in the regenerated table, and core and node were built from their committed sources', () => {
    const table = readFileSync(join(temp, 'packages/openapi/src/generated/client-operations.ts'), 'utf8');
    expect(table).toContain("operationId: 'retrieveThing'");
    expect(table).toContain("responseFields: { id: 'string', size: 'number' }");
    for (const name of ['core', 'node']) {
      const committed = readFileSync(join(repo, 'packages', name, 'src/index.ts'), 'utf8');
      expect(readFileSync(join(temp, 'packages', name, 'src/index.ts'), 'utf8')).toBe(committed);
    }
  });

  it('is a method of the async client: path, query, body, bearer token, checked answer', async () => {
    const core = await import(pathToFileURL(join(temp, 'packages/core/dist/index.js')).href);
    const client = core.createKeywayClient({ baseUrl, token: TOKEN, retry: false });
    seen.length = 0;
    expect(await client.things.retrieve({ id: 'a b', verbose: true })).toEqual({
      id: 'a b',
      size: 3,
      label: '?verbose=true',
    });
    expect(await client.things.create({ size: 5, label: 'new' })).toEqual({ id: 't_new', size: 5 });
    expect(seen).toEqual([
      { method: 'GET', url: '/api/v1/things/a%20b?verbose=true', authorization: `Bearer ${TOKEN}`, body: '' },
      { method: 'POST', url: '/api/v1/things', authorization: `Bearer ${TOKEN}`, body: '{"size":5,"label":"new"}' },
    ]);
    const error = await client.things.retrieve({ id: 'broken' }).catch((e: Error) => e);
    expect(core.InvalidResponseError.is(error)).toBe(true);
    expect(error.message).toBe('things.retrieve: field "size" should be number, got undefined.');
    expect(core.KEYWAY_CLIENT_METHODS.filter((m: { name: string }) => m.name.startsWith('things.'))).toEqual([
      { name: 'things.retrieve', takesParams: true },
      { name: 'things.create', takesParams: true },
    ]);
  });

  it('is a method of the sync client, called in a real process', async () => {
    const cwd = join(temp, 'packages/node');
    writeFileSync(join(cwd, 'sync-script.mjs'), SYNC_SCRIPT);
    seen.length = 0;
    const { stdout } = await run(process.execPath, ['sync-script.mjs'], {
      cwd,
      env: { ...process.env, BASE_URL: baseUrl },
    });
    expect(JSON.parse(stdout)).toEqual({
      retrieved: { id: 'sync 1', size: 3, label: 'plain' },
      created: { id: 't_new', size: 7 },
      refused: {
        name: 'InvalidResponseError',
        message: 'things.retrieve: field "size" should be number, got undefined.',
      },
    });
    expect(seen.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'GET /api/v1/things/sync%201',
      'POST /api/v1/things',
      'GET /api/v1/things/broken',
    ]);
  });

  it('type-checks in a user’s code, with its generated argument and result types', async () => {
    const cwd = join(temp, 'packages/node');
    writeFileSync(join(cwd, 'snippet.ts'), SNIPPET);
    writeFileSync(
      join(cwd, 'tsconfig.snippet.json'),
      JSON.stringify({
        extends: '@keyway/tsconfig/base.json',
        compilerOptions: { types: ['node'] },
        include: ['snippet.ts'],
      }),
    );
    const tsc = join(cwd, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.snippet.json'], { cwd }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  });
});
