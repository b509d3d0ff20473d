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
/** The generated service-client table, relative to the package. */
export declare const CLIENT_OPERATIONS_OUTPUT_PATH: string;
/** The vendor extension that names an operation's service-client method: `x-keyway-client`. */
export declare const CLIENT_EXTENSION: string;
/** One operation marked `x-keyway-client`, as the generator reads it. */
export interface ClientOperation {
  resource: string;
  method: string;
  operationId: string;
  summary: string | undefined;
  description: string | undefined;
  pathParams: string[];
  queryParams: string[];
  jsonBody: boolean;
  /** Required top-level fields of the answer and the JSON types each may have. */
  responseFields: Record<string, string[]>;
}
/** The operations marked `x-keyway-client`, in the spec's order; throws on what a client method cannot honour. */
export declare function readClientTable(): Promise<ClientOperation[]>;
/** Renders the full contents of `src/generated/client-operations.ts` from the spec. */
export declare function renderClientTable(): Promise<string>;
