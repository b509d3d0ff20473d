// The handler table for @keyway/node's built worker (dist/sync/worker.js takes a `handlers` module).
import { operations } from './operations.mjs';

export const handlers = operations;
