import { ConfigurationError } from '@keyway/core';
import type { EdgeAuthError } from '../errors.js';
import type { ResourceMetadataOptions } from '../resource-metadata.js';
import type { Verifier } from '../verifier.js';
import { withChallengeParams } from './challenge.js';
import { verifierFacts } from './verifier-facts.js';

/** RFC 9728 §3: where a resource's metadata lives, below its origin. */
const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 6749 §3.3 `scope-token`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A resource's RFC 9728 side: its metadata URL, the answer to metadata requests, its challenges. */
interface ProtectedResource {
  /** The metadata URL that challenges name in `resource_metadata`. */
  readonly metadataUrl: string;
  /** The answer to a request for the metadata document; `undefined` for every other request. */
  serve(request: Request, verifier: Verifier): Response | undefined;
  /** `refusal` with `resource_metadata` in each of its challenges (a refusal without one as it is). */
  refuse(refusal: EdgeAuthError): EdgeAuthError;
}

function invalid(message: string): ConfigurationError {
  return new ConfigurationError(`resourceMetadata: ${message}`, { code: 'invalid_option' });
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}

/** The `resource` option as a URL: https (http for a loopback host), no query, fragment or credentials. */
function resourceUrl(value: unknown): URL {
  const text = typeof value === 'string' || value instanceof URL ? String(value) : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // not a URL: refused below
  }
  if (
    !url ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) ||
    url.username !== '' ||
    url.password !== '' ||
    /[?#]/.test(text)
  ) {
    throw invalid(
      '`resource` must be an absolute https: URL (http: only for a loopback host such as 127.0.0.1) without query, fragment or credentials (RFC 9728 §1.2).',
    );
  }
  return url;
}

function scopeList(value: unknown): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope))) {
    throw invalid('`scopesSupported` must be an array of scope tokens (visible ASCII, no space, `"` or `\\`).');
  }
  return [...value];
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw invalid(`\`${name}\` must be a non-empty string.`);
  }
  return value;
}

/** `extra`, copied through JSON so the document is fixed now (and a cycle or a BigInt refused now). */
function extraMembers(value: unknown): Record<string, unknown> {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('`extra` must be an object of further metadata members.');
  }
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    throw invalid('`extra` must be JSON: no cycles, BigInts or throwing getters.');
  }
}

/**
 * Checks the `resourceMetadata` option where it enters (`ConfigurationError` `invalid_option`) and
 * returns what serves it. `requiredScopes` are the helper's own, the default `scopes_supported` with
 * the verifier's.
 */
export function protectedResource(
  options: ResourceMetadataOptions,
  requiredScopes: readonly string[] = [],
): ProtectedResource {
  if (typeof options !== 'object' || options === null) {
    throw invalid('expected { resource, scopesSupported?, ... }.');
  }
  const url = resourceUrl(options.resource);
  const resource = String(options.resource);
  const scopesSupported = scopeList(options.scopesSupported);
  const named = {
    resource_name: optionalText(options.resourceName, 'resourceName'),
    resource_documentation: optionalText(options.resourceDocumentation, 'resourceDocumentation'),
  };
  const extra = extraMembers(options.extra);
  // RFC 9728 §3.1: the well-known path goes between the host and the resource's path.
  const suffix = url.pathname === '/' ? '' : url.pathname;
  const metadataUrl = new URL(`${WELL_KNOWN}${suffix}`, url.origin).href;
  const paths = new Set([WELL_KNOWN, new URL(metadataUrl).pathname]);

  const document = (verifier: Verifier): Record<string, unknown> => {
    const facts = verifierFacts(verifier);
    const scopes = scopesSupported ?? [...new Set([...(facts?.requiredScopes ?? []), ...requiredScopes])];
    const dpop = facts?.settings.dpop ? facts.settings : undefined;
    return {
      ...extra,
      resource,
      authorization_servers: [verifier.issuer],
      ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
      bearer_methods_supported: ['header'],
      ...(dpop ? { dpop_signing_alg_values_supported: [...dpop.dpopAlgorithms] } : {}),
      ...(dpop && !dpop.bearer ? { dpop_bound_access_tokens_required: true } : {}),
      ...Object.fromEntries(Object.entries(named).filter(([, value]) => value !== undefined)),
    };
  };

  return {
    metadataUrl,
    serve(request, verifier) {
      let pathname: string;
      try {
        pathname = new URL(request.url).pathname;
      } catch {
        return undefined;
      }
      if (!paths.has(pathname)) {
        return undefined;
      }
      const headers = new Headers({ 'access-control-allow-origin': '*' });
      if (request.method === 'OPTIONS') {
        headers.set('access-control-allow-methods', 'GET, HEAD, OPTIONS');
        return new Response(null, { status: 204, headers });
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        headers.set('allow', 'GET, HEAD, OPTIONS');
        return new Response(null, { status: 405, headers });
      }
      headers.set('content-type', 'application/json');
      headers.set('cache-control', 'public, max-age=300');
      const body = JSON.stringify(document(verifier));
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
    },
    refuse: (refusal) => withChallengeParams(refusal, [`resource_metadata="${metadataUrl}"`]),
  };
}
