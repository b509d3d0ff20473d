/*
 * Registers the TokenStore contract (test/contract-cases.ts) as vitest tests: one test per case, either
 * run here (`describeTokenStoreContract`) or run inside another runtime and reported back
 * (`describeRemoteContract`).
 */
import { describe, it } from 'vitest';
import { type ContractSubject, contractCases } from './contract-cases.js';

export type { ContractSubject } from './contract-cases.js';

/**
 * One `describe` block with a test per contract case, run in this process against `subject`.
 *
 * @example
 * ```ts
 * describeTokenStoreContract('MemoryTokenStore', { lock: true, create: () => new MemoryTokenStore() });
 * ```
 */
export function describeTokenStoreContract(name: string, subject: ContractSubject): void {
  // Concurrent: every case has its own namespace, and the expiry cases spend their time sleeping.
  describe.concurrent(`${name} passes the TokenStore contract`, () => {
    for (const contractCase of contractCases({ lock: subject.lock })) {
      it(contractCase.name, () => contractCase.run(subject), 15_000);
    }
  });
}

/** What a runtime harness answers for one case. */
export interface RemoteCaseResult {
  ok: boolean;
  error?: string;
}

/**
 * One `describe` block with a test per contract case, each run elsewhere (workerd, Chromium) by
 * `runRemote(caseName)`; a failed case fails its test with the runtime's message.
 */
export function describeRemoteContract(
  name: string,
  options: { lock: boolean },
  runRemote: (caseName: string) => Promise<RemoteCaseResult>,
): void {
  // Concurrent: every case has its own namespace, and the expiry cases spend their time sleeping.
  describe.concurrent(`${name} passes the TokenStore contract`, () => {
    for (const contractCase of contractCases(options)) {
      it(contractCase.name, async () => {
        const result = await runRemote(contractCase.name);
        if (!result.ok) {
          throw new Error(`failed inside the runtime: ${result.error ?? 'no message'}`);
        }
      }, 15_000);
    }
  });
}
