// Node, ES modules, a project where msw is not installed: listen() and mock.fetch work; the msw paths
// refuse with MissingDependencyError. Prints what it saw as JSON.
import { createMockKeyway, MissingDependencyError } from '@keyway/mocks';
import { setupMockServer } from '@keyway/mocks/node';

const refusal = (run) => {
  try {
    run();
    return null;
  } catch (error) {
    return { is: MissingDependencyError.is(error), feature: error.feature, dependency: error.dependency };
  }
};

const mock = createMockKeyway();
const inProcess = await mock.fetch(`${mock.issuer}/oauth/jwks`);
const server = await mock.listen();
const overHttp = await fetch(`${server.url}/.well-known/openid-configuration`);
await server.close();
console.log(
  JSON.stringify({
    fetch: inProcess.status,
    listen: overHttp.status,
    handlers: refusal(() => mock.handlers),
    setupMockServer: refusal(() => setupMockServer(mock)),
  }),
);
