/**
 * Unhandled rejections seen by the test process, recorded by the listener that `test/setup.ts`
 * installs. Kept on `globalThis` so the setup file and every test module see one list, whatever the
 * module graph looks like.
 */

/** Marks rejections the harness's sanity checks cause on purpose (vitest.config ignores them). */
export const SANITY_MARKER = '[fuzz-sanity]';

const KEY = Symbol.for('keyway.fuzz.unhandled');

interface Recorded {
  reasons: unknown[];
  installed: boolean;
}

function state(): Recorded {
  const holder = globalThis as { [KEY]?: Recorded };
  holder[KEY] ??= { reasons: [], installed: false };
  return holder[KEY];
}

/** Installs the process listener once (setup file). */
export function installUnhandledRejectionListener(): void {
  const recorded = state();
  if (recorded.installed) {
    return;
  }
  recorded.installed = true;
  process.on('unhandledRejection', (reason) => {
    recorded.reasons.push(reason);
  });
}

/** How many unhandled rejections were seen so far. */
export function unhandledCount(): number {
  return state().reasons.length;
}

/** Removes and returns the unhandled rejections seen since `count` (from {@link unhandledCount}). */
export function takeUnhandledSince(count: number): unknown[] {
  return state().reasons.splice(count);
}

/** Forgets rejections the sanity checks caused on purpose. */
export function forgetSanityRejections(): void {
  const recorded = state();
  recorded.reasons = recorded.reasons.filter((reason) => !String((reason as Error)?.message).includes(SANITY_MARKER));
}
