// The README's way to test sync code: the emulator in a child process (`spawnMockServer` of
// @keyway/mocks/node) answers the blocking client, which a mock on this thread could not.
import { spawnMockServer } from '@keyway/mocks/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Built, loadBuilt } from './sync-helpers.js';

let server: Awaited<ReturnType<typeof spawnMockServer>>;
let built: Built;

beforeAll(async () => {
  [server, built] = await Promise.all([
    spawnMockServer({ config: { users: [{ sub: 'usr_sync', email: 'sync@example.com' }] } }),
    loadBuilt(),
  ]);
});
afterAll(async () => {
  await server?.close();
});

describe('sync code against spawnMockServer()', () => {
  it('createKeywaySyncClient and discoverSync get their answers while this thread blocks', () => {
    const keyway = built.createKeywaySyncClient({ baseUrl: server.url, token: server.apiToken });
    expect(keyway.validation.verify()).toMatchObject({ valid: true, sub: 'usr_sync' });

    const oauth = built.discoverSync(server.url, { clientId: 'test-client', clientSecret: 'test-secret' });
    const tokens = oauth.clientCredentials();
    expect(tokens.access_token.split('.')).toHaveLength(3);
    expect(oauth.introspect(tokens.access_token)).toMatchObject({ active: true, client_id: 'test-client' });
  });
});
