import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as jest from './jest.js';
import * as msw from './msw.js';
import * as node from './node.js';
import * as playwright from './playwright.js';
import * as vitest from './vitest.js';

// A change of public surface shows up here in review.
describe('public surface', () => {
  it('root entry', () => {
    expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
      [
        "MissingDependencyError",
        "MockServerStartError",
        "UnsupportedRuntimeError",
        "completeAuthorization",
        "completeAuthorizationCallback",
        "createDpopProof",
        "createFakeKv",
        "createMockKeyway",
        "generateDpopKey",
      ]
    `);
  });

  it('subpaths', () => {
    expect({
      vitest: Object.keys(vitest).sort(),
      jest: Object.keys(jest).sort(),
      msw: Object.keys(msw).sort(),
      node: Object.keys(node).sort(),
      playwright: Object.keys(playwright).sort(),
    }).toMatchInlineSnapshot(`
      {
        "jest": [
          "useMockKeyway",
        ],
        "msw": [
          "mswHandlers",
        ],
        "node": [
          "setupMockServer",
          "spawnMockServer",
        ],
        "playwright": [
          "signedInPage",
        ],
        "vitest": [
          "useMockKeyway",
        ],
      }
    `);
  });
});
