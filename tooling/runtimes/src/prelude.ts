/*
 * Imported first by the Worker. @keyway/mocks' root entry imports msw, whose cookie store is created
 * when msw loads and throws (`Failed to create a CookieStore: localStorage is not available`) in a
 * runtime with neither `process` nor `localStorage` — workerd without `nodejs_compat`, and Vercel's
 * edge-runtime. test/known-issues.test.ts tracks that; until it is fixed, the mock (test equipment
 * here, not the code under test) gets an in-memory `localStorage`. @keyway/core never reads it.
 */
const shimmed = Symbol.for('keyway.runtimes.shimmedLocalStorage');

class MemoryStorage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
}

const scope = globalThis as { localStorage?: unknown; [shimmed]?: boolean };
if (scope.localStorage === undefined) {
  scope.localStorage = new MemoryStorage();
  // What the `runtime` case reports, so the tests see the shim was needed.
  scope[shimmed] = true;
}
