// Every synchronous entry point of @keyway/node, once, against the mock whose URL is in ISSUER: the
// service client, the OAuth twin (client credentials) and authenticateSync (a device login the mock
// approves at once, then the stored token). Typed, so that tsx runs it as TypeScript; `node -e` and
// `node --input-type=module` run the same text with its types stripped (see sync-runtimes.test.ts).
const { authenticateSync, createKeywaySyncClient, discoverSync } = await import('@keyway/node');
const issuer: string = process.env.ISSUER ?? '';
const tokenFile: string = process.env.TOKEN_FILE ?? '';

const service = createKeywaySyncClient({ baseUrl: issuer, token: process.env.API_TOKEN });
const verified = service.validation.verify();

const oauth = discoverSync(issuer, { clientId: 'test-client', clientSecret: 'test-secret' });
const machine = oauth.clientCredentials({ scope: 'api:read' });

const options = {
  issuer,
  clientId: 'test-public-client',
  tokenFile,
  interactive: true,
  flow: 'device',
  interval: 1,
} as const;
const login = authenticateSync(options);
const cached = authenticateSync({ ...options, interactive: false });

process.stdout.write(
  `${JSON.stringify({
    valid: verified.valid,
    clientCredentials: machine.token_type.toLowerCase(),
    login: login.headers.Authorization === `Bearer ${login.access_token}`,
    cachedSame: cached.access_token === login.access_token,
  })}\n`,
);
