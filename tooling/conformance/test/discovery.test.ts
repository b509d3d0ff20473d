import { ConfigurationError, discover, InvalidResponseError, KeywayTimeoutError } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  clientOptions,
  discoveredClient,
  expectError,
  network,
  newClient,
  secretScan,
  useHostileOp,
} from '../src/index.ts';

const op = useHostileOp();

describe('discovery: positive controls', () => {
  it("discovers the OP: the client's issuer is the OP's own URL", async () => {
    const { client } = await discoveredClient(op);
    expect(client.issuer).toBe(op.issuer);
    expect(client.metadata.token_endpoint).toBe(`${op.issuer}/token`);
    expect(op.count('discovery')).toBe(1);
  });

  it('falls back to RFC 8414 metadata when the OpenID Connect document is missing', async () => {
    op.scenario = { discovery: { status: 404, body: 'not here' } };
    const { client } = await discoveredClient(op);
    expect(client.issuer).toBe(op.issuer);
    expect(op.count('oauthMetadata')).toBe(1);
  });

  it('shares one discovery request between concurrent discover() calls with one fetch', async () => {
    const net = network();
    const [a, b] = await Promise.all([
      discover(op.issuer, clientOptions(net)),
      discover(op.issuer, clientOptions(net)),
    ]);
    expect(a.issuer).toBe(b.issuer);
    expect(op.count('discovery')).toBe(1);
  });
});

describe('discovery: hostile documents', () => {
  it('refuses metadata for another issuer (issuer_mismatch)', async () => {
    op.scenario = { metadata: { issuer: 'https://evil.example.test' } };
    await expectError(discoveredClient(op), InvalidResponseError, 'issuer_mismatch');
  });

  it('refuses an issuer that differs by a trailing slash (issuer_mismatch)', async () => {
    op.scenario = { metadata: { issuer: `${op.issuer}/` } };
    await expectError(discoveredClient(op), InvalidResponseError, 'issuer_mismatch');
  });

  it('refuses metadata without an issuer (invalid_metadata)', async () => {
    op.scenario = { metadata: { issuer: undefined } };
    await expectError(discoveredClient(op), InvalidResponseError, 'invalid_metadata');
  });

  it('refuses metadata that is not JSON (invalid_metadata)', async () => {
    op.scenario = { discovery: { body: '<html>welcome</html>', headers: { 'content-type': 'text/html' } } };
    await expectError(discoveredClient(op), InvalidResponseError, 'invalid_metadata');
  });

  it('refuses metadata that is a JSON array (invalid_metadata)', async () => {
    op.scenario = { discovery: { body: [{ issuer: 'x' }] } };
    await expectError(discoveredClient(op), InvalidResponseError, 'invalid_metadata');
  });

  it('reports an OP with no metadata at either well-known URL (discovery_failed)', async () => {
    op.scenario = { discovery: { status: 404, body: 'no' }, oauthMetadata: { status: 404, body: 'no' } };
    const error = await expectError<InvalidResponseError>(
      discoveredClient(op),
      InvalidResponseError,
      'discovery_failed',
    );
    expect(error.status).toBe(404);
  });

  it('never follows a discovery redirect to another host (InvalidResponseError unexpected_redirect)', async () => {
    op.scenario = { discovery: { redirect: 'https://evil.example.test/.well-known/openid-configuration' } };
    const net = network();
    await expectError(discover(op.issuer, clientOptions(net)), InvalidResponseError, 'unexpected_redirect');
    expect(net.countHost('evil.example.test')).toBe(0);
  });

  it('refuses a 10 MB discovery document (response_too_large)', async () => {
    op.scenario = { discovery: { hugeBody: { bytes: 10 * 1024 * 1024, declareLength: true } } };
    await expectError(discoveredClient(op), InvalidResponseError, 'response_too_large');
  });

  it('gives up on a discovery endpoint that never answers (KeywayTimeoutError)', async () => {
    op.scenario = { discovery: { hang: 'before-headers' } };
    await expectError(discoveredClient(op, { timeout: 300 }), KeywayTimeoutError, 'timeout');
  });
});

describe('discovery: plain http to a non-loopback host', () => {
  it('refuses an http: issuer on another host without sending a request (insecure_request)', async () => {
    const net = network();
    await expectError(
      discover('http://issuer.example.test', clientOptions(net)),
      ConfigurationError,
      'insecure_request',
    );
    expect(net.requests).toHaveLength(0);
  });

  it('discovers an http: issuer on another host when allowInsecureRequests is set', async () => {
    const net = network({
      'issuer.example.test': () => Response.json({ ...op.metadata(), issuer: 'http://issuer.example.test' }),
    });
    const client = await discover('http://issuer.example.test', clientOptions(net, { allowInsecureRequests: true }));
    expect(client.issuer).toBe('http://issuer.example.test');
    expect(net.countHost('issuer.example.test')).toBe(1);
  });

  const insecure = (endpoint: string) => {
    op.scenario = { metadata: { [endpoint]: `http://as.example.test/${endpoint}` } };
    return newClient(op, {}, { 'as.example.test': () => Response.json({}) });
  };

  it('refuses an http: token_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('token_endpoint');
    await expectError(client.clientCredentials(), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: userinfo_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('userinfo_endpoint');
    await expectError(client.userinfo('an-access-token-of-some-length'), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: introspection_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('introspection_endpoint');
    await expectError(client.introspect('an-access-token-of-some-length'), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: revocation_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('revocation_endpoint');
    await expectError(client.revoke('an-access-token-of-some-length'), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: device_authorization_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('device_authorization_endpoint');
    await expectError(client.deviceAuthorization(), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: pushed_authorization_request_endpoint without sending a request (insecure_request)', async () => {
    const { client, net } = insecure('pushed_authorization_request_endpoint');
    await expectError(client.createAuthorizationUrl({ par: true }), ConfigurationError, 'insecure_request');
    expect(net.countHost('as.example.test')).toBe(0);
  });

  it('refuses an http: end_session_endpoint (insecure_request)', async () => {
    const { client } = insecure('end_session_endpoint');
    await expectError(() => client.endSessionUrl({ state: 'bye' }), ConfigurationError, 'insecure_request');
  });

  it('reports an endpoint the provider does not advertise (missing_endpoint) without a request', async () => {
    op.scenario = { metadata: { introspection_endpoint: undefined } };
    const { client, net } = newClient(op);
    await expectError(client.introspect('an-access-token-of-some-length'), ConfigurationError, 'missing_endpoint');
    expect(net.requests).toHaveLength(0);
    expect(client.clientId).toBe(CLIENT_ID);
  });
});

secretScan();
