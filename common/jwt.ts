/**
 * The project's one JWT module, for product code and tests alike: decoding a compact JWS without
 * trusting it (every part is `unknown` until an assertion narrows it, so a malformed token fails here
 * with a sentence instead of surfacing later as `undefined` somewhere else), and encoding and signing
 * tokens with node:crypto. No signature is checked here: verifiers use aws-jwt-verify (the local
 * authorizer) or node:crypto on `signingInput` (the tests' own reference verifier).
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';

export type JsonObject = { readonly [key: string]: unknown };

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

export class JwtShapeError extends Error {
  override readonly name = 'JwtShapeError';
  /** The defect as a clause to put inside another sentence, e.g. "its header is not JSON". */
  readonly reason: string;
  constructor(message: string, reason: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

const base64url = /^[A-Za-z0-9_-]*$/;

/** "The header" -> "its header", for the reason clause. */
function its(what: string): string {
  return what.replace(/^The /, 'its ');
}

function assertJsonObject(value: unknown, what: string): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtShapeError(
      `${what} is not a JSON object. Expected: {"...": ...}`,
      `${its(what)} is not a JSON object`,
    );
  }
}

function assertOptionalString(value: unknown, what: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new JwtShapeError(
      `${what} is not a string. Expected: a string or no value`,
      `${its(what)} is not a string`,
    );
  }
}

function parseJsonPart(part: string, what: string): unknown {
  if (part.length === 0 || !base64url.test(part)) {
    throw new JwtShapeError(
      `The ${what} is not base64url. Expected: characters A-Z a-z 0-9 - _`,
      `its ${what} is not base64url`,
    );
  }
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new JwtShapeError(
      `The ${what} is not JSON. Expected: base64url-encoded JSON`,
      `its ${what} is not JSON`,
      {
        cause,
      },
    );
  }
}

export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== 'string') {
    throw new JwtShapeError(
      'The token is not a string. Expected: a compact JWT <header>.<payload>.<signature>',
      'it is not a string',
    );
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new JwtShapeError(
      `The token has ${parts.length} part(s). Expected: 3 parts <header>.<payload>.<signature>`,
      'it does not have three dot-separated parts',
    );
  }
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseJsonPart(headerPart, 'header');
  assertJsonObject(header, 'The header');
  if (typeof header.alg !== 'string') {
    throw new JwtShapeError(
      'The header has no "alg" string. Expected: e.g. "alg":"RS256"',
      'its header names no alg',
    );
  }
  assertOptionalString(header.kid, 'The header\'s "kid"');
  assertOptionalString(header.typ, 'The header\'s "typ"');
  const payload = parseJsonPart(payloadPart, 'payload');
  assertJsonObject(payload, 'The payload');
  if (!base64url.test(signaturePart)) {
    throw new JwtShapeError(
      'The signature is not base64url. Expected: characters A-Z a-z 0-9 - _',
      'its signature is not base64url',
    );
  }
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
