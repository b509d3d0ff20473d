import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';
import { loadBuilt } from './sync-helpers.js';

const SYNC_EXPORTS = ['authenticateSync', 'createKeywaySyncClient', 'discoverSync', 'SyncWorkerError'];

describe('the synchronous API’s exports', () => {
  it('are named in the source entry and in the built one', async () => {
    const built = await loadBuilt();
    expect(Object.keys(source)).toEqual(expect.arrayContaining(SYNC_EXPORTS));
    expect(Object.keys(built)).toEqual(expect.arrayContaining(SYNC_EXPORTS));
    expect(new built.SyncWorkerError('x').code).toBe('sync_worker_error');
    expect(built.SyncWorkerError.brand).toBe('SyncWorkerError');
  });
});
