/** This package's version; `tooling/scripts/sync-versions.mjs` keeps it equal to package.json. */
export const VERSION = '0.0.0';
