/**
 * The local API Gateway: a thin HTTP shell over a route table, an authorizer and the Lambda proxy
 * integration, answering as API Gateway REST v1 does (docs/reference.md §1–3). It only ever binds loopback.
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../common/cli-error.ts';
import { readBoundedBody } from '../request-body.ts';
import type { Authorizer } from './authorizer.ts';
import { invokeProxyIntegration } from './integration.ts';
import { buildProxyEvent } from './proxy-event.ts';
import { parseRequestTarget } from './request-target.ts';
import { type GatewayResponse, gatewayError, newRequestIds, type RequestIds } from './responses.ts';
import { createRouteTable, type GatewayRoute, type RouteMatch } from './route-table.ts';

export type { GatewayRoute } from './route-table.ts';

export interface GatewayOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly stage: string;
  readonly routes: readonly GatewayRoute[];
  readonly authorizer: Authorizer;
  readonly integrationTimeoutMs: number;
  /** The API key methods with `apiKeyRequired` accept in `x-api-key`; absent, they accept none. */
  readonly apiKey?: string;
  /** Ten lowercase alphanumerics, like a real REST API id. */
  readonly apiId: string;
}

/**
 * The HTTP shell's parts, which the composition root (local-stack/stack.ts) wires: the product's are
 * DEFAULT_SERVER_PARTS; a test composes a gateway with one replaced to make it wrong in one way.
 */
export interface GatewayServerParts {
  /** The request-line-plus-headers limit: API Gateway's 10 KiB. */
  readonly maxHeaderBytes: number;
  /** The last word on each answer before it is sent: the answer as it is. */
  readonly finish: (answer: GatewayResponse, request: IncomingMessage) => GatewayResponse;
  /**
   * The first word on each request, before routing: nothing (undefined) as API Gateway. A test's part
   * may rewrite the request's method, URL or headers, answer it itself, or waive the authorizer for it,
   * to build a front end wrong in one way about the request rather than the token.
   */
  readonly frontDoor: (request: IncomingMessage) => FrontDoorDecision | undefined;
}

/** What a test's front door decided for one request (see GatewayServerParts.frontDoor). */
export type FrontDoorDecision = { readonly answer: GatewayResponse } | { readonly skipAuthorizer: true };

export interface RunningGateway {
  /** e.g. http://127.0.0.1:3000 */
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';
/** API Gateway's limit on the request line plus headers; Node answers 431 beyond it. */
const MAX_HEADER_BYTES = 10_240;
/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export const DEFAULT_SERVER_PARTS: GatewayServerParts = {
  maxHeaderBytes: MAX_HEADER_BYTES,
  finish: (answer) => answer,
  frontDoor: () => undefined,
};

/** A taken port is a configuration mistake (the setting names another port): exit code 2. */
export class PortInUseError extends UsageError {
  override readonly name = 'PortInUseError';
  readonly port: number;
  constructor(port: number, what: string, setting: string) {
    super(
      `Port ${port} on ${LOOPBACK} is already in use, so the ${what} cannot start: stop the program using it or set ${setting} to a free port.`,
    );
    this.port = port;
  }
}

const EMPTY = Buffer.alloc(0);

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> | Buffer {
  // A request that declares no body (the contract's GETs) has none to wait for: skip the stream
  // machinery, which costs more than the rest of such a request.
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
    request.resume();
    return EMPTY;
  }
  return readBoundedBody(request, MAX_BODY_BYTES);
}

/** The route table of a gateway's options, built once per options object. */
const routeTables = new WeakMap<GatewayOptions, (method: string, path: string) => RouteMatch | undefined>();

function findRoute(options: GatewayOptions, method: string, path: string): RouteMatch | undefined {
  let table = routeTables.get(options);
  if (table === undefined) {
    table = createRouteTable(options.routes);
    routeTables.set(options, table);
  }
  return table(method, path);
}

export async function handleRequest(
  options: GatewayOptions,
  request: IncomingMessage,
  ids: RequestIds,
  frontDoor: GatewayServerParts['frontDoor'] = DEFAULT_SERVER_PARTS.frontDoor,
): Promise<GatewayResponse> {
  const door = frontDoor(request);
  if (door !== undefined && 'answer' in door) return door.answer;
  const target = parseRequestTarget(request.url ?? '/');
  const authorization = request.headers.authorization;
  const stagePrefix = `/${options.stage}`;
  const path = target.pathname.startsWith(`${stagePrefix}/`)
    ? target.pathname.slice(stagePrefix.length)
    : undefined;
  const match = path === undefined ? undefined : findRoute(options, request.method ?? 'GET', path);

  if (match === undefined || path === undefined) {
    // With an Authorization header present API Gateway assumes an IAM-signed request to a missing
    // resource and complains about the signature instead.
    return authorization === undefined
      ? gatewayError('missingAuthenticationToken', ids)
      : gatewayError('incompleteSignature', ids, authorization);
  }

  // Awaited only when there is a body to wait for: each await is a trip through the microtask queue.
  const read = readBody(request);
  const body = read instanceof Buffer ? read : await read;
  if (body === 'too-large') return gatewayError('internalServerError', ids);

  const { route } = match;
  let claims: Readonly<Record<string, unknown>> | undefined;
  if (route.authorization === 'COGNITO_USER_POOLS' && door === undefined) {
    // The authorizer reads its identity source only: a token in any other header is no token (docs/reference.md §14).
    const identity =
      route.identityHeader === undefined ? authorization : headerValue(request, route.identityHeader);
    const decision = await options.authorizer(identity, route.scopes, match.key);
    if (decision.effect === 'deny') return gatewayError(decision.reason, ids);
    claims = decision.claims;
  } else if (route.authorization === 'AWS_IAM') {
    // No SigV4 signature is ever verified here: unsigned, Missing Authentication Token; anything in the
    // Authorization header, the SigV4 complaint (docs/reference.md §15).
    return authorization === undefined
      ? gatewayError('missingAuthenticationToken', ids)
      : gatewayError('incompleteSignature', ids, authorization);
  } else if (route.authorization === 'CUSTOM') {
    // A team's Lambda authorizer cannot run here: every call is refused as one that throws
    // "Unauthorized" would refuse it (docs/reference.md §15, a local-stack decision).
    return gatewayError('unauthorized', ids);
  }
  if (
    route.apiKeyRequired &&
    (options.apiKey === undefined || request.headers['x-api-key'] !== options.apiKey)
  ) {
    return gatewayError('forbidden', ids);
  }

  const event = buildProxyEvent({
    request,
    query: target.query,
    stage: options.stage,
    path,
    resource: route.resource,
    pathParameters: match.pathParameters,
    body,
    ids,
    claims,
    apiId: options.apiId,
    now: Date.now(),
  });
  // `return await`: returning the promise itself would cost two more trips through the microtask queue.
  return await invokeProxyIntegration({
    handler: route.handler,
    functionName: route.functionName,
    event,
    ids,
    timeoutMs: options.integrationTimeoutMs,
  });
}

/** One request header's value by its lower-case name (Node joins repeated ones with ", "). */
function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function send(request: IncomingMessage, response: ServerResponse, answer: GatewayResponse): void {
  // writeHead takes lists as one header line per value; the cast only drops `readonly`.
  response.writeHead(answer.status, answer.headers as OutgoingHttpHeaders);
  // HEAD gets the same status and headers with no body.
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  // As a latin1 string the body keeps its exact bytes, and Node sends it in the same write as the
  // headers; as a Buffer it would go out as a second chunk, which doubled the cost of a small answer.
  response.end(answer.body.toString('latin1'), 'latin1');
}

export function startGateway(
  options: GatewayOptions,
  parts: GatewayServerParts = DEFAULT_SERVER_PARTS,
): Promise<RunningGateway> {
  const server: Server = createServer({ maxHeaderSize: parts.maxHeaderBytes }, (request, response) => {
    const ids = newRequestIds();
    handleRequest(options, request, ids, parts.frontDoor).then(
      (answer) => send(request, response, parts.finish(answer, request)),
      () => send(request, response, gatewayError('internalServerError', ids)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(options.port, 'local API gateway', 'LOCAL_API_PORT')
          : error,
      );
    });
    server.listen(options.port, LOOPBACK, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://${LOOPBACK}:${port}`,
        port,
        stop: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
