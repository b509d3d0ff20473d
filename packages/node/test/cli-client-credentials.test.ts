import { describe, expect, it } from 'vitest';
import { useCli } from './cli-helpers.js';
import { useMockServer } from './helpers.js';

// `keyway token` for a service: the mock's confidential client, its secret only in the environment.
const ctx = useMockServer();
const SECRET = 'test-secret';
const { run } = useCli(ctx, 'cli-cc', 'test-client');

describe('keyway token with KEYWAY_CLIENT_SECRET (client credentials)', () => {
  it('prints a client credentials token; the secret goes only in the token request, never to the output', async () => {
    const result = await run(['token', '--scope', 'api:read'], { KEYWAY_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [call] = ctx.mock.callsTo('token');
    expect(call!.body).toMatchObject({ grant_type: 'client_credentials', scope: 'api:read' });
    expect(result.stdout).toMatch(/^[\x21-\x7e]+\n$/);
    const claims = JSON.parse(Buffer.from(result.stdout.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ client_id: 'test-client', scope: 'api:read' });
    expect(result.stdout).not.toContain(SECRET);
  });

  it('--json gives the token object; no default login scope is asked for', async () => {
    const result = await run(['token', '--json'], { KEYWAY_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
    expect(ctx.mock.callsTo('token')[0]!.body).not.toHaveProperty('scope');
  });

  it('a wrong secret: exit 1 with the provider’s refusal, the secret in no output', async () => {
    const wrong = 'not-the-secret-0123';
    const result = await run(['token'], { KEYWAY_CLIENT_SECRET: wrong });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr).not.toContain(wrong);
  });

  it('there is no flag for the secret (argv shows in ps): a usage error that does not echo it', async () => {
    const result = await run(['token', '--client-secret', 'argv-secret-42']);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain('argv-secret-42');
  });

  it('without the secret, nothing stored: the login message as before (no grant attempted)', async () => {
    const result = await run(['token']);
    expect(result.code).toBe(3);
    expect(ctx.mock.callsTo('token')).toHaveLength(0);
  });
});
