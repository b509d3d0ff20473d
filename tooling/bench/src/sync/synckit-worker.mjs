// synckit's worker for the same operations: createSyncFn(this file)(op, payload).
import { runAsWorker } from 'synckit';
import { operations } from './operations.mjs';

runAsWorker((op, payload) => operations[op](payload));
