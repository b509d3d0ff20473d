/**
 * What core uses of oauth4webapi (oauth-library.ts), loaded at first use: the only way core reaches
 * oauth4webapi at run time (every call site is an async method), so `import '@keyway/core'` does not
 * load it and tsup puts it in a chunk of its own. The module loader caches the module: every call
 * after the first resolves to the same namespace, so the `customFetch` and `allowInsecureRequests`
 * symbols core passes as option keys are the ones oauth4webapi reads its options by.
 */
export const loadOAuth = () => import('./oauth-library.js');

/** The part of oauth4webapi core uses. */
export type OAuthLibrary = Awaited<ReturnType<typeof loadOAuth>>;
