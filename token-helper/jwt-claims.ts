/**
 * Reading a JWT without verifying it: for the summary, for `--decode` and for deciding whether a
 * saved token can be reused. Nothing here trusts the token; the gateway's authorizer verifies it.
 * The signature is never decoded, returned or printed.
 */

export class TokenFormatError extends Error {
  override readonly name = 'TokenFormatError';
}

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Whether a third, non-empty segment is present; its content is deliberately not kept. */
  readonly signed: boolean;
}

/** The claims the helper relies on, checked for type (Cognito ID token, docs/reference.md §4). */
export interface IdTokenClaims {
  readonly sub: string;
  /** `cognito:username` */
  readonly username: string;
  readonly iss: string;
  readonly aud: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  readonly email?: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenFormatError('it does not have three dot-separated parts');
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: decodeSegment(header, 'header'),
    payload: decodeSegment(payload, 'payload'),
    signed: signature.length > 0,
  };
}

function decodeSegment(segment: string, label: string): Record<string, unknown> {
  if (segment.length === 0 || !BASE64URL.test(segment)) {
    throw new TokenFormatError(`its ${label} is not base64url`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenFormatError(`its ${label} is not JSON`);
  }
  if (!isRecord(parsed)) throw new TokenFormatError(`its ${label} is not a JSON object`);
  return parsed;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows an ID token's payload to the claims the helper uses; throws naming the first bad claim. */
export function readIdTokenClaims(payload: Readonly<Record<string, unknown>>): IdTokenClaims {
  const text = (name: string): string => {
    const value = payload[name];
    if (typeof value !== 'string' || value.length === 0)
      throw new TokenFormatError(`its ${name} claim is missing`);
    return value;
  };
  if (payload.token_use !== 'id') {
    throw new TokenFormatError(`it is not an ID token (token_use is ${JSON.stringify(payload.token_use)})`);
  }
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new TokenFormatError('its exp claim is not a number');
  const email = payload.email;
  return {
    sub: text('sub'),
    username: text('cognito:username'),
    iss: text('iss'),
    aud: text('aud'),
    exp,
    ...(typeof email === 'string' ? { email } : {}),
  };
}

export function decodeIdToken(token: string): { decoded: DecodedJwt; claims: IdTokenClaims } {
  const decoded = decodeJwt(token);
  return { decoded, claims: readIdTokenClaims(decoded.payload) };
}
