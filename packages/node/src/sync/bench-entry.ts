/**
 * Not public: the bridge itself, for tooling/bench to drive against synckit. Built to
 * `dist/sync/bench-entry.js`, which no `exports` path reaches, so users cannot import it; the bench
 * loads the file by path instead of patching a dist chunk.
 */
export { SyncBridge } from './internal/bridge.js';
