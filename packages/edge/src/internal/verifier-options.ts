import { type AccessTokenVerificationOptions, ConfigurationError } from '@keyway/core';
import type { VerifierOptions } from '../options.js';
import type { ChallengeSettings } from './challenge.js';
import { DPOP_ALGORITHMS } from './challenge.js';
import type { DpopCheck } from './dpop-binding.js';
import { type KvTarget, kvTarget } from './kv-sync.js';

/** A verifier's options, checked and resolved once, at `createVerifier()`. */
export interface ResolvedVerifierOptions {
  issuer: string;
  audience: string;
  /** Scopes every request must carry. */
  requiredScopes: readonly string[];
  /** The realm and schemes of its challenges. */
  settings: ChallengeSettings;
  /** How DPoP proofs are checked; `undefined` when the `DPoP` scheme is turned off. */
  dpop: DpopCheck | undefined;
  /** Where the snapshot of discovery and the JWKS lives in KV, if anywhere. */
  kv: KvTarget | undefined;
  /** What core's verifier is given (its `fetch` and `onCacheUpdate` are the verifier's to wrap). */
  core: Omit<AccessTokenVerificationOptions, 'fetch' | 'onCacheUpdate'>;
}

/** A seconds option: a finite number from 0 to one day, else `ConfigurationError` `invalid_option`. */
function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 86_400) {
    throw new ConfigurationError(`${name} must be a number of seconds from 0 to 86400.`, { code: 'invalid_option' });
  }
  return value;
}

/**
 * Checks the options of `createVerifier()` where they enter: `issuer` and `audience` present
 * (`ConfigurationError` `invalid_options`), `dpop.maxAge` in range, `kv` a binding (core checks the
 * rest when the verifier is made), and resolves their defaults.
 */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  const {
    requiredScopes = [],
    realm,
    dpop,
    kv,
    fetch: _fetch,
    onCacheUpdate: _onCacheUpdate,
    ...core
  } = options ?? ({} as VerifierOptions);
  const issuer = core.issuer instanceof URL ? core.issuer.href : core.issuer;
  const { audience } = core;
  if (typeof issuer !== 'string' || issuer === '' || typeof audience !== 'string' || audience === '') {
    throw new ConfigurationError('createVerifier needs an `issuer` and an `audience`.', { code: 'invalid_options' });
  }
  const dpopOptions = dpop === false ? undefined : dpop === true || dpop === undefined ? {} : dpop;
  const settings: ChallengeSettings = {
    realm: realm ?? audience,
    bearer: !dpopOptions?.required,
    dpop: dpopOptions !== undefined,
    dpopAlgorithms: dpopOptions?.algorithms ?? DPOP_ALGORITHMS,
  };
  const dpopCheck: DpopCheck | undefined = dpopOptions && {
    maxAge: seconds(dpopOptions.maxAge, 'dpop.maxAge', 60),
    clockTolerance: core.clockTolerance ?? 30,
    algorithms: settings.dpopAlgorithms,
    replayStore: dpopOptions.replayStore,
    nonce: dpopOptions.nonce,
  };
  return {
    issuer,
    audience,
    requiredScopes,
    settings,
    dpop: dpopCheck,
    kv: kvTarget(kv),
    core: { ...core, issuer, audience },
  };
}
