/**
 * What a compact JWS is made of, decoded without trusting it: three dot-separated base64url parts, the
 * first two JSON objects. The one rule for every reader of a token, on both sides of the Postman
 * boundary: common/jwt.ts (Node, with Buffer) and the collection's sandbox library
 * (collections/sandbox/, with its own base64url and UTF-8 decoders) call it with their own way of
 * turning a part into text. Sandbox-safe: no Node API here.
 */
import { isRecord } from './records.ts';

export type JsonObject = { readonly [key: string]: unknown };

export class JwtShapeError extends Error {
  override readonly name = 'JwtShapeError';
  /** The defect as a clause to put inside another sentence, e.g. "its header is not JSON". */
  readonly reason: string;
  constructor(message: string, reason: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** A token's parts as received and its header and payload as JSON objects, nothing else checked. */
export interface JwtParts {
  /** `[header, payload, signature]` exactly as received. */
  readonly parts: readonly [string, string, string];
  readonly header: JsonObject;
  readonly payload: JsonObject;
}

/** Decodes one base64url part into its text; throws when the part is not base64url or not text. */
export type PartDecoder = (part: string) => string;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** "The header" -> "its header", for the reason clause. */
function its(what: string): string {
  return what.replace(/^The /, 'its ');
}

export function assertJsonObject(value: unknown, what: string): asserts value is JsonObject {
  if (!isRecord(value)) {
    throw new JwtShapeError(
      `${what} is not a JSON object. Expected: {"...": ...}`,
      `${its(what)} is not a JSON object`,
    );
  }
}

function parseJsonPart(part: string, what: string, decode: PartDecoder): unknown {
  if (part.length === 0 || !BASE64URL.test(part)) {
    throw new JwtShapeError(
      `The ${what} is not base64url. Expected: characters A-Z a-z 0-9 - _`,
      `its ${what} is not base64url`,
    );
  }
  try {
    return JSON.parse(decode(part));
  } catch (cause) {
    throw new JwtShapeError(
      `The ${what} is not JSON. Expected: base64url-encoded JSON`,
      `its ${what} is not JSON`,
      { cause },
    );
  }
}

/**
 * The parts of a compact JWS, or a JwtShapeError whose message says what is wrong in one sentence.
 * `decode` is the caller's base64url-to-text primitive (Buffer in Node, sandboxCrypto in Postman).
 */
export function decodeJwtParts(token: unknown, decode: PartDecoder): JwtParts {
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
  const header = parseJsonPart(headerPart, 'header', decode);
  assertJsonObject(header, 'The header');
  const payload = parseJsonPart(payloadPart, 'payload', decode);
  assertJsonObject(payload, 'The payload');
  if (!BASE64URL.test(signaturePart)) {
    throw new JwtShapeError(
      'The signature is not base64url. Expected: characters A-Z a-z 0-9 - _',
      'its signature is not base64url',
    );
  }
  return { parts: [headerPart, payloadPart, signaturePart], header, payload };
}
