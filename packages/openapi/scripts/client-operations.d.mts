import type { ClientOperation } from './generate.mjs';

/** The vendor extension that names an operation's service-client method: `x-keyway-client`. */
export declare const CLIENT_EXTENSION: string;
/** The operations of a parsed spec marked `x-keyway-client`; throws on what a client method cannot honour. */
export declare function readClientOperations(spec: unknown, specPath: string): ClientOperation[];
/** Renders src/generated/client-operations.ts from the entries, under the given header. */
export declare function renderClientOperations(entries: ClientOperation[], header: string): string;
