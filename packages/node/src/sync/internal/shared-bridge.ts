import { SyncBridge } from './bridge.js';
import { defaultWorkerUrl } from './worker-url.js';

let bridge: SyncBridge | undefined;

/** The one bridge (and so the one worker) of this thread, made on first use. */
export function sharedBridge(): SyncBridge {
  bridge ??= new SyncBridge({ workerUrl: defaultWorkerUrl() });
  return bridge;
}
