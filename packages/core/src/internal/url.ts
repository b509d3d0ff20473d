import { ConfigurationError } from '../errors.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses `value` as an absolute http(s) URL and refuses plain `http:` to anything but a loopback
 * host unless the caller opted in: tokens must not cross a network in clear text by accident.
 */
export function parseServiceUrl(value: string | URL, what: string, allowInsecureRequests = false): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`${what} is not an absolute URL.`, { code: 'invalid_url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`${what} must use https: (got ${url.protocol}).`, { code: 'invalid_url' });
  }
  if (url.protocol === 'http:' && !allowInsecureRequests && !isLoopbackHost(url.hostname)) {
    throw new ConfigurationError(
      `${what} uses plain http: to a non-loopback host (${url.host}); use https: or set allowInsecureRequests: true.`,
      { code: 'insecure_request' },
    );
  }
  return url;
}
