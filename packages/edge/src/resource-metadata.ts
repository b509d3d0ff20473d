/**
 * RFC 9728 Protected Resource Metadata served by `withAuth`, `keywayMiddleware` and the Hono
 * `keywayAuth` (their `resourceMetadata` option). The document names the verifier's issuer as the
 * authorization server; its URL goes into every `WWW-Authenticate` challenge as `resource_metadata`,
 * so a client that only has a 401 (an MCP client, any RFC 9728 client) finds where to get a token.
 */
export interface ResourceMetadataOptions {
  /**
   * The resource identifier (`resource`): an `https:` URL (`http:` only for a loopback host), without
   * query, fragment or credentials — usually the verifier's `audience`. A resource with a path is
   * served at the path-suffixed well-known URL (`/.well-known/oauth-protected-resource/mcp` for
   * `https://mcp.example.com/mcp`, RFC 9728 §3.1) and at the bare one.
   */
  resource: string | URL;
  /** `scopes_supported` (default: the scopes the verifier and the helper require, when there are any). */
  scopesSupported?: readonly string[];
  /** `resource_name`: a human-readable name. */
  resourceName?: string;
  /** `resource_documentation`: a URL of documentation for developers. */
  resourceDocumentation?: string;
  /**
   * Further members of the document by their RFC 9728 names (`resource_policy_uri`, ...). The members
   * derived from the verifier (`resource`, `authorization_servers`, `bearer_methods_supported`, DPoP's)
   * and the options above win over them.
   */
  extra?: Readonly<Record<string, unknown>>;
}
