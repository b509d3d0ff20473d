/*
 * The token source's side of the TokenCoordinator: an OAuth client whose `clientCredentials` asks the
 * Durable Object, rethrows what the issuer said through it, and goes to the issuer itself (with one
 * log line) when the object cannot be reached or does not answer as a TokenCoordinator does.
 */
import type { GetTokenOptions, TokenSet, TokenSourceOAuthClient } from '@keyway/core';
import type { TokenCoordinatorNamespace } from '../coordinator.js';
import { COORDINATOR_URL, type CoordinatorRequest, isTokenSet, reviveFailure } from './coordinator-protocol.js';
import { isRecord } from './is-record.js';

interface CoordinatedClientOptions {
  namespace: TokenCoordinatorNamespace;
  /** The object's name: the token source's key (issuer, client, audience, scope). */
  name: () => string;
  /** What every request to the object carries. */
  request: CoordinatorRequest;
  /** The client the source uses when the object fails. */
  direct: TokenSourceOAuthClient;
  log: (message: string) => void;
}

/** The coordinated client, and `note()`, told of every `getToken` options before core sees them. */
export interface CoordinatedClient {
  readonly client: TokenSourceOAuthClient;
  note(options: GetTokenOptions | undefined): void;
}

export function coordinatedClient(options: CoordinatedClientOptions): CoordinatedClient {
  const { namespace, name, request, direct, log } = options;
  // A refused token is never good again: sending it with every later request is harmless (the object
  // renews only while it still holds that very token). A forced refresh is sent once.
  let rejectedToken: string | undefined;
  let forceRefresh = false;
  const secrets = secretsOf(request);
  // Time enough for the object to discover the issuer and make a token request with one retry, each
  // within the client's `timeout`: past it, the object counts as out of reach.
  const patience = Math.min(3 * (request.timeout ?? DEFAULT_TIMEOUT), 2 ** 31 - 1);

  const ask = async (): Promise<TokenSet | string> => {
    const body: CoordinatorRequest = { ...request };
    if (rejectedToken !== undefined) {
      body.rejectedToken = rejectedToken;
    }
    if (forceRefresh) {
      body.forceRefresh = true;
      forceRefresh = false;
    }
    let answered: { response: Response; reply: unknown } | undefined;
    try {
      const stub = namespace.get(namespace.idFromName(name()));
      const exchange = stub
        .fetch(
          new Request(COORDINATOR_URL, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        )
        .then(async (response) => ({ response, reply: (await response.json().catch(() => undefined)) as unknown }));
      answered = await beforeDeadline(exchange, patience);
    } catch (error) {
      return `could not be reached (${describe(error, secrets)})`;
    }
    if (answered === undefined) {
      return `did not answer within ${patience} ms`;
    }
    const { response, reply } = answered;
    if (response.status === 200 && isRecord(reply) && isTokenSet(reply.tokens)) {
      return reply.tokens;
    }
    if (response.status === 502 && isRecord(reply)) {
      const failure = reviveFailure(reply.failure);
      if (failure) {
        throw failure;
      }
    }
    return `answered ${response.status} without a token`;
  };

  const client: TokenSourceOAuthClient = {
    issuer: direct.issuer,
    clientId: direct.clientId,
    async clientCredentials(params) {
      const answer = await ask();
      if (typeof answer !== 'string') {
        return answer;
      }
      log(
        `@keyway/edge: the TokenCoordinator ${answer}; requesting the token for client ${JSON.stringify(request.clientId)} directly from ${JSON.stringify(request.issuer)}.`,
      );
      return direct.clientCredentials(params);
    },
    refresh: (tokens, refreshOptions) => direct.refresh(tokens, refreshOptions),
  };
  return {
    client,
    note(getOptions) {
      if (getOptions?.rejectedToken !== undefined) {
        rejectedToken = getOptions.rejectedToken;
      }
      if (getOptions?.forceRefresh) {
        forceRefresh = true;
      }
    },
  };
}

/** Core's default `timeout` for requests to the issuer, in milliseconds. */
const DEFAULT_TIMEOUT = 10_000;

/** What `promise` resolves to, or undefined when `ms` pass first (the promise is left to settle unheard). */
function beforeDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The strings of the request a log line must never show. */
function secretsOf(request: CoordinatorRequest): string[] {
  const secrets = request.clientSecret ? [request.clientSecret] : [];
  for (const value of Object.values(request.privateKey ?? {})) {
    if (typeof value === 'string' && value.length >= 8) {
      secrets.push(value);
    }
  }
  return secrets;
}

/** An error as `"Name: message"`: quoted (no control character unescaped), short, every secret cut out. */
function describe(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  for (const secret of secrets) {
    text = text.split(secret).join('[redacted]');
  }
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
