import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

/**
 * The runtime surface of `@keyway/core`, written out by hand: adding, renaming or removing an export
 * must change this list in the same review (DESIGN.md's public names are a contract).
 */
const EXPECTED_EXPORTS = [
  'AuthenticationError',
  'BadRequestError',
  'CallbackError',
  'ConfigurationError',
  'ConflictError',
  'DPOP_ALGORITHMS',
  'DeviceFlowError',
  'InternalServerError',
  'InvalidResponseError',
  'KEYWAY_CLIENT_METHODS',
  'KeywayAbortError',
  'KeywayApiError',
  'KeywayConnectionError',
  'KeywayError',
  'KeywayTimeoutError',
  'LoginRequiredError',
  'NotFoundError',
  'OAuthClient',
  'OAuthError',
  'PermissionDeniedError',
  'RateLimitError',
  'TokenValidationError',
  'UnprocessableEntityError',
  'authFetch',
  'createAccessTokenVerifier',
  'createClientCredentialsClient',
  'createKeywayClient',
  'createTokenSource',
  'discover',
  'expiresIn',
  'redactOnInspect',
  'registerClient',
  'restoreOAuthCache',
  'snapshotOAuthCache',
  'verifyDpopProof',
];

const exported: Record<string, unknown> = { ...core };

describe('@keyway/core exports', () => {
  it('exports exactly the expected runtime names', () => {
    expect(Object.keys(exported).sort()).toEqual([...EXPECTED_EXPORTS].sort());
  });

  it('exports no undefined binding', () => {
    for (const name of EXPECTED_EXPORTS) {
      if (name === 'DPOP_ALGORITHMS' || name === 'KEYWAY_CLIENT_METHODS') {
        expect(Object.isFrozen(exported[name]) && Array.isArray(exported[name]), name).toBe(true);
        continue;
      }
      expect(exported[name], name).toBeTypeOf('function');
    }
  });

  it('names every error class after itself, so `name` and `is()` survive minification and duplicate bundles', () => {
    const errorClasses = EXPECTED_EXPORTS.filter((name) => name.endsWith('Error'));
    for (const name of errorClasses) {
      const Class = exported[name] as { brand: string; prototype: unknown };
      expect(Class.brand, name).toBe(name);
      expect(Class === core.KeywayError || Class.prototype instanceof core.KeywayError, name).toBe(true);
    }
  });
});
