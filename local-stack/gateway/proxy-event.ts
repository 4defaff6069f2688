/**
 * Builds the Lambda proxy integration event (payload format 1.0) that API Gateway REST v1 sends, with
 * the authorizer's claims flattened to strings the way the real service does (docs/reference.md §3).
 */
import type { IncomingMessage } from 'node:http';
import type { RequestIds } from './responses.ts';

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Java's `Date.toString()` in UTC, e.g. "Fri Dec 17 12:39:25 UTC 2021": how `exp` and `iat` arrive. */
export function javaDateString(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

const dateClaims = new Set(['exp', 'iat']);

export function stringifyClaims(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (dateClaims.has(name) && typeof value === 'number') out[name] = javaDateString(value);
    else if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    // A one-element list (e.g. cognito:groups) arrives as its bare element. How several elements are
    // joined is not known (docs/reference.md §3: open); a comma-separated list is a guess, not a contract.
    else if (Array.isArray(value)) out[name] = value.map(String).join(',');
    else if (value !== null && value !== undefined) out[name] = JSON.stringify(value);
  }
  return out;
}

/**
 * The authorizer hands back the very same claims object for every request with a token it has already
 * verified, so their string form is computed once per object. Each event gets its own copy: a Lambda
 * that edits its event must not change the next request's.
 */
const stringifiedClaims = new WeakMap<object, Readonly<Record<string, string>>>();

function claimsForEvent(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  let strings = stringifiedClaims.get(claims);
  if (strings === undefined) {
    strings = stringifyClaims(claims);
    stringifiedClaims.set(claims, strings);
  }
  return { ...strings };
}

export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: Record<string, unknown>;
  body: string | null;
  isBase64Encoded: boolean;
}

export interface ProxyEventInput {
  readonly request: IncomingMessage;
  /** undefined when the request has no query string. */
  readonly query: URLSearchParams | undefined;
  readonly stage: string;
  /** The path below the stage, e.g. /hello. */
  readonly path: string;
  readonly resource: string;
  /** Values of the resource's `{name}` segments; null for a resource without any. */
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly body: Buffer;
  readonly ids: RequestIds;
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  readonly apiId: string;
  /** When the request arrived, in epoch milliseconds. */
  readonly now: number;
}

function formatRequestTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

// requestTime has a resolution of one second, so every request within the same second shares the string.
let requestTimeSecond = Number.NaN;
let requestTimeText = '';

/** CLF-style time of the request, e.g. "17/Dec/2021:12:39:25 +0000". */
export function requestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== requestTimeSecond) {
    requestTimeText = formatRequestTime(new Date(second * 1000));
    requestTimeSecond = second;
  }
  return requestTimeText;
}

export function buildProxyEvent(input: ProxyEventInput): ProxyEvent {
  const { request, query: searchParams } = input;
  // rawHeaders keeps the case the client sent, which is what API Gateway passes on.
  const rawHeaders = request.rawHeaders;
  let headers: Record<string, string> | null = null;
  let multiValueHeaders: Record<string, string[]> | null = null;
  if (rawHeaders.length >= 2) {
    headers = {};
    multiValueHeaders = {};
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as string;
      const value = rawHeaders[i + 1] as string;
      headers[name] = value;
      const list = multiValueHeaders[name];
      if (list === undefined) multiValueHeaders[name] = [value];
      else list.push(value);
    }
  }
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  if (searchParams !== undefined) {
    for (const [name, value] of searchParams) {
      query ??= {};
      multiQuery ??= {};
      query[name] = value;
      const list = multiQuery[name];
      if (list === undefined) multiQuery[name] = [value];
      else list.push(value);
    }
  }
  const host = request.headers.host ?? '';

  const requestContext: Record<string, unknown> = {
    resourceId: input.apiId.slice(0, 6),
    resourcePath: input.resource,
    httpMethod: request.method ?? 'GET',
    extendedRequestId: input.ids.apigwId,
    requestTime: requestTime(input.now),
    path: `/${input.stage}${input.path}`,
    accountId: '000000000000',
    protocol: `HTTP/${request.httpVersion}`,
    stage: input.stage,
    domainPrefix: host.split('.')[0] ?? host,
    requestTimeEpoch: input.now,
    requestId: input.ids.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: request.headers['user-agent'] ?? null,
      user: null,
    },
    domainName: host,
    apiId: input.apiId,
  };
  if (input.claims) requestContext.authorizer = { claims: claimsForEvent(input.claims) };

  return {
    resource: input.resource,
    path: input.path,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: input.pathParameters ? { ...input.pathParameters } : null,
    stageVariables: null,
    requestContext,
    body: input.body.length > 0 ? input.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}
