/**
 * API Gateway's own answers, byte for byte as docs/reference.md §1–2 records them. Note the
 * inconsistent spacing: authorizer and routing errors have no space after the colon, integration errors
 * have one. Clients that compare bodies exactly depend on that.
 */
import { createHash, randomFillSync, randomUUID } from 'node:crypto';

export interface GatewayResponse {
  readonly status: number;
  /** Header names keep the case API Gateway sends them in; a list is sent as one header line per value. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

export type GatewayErrorKind =
  | 'unauthorized'
  | 'expired'
  | 'missingAuthenticationToken'
  | 'incompleteSignature'
  | 'forbidden'
  | 'internalServerError'
  | 'endpointTimeout';

const errorStatus: Record<GatewayErrorKind, number> = {
  unauthorized: 401,
  expired: 401,
  missingAuthenticationToken: 403,
  incompleteSignature: 403,
  forbidden: 403,
  internalServerError: 502,
  endpointTimeout: 504,
};

const errorType: Record<GatewayErrorKind, string> = {
  unauthorized: 'UnauthorizedException',
  expired: 'UnauthorizedException',
  missingAuthenticationToken: 'MissingAuthenticationTokenException',
  incompleteSignature: 'IncompleteSignatureException',
  forbidden: 'ForbiddenException',
  internalServerError: 'InternalServerErrorException',
  endpointTimeout: 'InternalServerErrorException',
};

export const errorBodies = {
  unauthorized: '{"message":"Unauthorized"}',
  expired: '{"message":"The incoming token has expired"}',
  missingAuthenticationToken: '{"message":"Missing Authentication Token"}',
  forbidden: '{"message":"Forbidden"}',
  internalServerError: '{"message": "Internal server error"}',
  endpointTimeout: '{"message": "Endpoint request timed out"}',
} as const;

/** Per-request identifiers that every API Gateway answer carries. */
export interface RequestIds {
  readonly requestId: string;
  readonly apigwId: string;
}

// Each randomBytes() call is a trip into OpenSSL costing tens of microseconds here, more than the rest
// of a small request; like randomUUID() does internally, draw from a pool filled in one go instead.
// The bytes are the same cryptographic randomness, each handed out once.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomText(bytes: number, encoding: 'hex' | 'base64'): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const text = pool.toString(encoding, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}

export function newRequestIds(): RequestIds {
  // 11 random bytes are 16 base64 characters ending in one '=', the shape of a real x-amz-apigw-id.
  return { requestId: randomUUID(), apigwId: randomText(11, 'base64') };
}

export function traceId(now: Date = new Date()): string {
  const epochHex = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epochHex}-${randomText(12, 'hex')};Sampled=0`;
}

export function idHeaders(ids: RequestIds): Record<string, string> {
  return { 'x-amzn-RequestId': ids.requestId, 'x-amz-apigw-id': ids.apigwId };
}

function errorBody(kind: GatewayErrorKind, authorizationHeader: string | undefined): string {
  if (kind !== 'incompleteSignature') return errorBodies[kind];
  // The real text is a SigV4 complaint whose wording changed over time (docs/reference.md §2: open). It quotes
  // the header only as a hash, so it never echoes a token back.
  const hash = createHash('sha256')
    .update(authorizationHeader ?? '')
    .digest('base64');
  return JSON.stringify({
    message: `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hash}'.`,
  });
}

export function gatewayError(
  kind: GatewayErrorKind,
  ids: RequestIds,
  authorizationHeader?: string,
): GatewayResponse {
  const body = Buffer.from(errorBody(kind, authorizationHeader), 'utf8');
  return {
    status: errorStatus[kind],
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      ...idHeaders(ids),
      'x-amzn-ErrorType': errorType[kind],
    },
    body,
  };
}
