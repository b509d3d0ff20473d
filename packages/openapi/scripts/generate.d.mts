/** The spec, relative to the repository root. */
export declare const SPEC_PATH: string;
/** The generated types, relative to the package. */
export declare const OUTPUT_PATH: string;
/** The generated operation table, relative to the package. */
export declare const OPERATIONS_OUTPUT_PATH: string;
/** The vendor extension that marks an operation safe to repeat: `x-keyway-idempotent`. */
export declare const IDEMPOTENT_EXTENSION: string;
/** Renders the full contents of `src/generated/schema.ts` from the spec. */
export declare function renderSchema(): Promise<string>;
/** The spec's operations in its order; throws on a missing or duplicate operationId or a non-boolean flag. */
export declare function readOperations(): Promise<
  Array<{ operationId: string; method: string; path: string; idempotent: boolean }>
>;
/** Renders the full contents of `src/generated/operations.ts` from the spec. */
export declare function renderOperations(): Promise<string>;
