// The two contenders behind one constructor, so children and the parent build them the same way.
import { FileTokenStore } from '@keyway/token-store/file';
import { PeerFileStore } from './peer-file-store.mjs';

export const IMPLEMENTATIONS = {
  ours: '@keyway/token-store FileTokenStore',
  peer: 'proper-lockfile + write-file-atomic',
};

/** `stale` only matters to the peer (ours takes a dead owner's lock over by pid, at once). */
export function openStore(impl, path, stale) {
  return impl === 'ours'
    ? new FileTokenStore({ path, onCorrupt: () => {} })
    : new PeerFileStore({ path, stale: stale ?? 10_000 });
}

/** A small token set, like what a login stores (about 1.5 KB of JSON). */
export function tokenSet(count = 0) {
  return {
    access_token: `at-${'a'.repeat(700)}`,
    token_type: 'Bearer',
    refresh_token: `rt-${'r'.repeat(400)}`,
    id_token: `id-${'i'.repeat(300)}`,
    scope: 'openid offline_access api:read',
    count,
  };
}

export const KEY = 'keyway:v1:iss=https%3A%2F%2Fauth.example.com:cid=bench';
