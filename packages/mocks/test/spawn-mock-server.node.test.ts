/*
 * spawnMockServer() from the BUILT package (`@keyway/mocks/node` -> dist/node.js, which starts
 * dist/bin/keyway-mock-server.js; CI builds before it tests): the emulator in a child process answers
 * while this thread is blocked, which an in-process mock cannot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

type NodeEntry = typeof import('../src/node.js');
type RootEntry = typeof import('../src/index.js');
const { spawnMockServer } = (await import('@keyway/mocks/node' as string)) as NodeEntry;
const { MockServerStartError } = (await import('@keyway/mocks' as string)) as RootEntry;

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

/** `GET url` with a bearer token, from another process while this thread waits in execFileSync. */
function blockingGet(url: string, token: string): unknown {
  const script = `fetch(${JSON.stringify(url)}, { headers: { authorization: 'Bearer ' + process.env.TOKEN } })
    .then((r) => r.json()).then((body) => process.stdout.write(JSON.stringify(body)))`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, TOKEN: token },
      timeout: 20_000,
    }).toString(),
  );
}

/** Whether `pid` still runs, given up to 5 s to go (a killed process is gone once it is reaped). */
async function stillAliveAfterGrace(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return alive(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('spawnMockServer', { timeout: 30_000 }, () => {
  it('answers while the calling thread is blocked; seeded from config; close() stops the child', async () => {
    const server = await spawnMockServer({ config: { users: [{ sub: 'usr_spawned', email: 'spawned@example.com' }] } });
    started.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(blockingGet(`${server.url}/api/v1/validate`, server.apiToken)).toMatchObject({
      valid: true,
      sub: 'usr_spawned',
    });
    const discovery = await fetch(`${server.url}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(server.url);

    await server.close();
    expect(await stillAliveAfterGrace(server.pid)).toBe(false);
    await expect(fetch(`${server.url}/.well-known/openid-configuration`)).rejects.toThrow();
    await server.close(); // twice is fine
  });

  it('a config the emulator cannot use is a MockServerStartError with its message', async () => {
    const bad = spawnMockServer({ config: { users: 5 as never } });
    const error = await bad.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(MockServerStartError.is(error)).toBe(true);
    expect((error as InstanceType<typeof MockServerStartError>).code).toBe('mock_server_start_failed');
    expect((error as Error).message).toMatch(/exited \(code \d+\) before it listened/);
  });

  it('refuses a careless timeout before starting anything', async () => {
    for (const timeout of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY, 2 ** 40, '100' as unknown as number]) {
      await expect(spawnMockServer({ timeout }), String(timeout)).rejects.toThrow(TypeError);
    }
  });

  it('gives up after its timeout, killing the child', async () => {
    const error = await spawnMockServer({ timeout: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(MockServerStartError.is(error)).toBe(true);
    expect((error as Error).message).toContain('printed no URL within 1 ms');
  });

  it('the child does not outlive a process that forgot close()', async () => {
    const script = `import('@keyway/mocks/node').then(async ({ spawnMockServer }) => {
      const server = await spawnMockServer();
      process.stdout.write(String(server.pid));
    });`;
    const pid = Number(
      execFileSync(process.execPath, ['-e', script], {
        cwd: new URL('..', import.meta.url),
        timeout: 20_000,
      }).toString(),
    );
    expect(pid).toBeGreaterThan(0);
    // The parent exited by itself (nothing held it) and took the child with it.
    expect(await stillAliveAfterGrace(pid)).toBe(false);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
