import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { createKeywayClient } from '../service-client.js';
import { VERSION } from './version.js';

describe('VERSION', () => {
  it("is package.json's version (the build's define; vitest.config.ts defines the same)", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is the version createKeywayClient names in User-Agent and x-keyway-client', async () => {
    const sent: Headers[] = [];
    const client = createKeywayClient({
      baseUrl: 'https://keyway.test',
      token: 'kw_test',
      fetch: async (input, init) => {
        sent.push(new Request(input, init).headers);
        return Response.json({ valid: true, sub: 'usr_1', iss: 'https://keyway.test' });
      },
    });
    await client.validation.verify();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.get('user-agent')).toBe(`keyway-core/${pkg.version}`);
    expect(sent[0]?.get('x-keyway-client')).toBe(`keyway-core/${pkg.version}`);
  });
});
