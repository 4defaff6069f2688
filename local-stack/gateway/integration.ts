/**
 * Lambda proxy integration: invokes the real handler in this process, bounded by the integration
 * timeout, and maps its result to HTTP the way API Gateway does. Anything API Gateway would reject as a
 * malformed proxy result becomes its 502; a handler that throws becomes the same 502.
 */
import type { ProxyEvent } from './proxy-event.ts';
import { type GatewayResponse, gatewayError, idHeaders, type RequestIds, traceId } from './responses.ts';

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

/** Validates a proxy result (untrusted: it is whatever the handler returned) and maps it to HTTP. */
export function mapProxyResult(result: unknown, ids: RequestIds): Mapped {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { ok: false };
  const record = result as Record<string, unknown>;
  if (Object.keys(record).some((key) => !allowedKeys.has(key))) return { ok: false };

  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = record;
  const status = typeof statusCode === 'string' && /^\d+$/.test(statusCode) ? Number(statusCode) : statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return { ok: false };
  if (body !== undefined && body !== null && typeof body !== 'string') return { ok: false };
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') return { ok: false };

  // API Gateway merges `headers` and `multiValueHeaders`: a name in both is sent once per value, as
  // separate header lines (which is what lets a Lambda set several cookies).
  const outHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = Object.keys(outHeaders).find((known) => known.toLowerCase() === name.toLowerCase());
    const list = outHeaders[existing ?? name] ?? [];
    list.push(value);
    outHeaders[existing ?? name] = list;
  };
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) return { ok: false };
    for (const [name, value] of Object.entries(headers)) {
      if (!isHeaderValue(value)) return { ok: false };
      add(name, String(value));
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object' || Array.isArray(multiValueHeaders)) return { ok: false };
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isHeaderValue)) return { ok: false };
      for (const value of values) add(name, String(value));
    }
  }

  const bytes = Buffer.from(body ?? '', isBase64Encoded === true ? 'base64' : 'utf8');
  const hasContentType = Object.keys(outHeaders).some((name) => name.toLowerCase() === 'content-type');
  return {
    ok: true,
    response: {
      status,
      headers: {
        // A REST API answers application/json when the Lambda names no content type.
        ...(hasContentType ? {} : { 'Content-Type': 'application/json' }),
        ...Object.fromEntries(
          Object.entries(outHeaders).map(([name, list]) => [
            name,
            list.length === 1 ? (list[0] as string) : list,
          ]),
        ),
        'Content-Length': String(bytes.length),
        ...idHeaders(ids),
        'X-Amzn-Trace-Id': traceId(),
      },
      body: bytes,
    },
  };
}

export interface InvokeOptions {
  readonly handler: LambdaHandler;
  readonly functionName: string;
  readonly event: ProxyEvent;
  readonly ids: RequestIds;
  readonly timeoutMs: number;
}

export async function invokeProxyIntegration(options: InvokeOptions): Promise<GatewayResponse> {
  const deadline = Date.now() + options.timeoutMs;
  const context: LambdaContext = {
    awsRequestId: options.ids.requestId,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => options.handler(options.event, context))
        .then(
          (value: unknown) => ({ value }),
          () => 'error' as const,
        ),
      timedOut,
    ]);
    if (outcome === 'timeout') return gatewayError('endpointTimeout', options.ids);
    if (outcome === 'error') return gatewayError('internalServerError', options.ids);
    const mapped = mapProxyResult(outcome.value, options.ids);
    return mapped.ok ? mapped.response : gatewayError('internalServerError', options.ids);
  } finally {
    clearTimeout(timer);
  }
}
