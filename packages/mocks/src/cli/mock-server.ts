import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createMockKeyway,
  type SeedAccessTokenOptions,
  type SeedExternalTokenOptions,
  type SeedPersistentTokenOptions,
} from '../create-mock-keyway.js';
import type { MockClient, MockKeywayOptions, MockServer } from '../types.js';

/** The `--config` file: the options of `createMockKeyway`, plus data to seed. */
export interface MockServerConfig extends Omit<MockKeywayOptions, 'issuer' | 'onCall'> {
  /** Extra opaque bearer tokens the API accepts (e.g. a fixed one for a non-JS client). */
  accessTokens?: SeedAccessTokenOptions[];
  persistentTokens?: SeedPersistentTokenOptions[];
  externalTokens?: Array<SeedExternalTokenOptions & { user: string; provider: string }>;
}

interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `Usage: keyway-mock-server [--port 4010] [--config keyway-mock.json]

A local fake of the Keyway service (OAuth/OIDC endpoints and the token-manager API) on 127.0.0.1.
  --port, -p    port to listen on (default 4010; 0 picks a free one)
  --config, -c  JSON file with users, clients, alg, ttl, resources, accessTokens, persistentTokens,
                externalTokens
  --quiet, -q   do not log requests
  --help, -h    show this help`;

function describeClient(client: MockClient): string {
  if (client.clientSecret !== undefined) {
    return `${client.clientId} / ${client.clientSecret}`;
  }
  return client.jwks ? `${client.clientId} (private_key_jwt)` : `${client.clientId} (public)`;
}

/**
 * Runs the mock server until the returned server is closed. Resolves once it listens; returns
 * `undefined` (after printing usage or an error) when the arguments are wrong.
 */
export async function main(argv: string[], io: CliIo): Promise<MockServer | undefined> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return undefined;
  }
  if (args.values.help) {
    io.out(USAGE);
    return undefined;
  }
  const port = Number(args.values.port ?? '4010');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err(`Invalid --port ${args.values.port}\n\n${USAGE}`);
    return undefined;
  }
  let config: MockServerConfig = {};
  if (args.values.config) {
    try {
      config = JSON.parse(await readFile(args.values.config, 'utf8')) as MockServerConfig;
    } catch (error) {
      io.err(`Cannot read config ${args.values.config}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
  const { accessTokens = [], persistentTokens = [], externalTokens = [], ...options } = config;
  const mock = createMockKeyway({
    ...options,
    onCall: args.values.quiet
      ? undefined
      : (call) => io.out(`${new Date().toISOString()} ${call.method} ${call.path} ${call.status} ${call.route}`),
  });
  for (const token of accessTokens) {
    mock.seed.accessToken(token);
  }
  for (const token of persistentTokens) {
    mock.seed.persistentToken(token);
  }
  for (const { user, provider, ...rest } of externalTokens) {
    mock.seed.externalToken(user, provider, rest);
  }
  const server = await mock.listen(port);
  const clients = options.clients ?? [
    { clientId: 'test-client', clientSecret: 'test-secret' },
    { clientId: 'test-public-client' },
  ];
  io.out(`Keyway mock server listening on ${server.url}`);
  io.out(`  issuer     ${server.url}`);
  io.out(`  discovery  ${server.url}/.well-known/openid-configuration`);
  io.out(`  API token  ${mock.apiToken}`);
  io.out(`  devices    ${server.url}/device (the device flow's page: approve a user code in a browser)`);
  for (const client of clients) {
    io.out(`  client     ${describeClient(client)}`);
  }
  for (const user of options.users ?? [{ sub: 'usr_test', email: 'test@example.com' }]) {
    io.out(`  user       ${user.sub}${typeof user.email === 'string' ? ` <${user.email}>` : ''}`);
  }
  return server;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      port: { type: 'string', short: 'p' },
      config: { type: 'string', short: 'c' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
