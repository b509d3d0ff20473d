// A jest test file as a CommonJS project writes it: `require`, jest's globals, no config at all.
const { useMockKeyway } = require('@keyway/mocks/jest');

const mock = useMockKeyway();

test('the mock listens and answers the token-manager API', async () => {
  expect(mock.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${mock.issuer}/api/v1/validate`, {
    headers: { authorization: `Bearer ${mock.apiToken}` },
  });
  expect(await res.json()).toMatchObject({ valid: true });
});

test('it signs tokens its own endpoints accept (jose runs inside the CommonJS build)', async () => {
  const token = await mock.mintAccessToken({ scope: 'openid' });
  expect(token.split('.')).toHaveLength(3);
  const res = await fetch(`${mock.issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ sub: 'usr_test' });
});

test('after each test the mock is reset', () => {
  expect(mock.calls).toHaveLength(0);
});
