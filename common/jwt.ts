/**
 * The project's one JWT module for Node code and tests: decoding a compact JWS without trusting it
 * (every part is `unknown` until an assertion narrows it, so a malformed token fails here with a
 * sentence instead of surfacing later as `undefined` somewhere else), and encoding and signing tokens
 * with node:crypto. The decoding rule itself is common/jwt-parts.ts, which the Postman sandbox's
 * library shares; this file adds what Node callers need: a header with an `alg`, the signature as
 * bytes. No signature is checked here: verifiers use aws-jwt-verify (the local authorizer) or
 * node:crypto on `signingInput` (the tests' own reference verifier).
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';
import { decodeJwtParts, type JsonObject, JwtShapeError } from './jwt-parts.ts';

export { type JsonObject, JwtShapeError };

export interface JwtHeader extends JsonObject {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
}

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: JsonObject;
  /** The raw signature bytes (empty for an unsigned token). */
  readonly signature: Buffer;
  /** `<header>.<payload>` exactly as received: what the signature covers. */
  readonly signingInput: string;
}

function assertOptionalString(
  value: unknown,
  what: string,
  reason: string,
): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new JwtShapeError(`${what} is not a string. Expected: a string or no value`, reason);
  }
}

const fromBase64url = (part: string): string => Buffer.from(part, 'base64url').toString('utf8');

export function decodeJwt(token: unknown): DecodedJwt {
  const {
    parts: [headerPart, payloadPart, signaturePart],
    header,
    payload,
  } = decodeJwtParts(token, fromBase64url);
  if (typeof header.alg !== 'string') {
    throw new JwtShapeError(
      'The header has no "alg" string. Expected: e.g. "alg":"RS256"',
      'its header names no alg',
    );
  }
  assertOptionalString(header.kid, 'The header\'s "kid"', 'its header\'s "kid" is not a string');
  assertOptionalString(header.typ, 'The header\'s "typ"', 'its header\'s "typ" is not a string');
  return {
    // The checks above established exactly the fields JwtHeader promises.
    header: { ...header, alg: header.alg },
    payload,
    signature: Buffer.from(signaturePart, 'base64url'),
    signingInput: `${headerPart}.${payloadPart}`,
  };
}

/** base64url of the JSON text of `value`: one part of a compact JWS (RFC 7515 §7.1). */
export function encodeJsonPart(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Signs `header.payload` with RSASSA-PKCS1-v1_5 SHA-256, whatever the header claims its algorithm is. */
export function signRs256(header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const signingInput = `${encodeJsonPart(header)}.${encodeJsonPart(payload)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}

/** Signs `header.payload` with HMAC-SHA256 keyed by `secret`, whatever the header says. */
export function signHs256(header: JsonObject, payload: JsonObject, secret: string | Buffer): string {
  const signingInput = `${encodeJsonPart(header)}.${encodeJsonPart(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** An unsigned token: `header.payload.` with an empty signature part. */
export function unsignedJwt(header: JsonObject, payload: JsonObject): string {
  return `${encodeJsonPart(header)}.${encodeJsonPart(payload)}.`;
}
