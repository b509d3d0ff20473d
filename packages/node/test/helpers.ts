import { completeAuthorization, createMockKeyway, type MockKeyway, type MockKeywayOptions } from '@keyway/mocks';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const CLIENT_ID = 'test-public-client';

export const ESC = '\u001b';
export const BEL = '\u0007';

/**
 * What a hostile provider puts in its strings: a screen clear, a window title (OSC ... BEL), an OSC-8
 * hyperlink, a C1 CSI, a right-to-left override and a forged line.
 */
export const HOSTILE = `${ESC}[2J${ESC}]0;pwned${BEL}${ESC}]8;;http://evil.example${ESC}\\click${ESC}]8;;${ESC}\\\u009b31m\u202eliame\nforged`;

/** {@link HOSTILE} as a person must see it: every control shown as an escape, nothing run. */
export const HOSTILE_SHOWN =
  '\\u001b[2J\\u001b]0;pwned\\u0007\\u001b]8;;http://evil.example\\u001b\\click\\u001b]8;;\\u001b\\\\u009b31m\\u202eliame\\u000aforged';

/**
 * Characters a terminal acts on instead of showing (C0 but the line feed, DEL, C1, the line and
 * paragraph separators, bidi controls): checked here independently of the sanitizer.
 */
export const TERMINAL_CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Fails when `text` (what was written to a terminal, a pipe or a log) holds a terminal control. */
export function expectNoTerminalControls(text: string): void {
  const found = TERMINAL_CONTROLS.exec(text);
  expect(found, found ? `U+${found[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${found.index}` : '').toBeNull();
}

export interface MockContext {
  mock: MockKeyway;
  issuer: string;
}

/** One mock Keyway server on 127.0.0.1 for the file, reset after each test. */
export function useMockServer(options: MockKeywayOptions = {}): MockContext {
  const context = {} as MockContext;
  let close: () => Promise<void>;
  beforeAll(async () => {
    context.mock = createMockKeyway({ deviceInterval: 0, ...options });
    const server = await context.mock.listen();
    context.issuer = server.url;
    close = server.close;
  });
  afterEach(() => {
    context.mock.reset();
  });
  afterAll(async () => {
    await close?.();
  });
  return context;
}

/**
 * A browser double: follows the authorization URL's redirect (`completeAuthorization`) and loads the
 * loopback callback, as a browser would. Resolves to the callback page.
 */
export async function followRedirect(
  url: string,
): Promise<{ status: number; html: string; location: string; headers: Record<string, string> }> {
  const location = (await completeAuthorization(url)).href;
  const callback = await fetch(location);
  return {
    status: callback.status,
    html: await callback.text(),
    location,
    headers: Object.fromEntries(callback.headers),
  };
}
