/**
 * Addresses from a provider that we show or open. A person may be shown an http(s) address; the browser
 * opener gets only https:, or http: on this machine (a `javascript:`, `file:` or `data:` URI, or a
 * plain-http page elsewhere, is never opened for them).
 */

/** `value` as a URL when it is an http: or https: one, else `undefined`. */
export function webUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

/** https:, or http: on a loopback host (`127.0.0.0/8`, `[::1]`, `localhost`). */
export function isOpenableUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** `hostname` as `URL` gives it: IPv6 in brackets, IPv4 normalised to dotted decimal. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
