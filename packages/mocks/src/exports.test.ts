import { describe, expect, it } from 'vitest';
import * as root from './index.js';

// A change of public surface shows up here in review.
describe('public surface', () => {
  it('root entry', () => {
    expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
      [
        "createMockKeyway",
      ]
    `);
  });
});
