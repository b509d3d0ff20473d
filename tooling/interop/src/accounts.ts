import type { Account, FindAccount } from 'oidc-provider';

/** A user of the test provider. devInteractions accepts any password; the login is the account id. */
export interface TestUser {
  sub: string;
  email: string;
  name: string;
  password: string;
}

/** The fixed set of users the provider knows. */
export const users = {
  alice: { sub: 'alice', email: 'alice@example.test', name: 'Alice Liddell', password: 'wonderland' },
  bob: { sub: 'bob', email: 'bob@example.test', name: 'Bob Builder', password: 'can-we-fix-it' },
} as const satisfies Record<string, TestUser>;

/** `findAccount` for oidc-provider: only the fixed users exist. */
export const findAccount: FindAccount = (_ctx, id): Account | undefined => {
  const user = Object.values(users).find((candidate) => candidate.sub === id);
  if (!user) {
    return undefined;
  }
  return {
    accountId: user.sub,
    claims: () => ({ sub: user.sub, email: user.email, email_verified: true, name: user.name }),
  };
};
