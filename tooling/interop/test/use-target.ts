import { afterAll, beforeAll } from 'vitest';
import { type InteropTarget, startTarget, type TargetName, type TargetOptions } from '../src/target.ts';

/**
 * The named target for the enclosing `describe` block: started before its tests, closed after them. The
 * returned object stands for the running target inside tests and hooks (and says so when used before it
 * has started).
 */
export function useTarget(name: TargetName, options: TargetOptions = {}): InteropTarget {
  let current: InteropTarget | undefined;
  beforeAll(async () => {
    current = await startTarget(name, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  const running = (): InteropTarget => {
    if (!current) {
      throw new Error(`The ${name} target is not running: use it inside a test or hook.`);
    }
    return current;
  };
  return new Proxy({} as InteropTarget, {
    get: (_, key) => {
      const value = Reflect.get(running(), key);
      return typeof value === 'function' ? value.bind(running()) : value;
    },
  });
}
