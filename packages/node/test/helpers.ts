import { createMockKeyway, type MockKeyway } from '@keyway/mocks';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CLIENT_ID = 'test-public-client';

export interface MockContext {
  mock: MockKeyway;
  issuer: string;
}

/** One mock Keyway server on 127.0.0.1 for the file, reset after each test. */
export function useMockServer(): MockContext {
  const context = {} as MockContext;
  let close: () => Promise<void>;
  beforeAll(async () => {
    context.mock = createMockKeyway({ deviceInterval: 0 });
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
 * A browser double: follows the authorization URL's redirect with fetch and loads the loopback callback,
 * as a browser would. Resolves to the callback page.
 */
export async function followRedirect(
  url: string,
): Promise<{ status: number; html: string; location: string; headers: Record<string, string> }> {
  const authorize = await fetch(url, { redirect: 'manual' });
  const location = authorize.headers.get('location');
  if (authorize.status !== 302 && authorize.status !== 303) {
    throw new Error(`authorize answered ${authorize.status}`);
  }
  if (!location) {
    throw new Error('authorize sent no Location');
  }
  const callback = await fetch(location);
  return {
    status: callback.status,
    html: await callback.text(),
    location,
    headers: Object.fromEntries(callback.headers),
  };
}
