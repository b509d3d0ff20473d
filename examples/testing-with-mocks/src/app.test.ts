import { useMockKeyway } from '@keyway/mocks/vitest';
import { describe, expect, it } from 'vitest';
import { githubToken, requireUser } from './app.js';

// A real loopback server per file: the app talks HTTP to it like to the real service.
const mock = useMockKeyway();
const config = () => ({ issuer: mock.issuer, apiToken: mock.apiToken });

describe('githubToken', () => {
  it("returns the user's token", async () => {
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_example' });
    expect(await githubToken(config())).toEqual({ token: 'gho_example' });
  });

  it('asks for re-consent when GitHub needs it', async () => {
    mock.seed.externalToken('usr_test', 'github', { reconsent: true });
    expect(await githubToken(config())).toEqual({ reconsentUrl: expect.stringContaining(mock.issuer) });
  });

  it('reports an unconnected provider', async () => {
    expect(await githubToken(config())).toEqual({ connected: false });
  });

  it('surfaces a Keyway outage', async () => {
    mock.fail('retrieveExternalToken', { status: 503 });
    await expect(githubToken(config())).rejects.toThrow('Keyway answered 503');
  });

  it('works in-process with mock.fetch too', async () => {
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_inproc' });
    expect(await githubToken({ ...config(), fetch: mock.fetch })).toEqual({ token: 'gho_inproc' });
  });
});

describe('requireUser', () => {
  const request = (token?: string) =>
    new Request('https://app.test/me', { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('accepts a token the mock minted for the audience', async () => {
    const token = await mock.mintAccessToken({ sub: 'usr_42', aud: 'https://app.test' });
    expect(await requireUser(request(token), mock.issuer, 'https://app.test')).toMatchObject({ sub: 'usr_42' });
  });

  it('refuses a token for another audience, an expired one, and none', async () => {
    const other = await mock.mintAccessToken({ aud: 'https://other.test' });
    await expect(requireUser(request(other), mock.issuer, 'https://app.test')).rejects.toBeInstanceOf(Response);
    const expired = await mock.mintAccessToken({ aud: 'https://app.test', exp: mock.clock.now() - 60 });
    await expect(requireUser(request(expired), mock.issuer, 'https://app.test')).rejects.toBeInstanceOf(Response);
    await expect(requireUser(request(), mock.issuer, 'https://app.test')).rejects.toBeInstanceOf(Response);
  });
});
