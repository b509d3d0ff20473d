// The root entry from a CommonJS jest suite with no config: `require('@keyway/mocks')`, no msw installed.
const { completeAuthorization, createMockKeyway, MissingDependencyError } = require('@keyway/mocks');

let mock;
let server;

beforeAll(async () => {
  mock = createMockKeyway({ users: [{ sub: 'usr_jest' }] });
  server = await mock.listen();
});

afterAll(() => server.close());

test('createMockKeyway() listens on 127.0.0.1 and signs tokens its userinfo accepts', async () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const token = await mock.mintAccessToken({ scope: 'openid' });
  const res = await fetch(`${server.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  expect(await res.json()).toMatchObject({ sub: 'usr_jest' });
});

test('completeAuthorization() follows the mock to the redirect URI with a code', async () => {
  const url = new URL(`${server.url}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'test-public-client',
    redirect_uri: 'http://127.0.0.1/callback',
    scope: 'openid',
    state: 'state-from-jest',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  const callback = await completeAuthorization(url);
  expect(callback.origin + callback.pathname).toBe('http://127.0.0.1/callback');
  expect(callback.searchParams.get('state')).toBe('state-from-jest');
  expect(callback.searchParams.get('code')).toEqual(expect.any(String));
});

test('mock.handlers without msw installed throws MissingDependencyError', () => {
  let thrown;
  try {
    void mock.handlers;
  } catch (error) {
    thrown = error;
  }
  expect(MissingDependencyError.is(thrown)).toBe(true);
  expect(thrown).toMatchObject({ code: 'missing_dependency', dependency: 'msw' });
});
