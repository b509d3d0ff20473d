export type { EdgeAuthErrorCode, EdgeAuthErrorOptions } from './errors.js';
export { EdgeAuthError } from './errors.js';
export type { KeywayMiddlewareOptions, WaitUntilEvent } from './middleware.js';
export { keywayMiddleware } from './middleware.js';
export type { EdgeSnapshot, RestoreOptions, SnapshotOptions, TokenLocation } from './snapshot.js';
export { restore, snapshot } from './snapshot.js';
export type { EdgeTokenSource, EdgeTokenSourceOptions } from './token-source.js';
export { createEdgeTokenSource } from './token-source.js';
export type {
  AuthContext,
  DpopOptions,
  KvCacheOptions,
  Verifier,
  VerifierOptions,
  VerifyOptions,
} from './verifier.js';
export { createVerifier } from './verifier.js';
export type { AuthenticatedHandler, AuthOptions, ExecutionContextLike, WithAuthOptions } from './with-auth.js';
export { withAuth } from './with-auth.js';
