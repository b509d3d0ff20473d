import { UnsupportedRuntimeError } from '../errors.js';
import type { MswModule } from '../internal/msw-types.js';

/**
 * A `#msw` that never imports msw and refuses, typed (`UnsupportedRuntimeError`, `feature: 'handlers'`):
 * `mock.handlers` with `handlersMessage`; msw's `setupServer` naming its caller, then `serverHint`.
 */
export function refusingMsw(handlersMessage: string, serverHint: string): MswModule {
  return {
    buildHandlers() {
      throw new UnsupportedRuntimeError('handlers', handlersMessage);
    },
    setupServer(_handlers, feature) {
      throw new UnsupportedRuntimeError(
        'handlers',
        `@keyway/mocks: ${feature} needs msw's setupServer, which runs only in Node.js. ${serverHint}`,
      );
    },
  };
}
