import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as realSleep } from 'node:timers/promises';
import { CallbackError, InvalidResponseError, KeywayAbortError } from '@keyway/core';
import { CodeFlow, DeviceFlow } from '@keyway/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLIENT_ID,
  expectError,
  HOSTILE_TEXT,
  type HostileOp,
  network,
  observe,
  secretScan,
  startHostileOp,
  TERMINAL_CONTROLS,
} from '../src/index.ts';

let op: HostileOp;
let home: string;
beforeAll(async () => {
  op = await startHostileOp();
  home = await mkdtemp(join(tmpdir(), 'keyway-conformance-'));
});
afterAll(async () => {
  await op.close();
  await rm(home, { recursive: true, force: true });
});
beforeEach(() => op.reset());

const cli = join(dirname(createRequire(import.meta.url).resolve('@keyway/node/package.json')), 'dist', 'cli.js');

/** Runs the `keyway` CLI as a person would (no TTY here), with its own home and token file. */
function keyway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        timeout: 15_000,
        env: { PATH: process.env.PATH, HOME: home, KEYWAY_TOKEN_FILE: join(home, 'tokens.json') },
      },
      (error, stdout, stderr) => {
        observe(stdout, 'cli stdout');
        observe(stderr, 'cli stderr');
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('@keyway/node prints provider strings without their terminal controls', () => {
  /** Runs a DeviceFlow with the default printer until it has printed (or failed), then stops it. */
  const runDeviceFlow = async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    const controller = new AbortController();
    const flow = new DeviceFlow({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      fetch: network().fetch,
      qr: false,
      signal: controller.signal,
    });
    const running = flow.run();
    let settled = false;
    running
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        settled = true;
      });
    try {
      for (let i = 0; i < 500 && written.length === 0 && !settled; i++) {
        await realSleep(10);
      }
      controller.abort();
    } finally {
      spy.mockRestore();
    }
    const text = written.join('');
    observe(text, 'stderr');
    return { running, text };
  };

  it('DeviceFlow prints the user code and the verification URI of a correct OP', async () => {
    const { running, text } = await runDeviceFlow();
    await expectError(running, KeywayAbortError, 'aborted');
    expect(text).toContain('WDJB-MJHT');
    expect(text).toContain(`${op.issuer}/device`);
  });

  it('DeviceFlow refuses a user_code and verification_uri full of terminal escapes and prints none of it', async () => {
    op.scenario = {
      device: {
        merge: { user_code: `WDJB${HOSTILE_TEXT}MJHT`, verification_uri: `${op.issuer}/device${HOSTILE_TEXT}` },
      },
    };
    const { running, text } = await runDeviceFlow();
    await expectError(running, InvalidResponseError, 'invalid_device_response');
    expect(text).not.toMatch(TERMINAL_CONTROLS);
  });

  it('DeviceFlow refuses a javascript: verification_uri before showing anything (insecure_verification_uri)', async () => {
    op.scenario = { device: { merge: { verification_uri: 'javascript:alert(1)' } } };
    const shown = vi.fn();
    await expectError(
      new DeviceFlow({ issuer: op.issuer, clientId: CLIENT_ID, fetch: network().fetch, onDeviceCode: shown }).run(),
      InvalidResponseError,
      'insecure_verification_uri',
    );
    expect(shown).not.toHaveBeenCalled();
  });

  it('keyway login prints an error_description full of escapes without its controls (exit 1)', async () => {
    op.scenario = { device: { status: 400, body: { error: 'invalid_client', error_description: HOSTILE_TEXT } } };
    const { code, stderr } = await keyway([
      'login',
      '--device',
      '--no-qr',
      '--issuer',
      op.issuer,
      '--client-id',
      CLIENT_ID,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('invalid_client');
    expect(stderr.replace(/\n/g, '')).not.toMatch(TERMINAL_CONTROLS);
  });

  it('keyway login --json writes one JSON line without raw controls when discovery names a hostile issuer', async () => {
    op.scenario = { metadata: { issuer: `${op.issuer}${HOSTILE_TEXT}` } };
    const { code, stdout, stderr } = await keyway([
      'login',
      '--device',
      '--json',
      '--issuer',
      op.issuer,
      '--client-id',
      CLIENT_ID,
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout.trim()).error.code).toBe('issuer_mismatch');
    expect(`${stdout}${stderr}`.replace(/\n/g, '')).not.toMatch(TERMINAL_CONTROLS);
  });
});

describe('@keyway/node code flow against the hostile OP', () => {
  /** A browser that follows the OP's redirect to the loopback server and reads the page it shows. */
  const browser = () => {
    const seen: { status?: number; page?: string } = {};
    const open = async (url: string) => {
      const redirect = await fetch(url, { redirect: 'manual' });
      const page = await fetch(redirect.headers.get('location') ?? '');
      seen.status = page.status;
      seen.page = await page.text();
    };
    return { seen, open };
  };

  it('completes a login: the ID token is verified and the success page is shown', async () => {
    const { seen, open } = browser();
    const tokens = await new CodeFlow({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      fetch: network().fetch,
      openBrowser: open,
    }).run();
    expect(tokens.claims?.sub).toBe('alice');
    expect(seen.status).toBe(200);
  });

  it("shows the provider's error_description HTML-escaped and rejects with CallbackError access_denied", async () => {
    op.scenario = {
      authorizationResponse: { error: 'access_denied', error_description: '<script>alert(document.domain)</script>' },
    };
    const { seen, open } = browser();
    await expectError(
      new CodeFlow({ issuer: op.issuer, clientId: CLIENT_ID, fetch: network().fetch, openBrowser: open }).run(),
      CallbackError,
      'access_denied',
    );
    expect(seen.status).toBe(400);
    expect(seen.page).not.toContain('<script>');
    expect(seen.page).toContain('&lt;script&gt;');
  });
});

secretScan();
