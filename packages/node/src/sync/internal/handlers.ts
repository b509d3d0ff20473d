/**
 * The operations the sync worker runs (loaded by `worker.ts` in the worker thread only).
 */
import { ConfigurationError, createKeywayClient } from '@keyway/core';
import { authenticateIn } from '../../authenticate.js';
import { currentProbe } from '../../internal/session.js';
import type { AuthenticatePayload } from '../authenticate-sync.js';
import { CLIENT_METHODS, type ClientCallPayload, NO_PARAMS } from './client-call.js';
import { oauthCall, oauthDiscover } from './oauth-call.js';
import { OP_AUTHENTICATE, OP_CLIENT_CALL, OP_OAUTH_CALL, OP_OAUTH_DISCOVER } from './protocol.js';
import { deviceCodeOutput } from './write-device-code.js';

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

async function clientCall(payload: unknown): Promise<unknown> {
  const { options, method, params, requestOptions } = payload as ClientCallPayload;
  if (!CLIENT_METHODS.includes(method)) {
    throw new ConfigurationError(`Unknown Keyway client method ${JSON.stringify(method)}.`, {
      code: 'invalid_parameter',
    });
  }
  const client = createKeywayClient(options);
  const [resource, name] = method.split('.') as [keyof typeof client, string];
  const target = client[resource] as unknown as Record<string, AnyMethod>;
  const fn = target[name]!;
  return NO_PARAMS.has(method) ? fn.call(target, requestOptions) : fn.call(target, params, requestOptions);
}

async function authenticateCall(payload: unknown): Promise<unknown> {
  const { terminal, tty, ...options } = payload as AuthenticatePayload;
  const output = deviceCodeOutput(options.qr ?? 'auto', terminal);
  try {
    const tokens = await authenticateIn(
      { ...currentProbe(), tty },
      { ...options, onDeviceCode: (info) => output.onDeviceCode(info) },
    );
    return { ...tokens }; // plain data: the inspect hook is put back on the calling thread
  } finally {
    output.stop();
  }
}

/** The handler table of the sync worker, by operation name. */
export const handlers: Record<string, (payload: unknown) => unknown> = {
  [OP_CLIENT_CALL]: clientCall,
  [OP_AUTHENTICATE]: authenticateCall,
  [OP_OAUTH_DISCOVER]: oauthDiscover,
  [OP_OAUTH_CALL]: oauthCall,
};
