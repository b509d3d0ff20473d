/* The public surface of the root entry: a change shows up in review. */
import { expect, it } from 'vitest';
import * as edge from './index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(edge).sort()).toEqual([
    'EdgeAuthError',
    'TokenCoordinator',
    'createEdgeTokenSource',
    'createVerifier',
    'keywayMiddleware',
    'restore',
    'snapshot',
    'withAuth',
  ]);
});

it('exports exactly these runtime names from @keyway/edge/hono', async () => {
  expect(Object.keys(await import('./hono.js')).sort()).toEqual(['keywayAuth']);
});
