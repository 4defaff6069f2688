/**
 * Reading a JWT without verifying it: for the summary, for `--decode` and for deciding whether a
 * saved token can be reused. Nothing here trusts the token; the gateway's authorizer verifies it.
 * The signature is never returned or printed: only whether there is one.
 */

import { decodeJwt, JwtShapeError } from '../common/jwt.ts';

export class TokenFormatError extends Error {
  override readonly name = 'TokenFormatError';
}

/**
 * What the helper may show of a token: common/jwt.ts's DecodedJwt without the signature (a view for
 * people, not a second decoder).
 */
export interface UnverifiedToken {
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

/** Decodes with the project's one JWT module (common/jwt.ts); its defects become TokenFormatErrors. */
export function readUnverifiedToken(token: string): UnverifiedToken {
  try {
    const { header, payload, signature } = decodeJwt(token);
    return { header, payload, signed: signature.length > 0 };
  } catch (error) {
    if (error instanceof JwtShapeError) throw new TokenFormatError(error.reason, { cause: error });
    throw error;
  }
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

export function decodeIdToken(token: string): { decoded: UnverifiedToken; claims: IdTokenClaims } {
  const decoded = readUnverifiedToken(token);
  return { decoded, claims: readIdTokenClaims(decoded.payload) };
}
