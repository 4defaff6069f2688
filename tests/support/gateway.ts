/**
 * What every answer of API Gateway REST v1 carries (docs/reference.md §2), as assertions reusable
 * against the local gateway or a deployed API. Only firm and likely facts are asserted here.
 */
import assert from 'node:assert/strict';
import type { RawResponse } from './http.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** 16 base64-ish characters, the last one '='. */
export const APIGW_ID = /^[A-Za-z0-9+/_-]{15}=$/;
export const TRACE_ID = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$/;

export const BODIES = {
  unauthorized: '{"message":"Unauthorized"}',
  expired: '{"message":"The incoming token has expired"}',
  missingAuthenticationToken: '{"message":"Missing Authentication Token"}',
  internalServerError: '{"message": "Internal server error"}',
  endpointTimeout: '{"message": "Endpoint request timed out"}',
  greeting: '"Hello from Lambda!"',
} as const;

export interface ExpectedError {
  readonly status: number;
  /** Exact body bytes; omit when only status and type are firm (e.g. IncompleteSignatureException). */
  readonly body?: string;
  readonly errorType: string;
}

function assertIdHeaders(response: RawResponse): void {
  assert.match(String(response.headers['x-amzn-requestid']), UUID, 'x-amzn-RequestId is a UUID');
  assert.match(String(response.headers['x-amz-apigw-id']), APIGW_ID, 'x-amz-apigw-id shape');
}

/** A gateway-generated error: status, exact body and length, JSON type, ids, error type, no CORS. */
export function assertGatewayError(response: RawResponse, expected: ExpectedError, isHead = false): void {
  assert.equal(response.status, expected.status, `status (body: ${response.text})`);
  if (expected.body !== undefined && !isHead) assert.equal(response.text, expected.body);
  if (isHead) assert.equal(response.body.length, 0, 'HEAD answers carry no body');
  else assert.equal(response.headers['content-length'], String(response.body.length), 'Content-Length');
  if (expected.body !== undefined) {
    assert.equal(response.headers['content-length'], String(Buffer.byteLength(expected.body)));
  }
  assert.equal(response.headers['content-type'], 'application/json');
  assert.equal(response.headers['x-amzn-errortype'], expected.errorType);
  assertIdHeaders(response);
  const cors = Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
  assert.deepEqual(cors, [], 'default gateway responses carry no CORS headers');
}

export function assertUnauthorized(response: RawResponse): void {
  assertGatewayError(response, {
    status: 401,
    body: BODIES.unauthorized,
    errorType: 'UnauthorizedException',
  });
}

/** A Lambda answer passed through: status, ids, a trace id, and no gateway error type. */
export function assertProxySuccess(response: RawResponse, status = 200): void {
  assert.equal(response.status, status, `status (body: ${response.text})`);
  assertIdHeaders(response);
  assert.match(String(response.headers['x-amzn-trace-id']), TRACE_ID, 'X-Amzn-Trace-Id shape');
  assert.equal(response.headers['x-amzn-errortype'], undefined, 'no x-amzn-ErrorType on success');
  assert.equal(response.headers['content-length'], String(response.body.length), 'Content-Length');
}

/** The tutorial Lambda's answer: `"Hello from Lambda!"` (20 bytes, quotes included) as application/json. */
export function assertGreeting(response: RawResponse): void {
  assertProxySuccess(response);
  assert.equal(response.text, BODIES.greeting);
  assert.equal(response.body.length, 20);
  assert.equal(response.headers['content-type'], 'application/json');
}
