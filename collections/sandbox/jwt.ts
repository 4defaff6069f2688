/**
 * Reading a token in the sandbox: common/jwt-parts.ts's rule (three parts, header and payload JSON
 * objects) with the sandbox's strict base64url and UTF-8 decoders, which never turn a live token's
 * bytes into U+FFFD.
 */
import { decodeJwtParts, type JwtParts } from '../../common/jwt-parts.ts';
import { fromBase64url, fromUtf8 } from './sandbox-crypto.ts';

const decodePart = (part: string): string => fromUtf8(fromBase64url(part));

/** The token's parts, or undefined when it is not a JWT (why does not matter to the sandbox's callers). */
export function readJwt(token: unknown): JwtParts | undefined {
  try {
    return decodeJwtParts(token, decodePart);
  } catch {
    return undefined;
  }
}
