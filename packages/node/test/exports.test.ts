import { expect, it } from 'vitest';
import * as node from '../src/index.js';

it('exports the async API and the CLI helpers by name', () => {
  expect(Object.keys(node)).toEqual(
    expect.arrayContaining([
      'authenticate',
      'login',
      'loginKey',
      'DEFAULT_SCOPE',
      'CodeFlow',
      'DeviceFlow',
      'printDeviceCode',
      'InteractionRequiredError',
      'LoginTimeoutError',
      'version',
    ]),
  );
  expect(new node.InteractionRequiredError('x', { issuer: 'i', clientId: 'c' }).code).toBe('interaction_required');
});
