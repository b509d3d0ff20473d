// jest in ES module mode ("type": "module", `transform: {}`, NODE_OPTIONS=--experimental-vm-modules).
import { useMockKeyway } from '@keyway/mocks/jest';

const mock = useMockKeyway();

test('the ES module build serves the mock', async () => {
  const res = await fetch(`${mock.issuer}/api/v1/validate`, {
    headers: { authorization: `Bearer ${mock.apiToken}` },
  });
  expect(await res.json()).toMatchObject({ valid: true });
  expect(await mock.mintIdToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
});
