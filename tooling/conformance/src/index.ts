export {
  authorize,
  clientOptions,
  codeFlow,
  discoveredClient,
  newClient,
  newEdgeVerifier,
  newVerifier,
  REDIRECT_URI,
  type TestClient,
} from './clients.ts';
export { createDpopKey, type DpopKey, dpopProof, type ProofOptions } from './dpop.ts';
export { type ErrorClass, expectError } from './expect-error.ts';
export {
  CLIENT_ID,
  type HostileOp,
  RESOURCE,
  type ReceivedRequest,
  startHostileOp,
  useHostileOp,
} from './hostile-op.ts';
export { decodePayload } from './jws.ts';
export type { KeyName, KeyRing, OpKey } from './keys.ts';
export { closedPort, type FakeHandler, type Network, network, type SentRequest } from './network.ts';
export type { AuthorizationResponseTweak, EndpointName, ResponseOverride, Scenario, TokenTweak } from './scenario.ts';
export { expectNoSecrets, leaksOf, newSecret, observe, registerSecret, secretScan } from './secrets.ts';
export { HOSTILE_TEXT, LINE_CONTROLS, TERMINAL_CONTROLS } from './terminal.ts';
