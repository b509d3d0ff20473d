// `serve: 'msw'` from a CommonJS jest suite in a project without msw (an optional peer dependency).
const { useMockKeyway } = require('@keyway/mocks/jest');

const mock = useMockKeyway({ serve: 'msw', issuer: 'https://keyway.jest.test' });

test('msw intercepts fetch for the issuer', async () => {
  const res = await fetch(`${mock.issuer}/.well-known/openid-configuration`);
  expect(await res.json()).toMatchObject({ issuer: 'https://keyway.jest.test' });
});
