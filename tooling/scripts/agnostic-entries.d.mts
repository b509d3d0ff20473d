/** The conditions a worker or browser bundler matches. */
export declare const AGNOSTIC_CONDITIONS: readonly string[];

/** One runtime-agnostic entry of a published package. */
export interface AgnosticEntry {
  /** The import specifier, e.g. `@keyway/token-store/kv`. */
  specifier: string;
  /** The package name. */
  pkg: string;
  /** The package directory (absolute). */
  dir: string;
  /** The file a worker or browser resolves the entry to, relative to the package. */
  file: string;
}

/** What an `exports` value resolves to under `conditions`: a file, or `null`. */
export declare function resolveTarget(target: unknown, conditions: readonly string[]): string | null;

/** One public entry of a published package (any runtime). */
export interface PublicEntry {
  /** The import specifier, e.g. `@keyway/mocks/vitest`. */
  specifier: string;
  /** The package name. */
  pkg: string;
  /** The package directory (absolute). */
  dir: string;
  /** The `exports` key, e.g. `./vitest`. */
  subpath: string;
  /** The `exports` value of that key. */
  target: unknown;
}

/** Every public entry (every `exports` key but `./package.json`) of every published package, sorted by specifier. */
export declare function publicEntries(): PublicEntry[];

/** Every runtime-agnostic entry of every published package under packages/, sorted by specifier. */
export declare function agnosticEntries(): AgnosticEntry[];
