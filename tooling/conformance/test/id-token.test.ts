import { CallbackError, ConfigurationError, InvalidResponseError, TokenValidationError } from '@keyway/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  CLIENT_ID,
  codeFlow,
  decodePayload,
  expectError,
  type HostileOp,
  newClient,
  secretScan,
  startHostileOp,
} from '../src/index.ts';

let op: HostileOp;
beforeAll(async () => {
  op = await startHostileOp();
});
afterAll(() => op.close());
beforeEach(() => op.reset());

describe('ID token: positive controls', () => {
  it('accepts the ID token of a correct OP and returns its claims', async () => {
    const { client } = newClient(op);
    const tokens = await codeFlow(client);
    expect(tokens.claims?.sub).toBe('alice');
    expect(tokens.claims?.aud).toBe(CLIENT_ID);
    expect(typeof tokens.id_token).toBe('string');
    expect(decodePayload(tokens.id_token as string).nonce).toBe(tokens.claims?.nonce);
  });
});

describe('ID token: claims', () => {
  it('refuses an ID token from another issuer (iss_mismatch)', async () => {
    const { client } = newClient(op);
    op.scenario = { idToken: { claims: { iss: 'https://evil.example.test' } } };
    await expectError(codeFlow(client), TokenValidationError, 'iss_mismatch');
  });
});

secretScan();
