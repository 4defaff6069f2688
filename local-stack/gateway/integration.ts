/**
 * Lambda proxy integration: invokes the real handler in this process, bounded by the integration
 * timeout, and maps its result to HTTP the way API Gateway does. Anything API Gateway would reject as a
 * malformed proxy result becomes its 502; a handler that throws becomes the same 502.
 */
import { deadlineQueue } from './deadlines.ts';
import type { ProxyEvent } from './proxy-event.ts';
import { type GatewayResponse, gatewayError, type RequestIds, traceId } from './responses.ts';

// biome-ignore lint/suspicious/noExplicitAny: a handler is any exported function; its result is validated below.
export type LambdaHandler = (event: ProxyEvent, context: LambdaContext) => any;

export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

const allowedKeys = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

type Mapped = { ok: true; response: GatewayResponse } | { ok: false };

function isHeaderValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Adds one header value under its first-seen spelling; names compare case-insensitively. */
function addHeader(
  merged: Map<string, { name: string; values: string[] }>,
  name: string,
  value: string,
): void {
  const key = name.toLowerCase();
  const entry = merged.get(key);
  if (entry) entry.values.push(value);
  else merged.set(key, { name, values: [value] });
}

/** Validates a proxy result (untrusted: it is whatever the handler returned) and maps it to HTTP. */
export function mapProxyResult(result: unknown, ids: RequestIds): Mapped {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { ok: false };
  const record = result as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!allowedKeys.has(key)) return { ok: false };

  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = record;
  const status = typeof statusCode === 'string' && /^\d+$/.test(statusCode) ? Number(statusCode) : statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return { ok: false };
  if (body !== undefined && body !== null && typeof body !== 'string') return { ok: false };
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') return { ok: false };

  // API Gateway merges `headers` and `multiValueHeaders`: a name in both is sent once per value, as
  // separate header lines (which is what lets a Lambda set several cookies).
  const merged = new Map<string, { name: string; values: string[] }>();
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) return { ok: false };
    for (const name of Object.keys(headers)) {
      const value = (headers as Record<string, unknown>)[name];
      if (!isHeaderValue(value)) return { ok: false };
      addHeader(merged, name, String(value));
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object' || Array.isArray(multiValueHeaders)) return { ok: false };
    for (const name of Object.keys(multiValueHeaders)) {
      const values = (multiValueHeaders as Record<string, unknown>)[name];
      if (!Array.isArray(values)) return { ok: false };
      for (const value of values) {
        if (!isHeaderValue(value)) return { ok: false };
        addHeader(merged, name, String(value));
      }
    }
  }

  const bytes = Buffer.from(body ?? '', isBase64Encoded === true ? 'base64' : 'utf8');
  const out: Record<string, string | string[]> = {};
  // A REST API answers application/json when the Lambda names no content type.
  if (!merged.has('content-type')) out['Content-Type'] = 'application/json';
  for (const { name, values } of merged.values())
    out[name] = values.length === 1 ? (values[0] as string) : values;
  out['Content-Length'] = String(bytes.length);
  out['x-amzn-RequestId'] = ids.requestId;
  out['x-amz-apigw-id'] = ids.apigwId;
  out['X-Amzn-Trace-Id'] = traceId();
  return { ok: true, response: { status, headers: out, body: bytes } };
}

export interface InvokeOptions {
  readonly handler: LambdaHandler;
  readonly functionName: string;
  readonly event: ProxyEvent;
  readonly ids: RequestIds;
  readonly timeoutMs: number;
}

/** The Lambda context object. A class, so an invocation builds no closures (the hot path of every request). */
class InvocationContext implements LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion = '$LATEST';
  readonly memoryLimitInMB = '128';
  readonly callbackWaitsForEmptyEventLoop = true;
  readonly #deadline: number;
  constructor(requestId: string, functionName: string, timeoutMs: number) {
    this.awsRequestId = requestId;
    this.functionName = functionName;
    this.#deadline = Date.now() + timeoutMs;
  }
  getRemainingTimeInMillis(): number {
    return Math.max(0, this.#deadline - Date.now());
  }
}

/**
 * Runs the handler and answers with its mapped result, a 502 if it throws or rejects, or a 504 once the
 * integration timeout passes (without waiting for the handler). Whichever comes first decides: the
 * deadline can be settled only once.
 */
export function invokeProxyIntegration(options: InvokeOptions): Promise<GatewayResponse> {
  const { ids } = options;
  const context = new InvocationContext(ids.requestId, options.functionName, options.timeoutMs);
  return new Promise<GatewayResponse>((resolve) => {
    const deadline = deadlineQueue(options.timeoutMs).add(() =>
      resolve(gatewayError('endpointTimeout', ids)),
    );
    let result: unknown;
    try {
      result = options.handler(options.event, context);
    } catch {
      if (deadline.settle()) resolve(gatewayError('internalServerError', ids));
      return;
    }
    Promise.resolve(result).then(
      (value: unknown) => {
        if (!deadline.settle()) return;
        const mapped = mapProxyResult(value, ids);
        resolve(mapped.ok ? mapped.response : gatewayError('internalServerError', ids));
      },
      () => {
        if (deadline.settle()) resolve(gatewayError('internalServerError', ids));
      },
    );
  });
}
