/**
 * jose's signing half (jose-signing.ts), loaded at first use: the only way core reaches jose at run
 * time, so `import '@keyway/core'` does not load it and a bundle that never signs does not contain it.
 * The module loader caches the module: every call after the first resolves to the same namespace.
 */
export const loadJose = () => import('./jose-signing.js');
