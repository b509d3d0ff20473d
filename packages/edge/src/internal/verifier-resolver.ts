import type { VerifierOptions } from '../options.js';
import { createVerifier, type Verifier } from '../verifier.js';

/** A verifier, its options, or a function of `env` returning either (the `verifier` option of `withAuth`). */
export type VerifierSource<Env> = Verifier | VerifierOptions | ((env: Env) => Verifier | VerifierOptions);

function isVerifier(value: Verifier | VerifierOptions): value is Verifier {
  return typeof (value as Verifier).authenticate === 'function';
}

/**
 * Resolves a `verifier` option for one `env`, creating each verifier once: options become a verifier
 * at once; a function of `env` is called once per `env` object (a Worker's `env` is the same object
 * across requests of an isolate), and on every call for an `env` that is not an object.
 */
export function verifierResolver<Env>(option: VerifierSource<Env>): (env: Env) => Verifier {
  const toVerifier = (value: Verifier | VerifierOptions) => (isVerifier(value) ? value : createVerifier(value));
  if (typeof option !== 'function') {
    const verifier = toVerifier(option);
    return () => verifier;
  }
  const perEnv = new WeakMap<object, Verifier>();
  return (env) => {
    if (typeof env !== 'object' || env === null) {
      return toVerifier(option(env));
    }
    let verifier = perEnv.get(env);
    if (!verifier) {
      verifier = toVerifier(option(env));
      perEnv.set(env, verifier);
    }
    return verifier;
  };
}
