/** What `#server` provides: a loopback HTTP server around a fetch-style handler. */
export interface ServerModule {
  serve(
    handle: (request: Request) => Promise<Response>,
    port: number,
  ): Promise<{ url: string; port: number; close(): Promise<void> }>;
}
