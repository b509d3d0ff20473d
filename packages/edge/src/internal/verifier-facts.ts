import type { Verifier } from '../verifier.js';
import type { ResolvedVerifierOptions } from './verifier-options.js';

/** The resolved options of each verifier `createVerifier()` made, for what a `Verifier` does not expose. */
const facts = new WeakMap<Verifier, ResolvedVerifierOptions>();

/** Records what `verifier` was made from. */
export function rememberVerifier(verifier: Verifier, resolved: ResolvedVerifierOptions): Verifier {
  facts.set(verifier, resolved);
  return verifier;
}

/** What `verifier` was made from, or `undefined` for a verifier `createVerifier()` did not make. */
export function verifierFacts(verifier: Verifier): ResolvedVerifierOptions | undefined {
  return facts.get(verifier);
}
