/** The spec, relative to the repository root. */
export declare const SPEC_PATH: string;
/** The generated file, relative to the package. */
export declare const OUTPUT_PATH: string;
/** Renders the full contents of `src/generated/schema.ts` from the spec. */
export declare function renderSchema(): Promise<string>;
