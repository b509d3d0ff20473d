/**
 * Replaced at build time by the `version` of package.json: tsup's `define` for dist/, the same
 * `define` in vitest.config.ts for tests that run the sources. Never written in the sources.
 */
declare const __KEYWAY_NODE_VERSION__: string;

/** This package's version, as package.json names it when the package is built. */
export const VERSION: string = __KEYWAY_NODE_VERSION__;
