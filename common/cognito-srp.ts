/**
 * Cognito's SRP-6a (USER_SRP_AUTH) for Node: the token helper (client side) and the local stack's
 * Cognito (server side). The arithmetic and encodings are common/cognito-srp-core.ts, shared with the
 * Postman collection's own sign-in; this file binds them to node:crypto and adds the random secret.
 * Sharing one module between our client and our server would hide a bug both make alike, so the shared
 * rule is checked against AWS's own client, amazon-cognito-identity-js (tests/unit/common/cognito-srp.test.ts).
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { cognitoSrp, fromHex } from './cognito-srp-core.ts';

export {
  type ChallengeAnswer,
  COGNITO_GROUP,
  clientPublic,
  clientSecret,
  fromHex,
  modPow,
  type PasswordVerifierAnswer,
  padHex,
  parseSrpTimestamp,
  poolNameOf,
  type SrpGroup,
  serverPublic,
  serverSecret,
  srpTimestamp,
  verifier,
} from './cognito-srp-core.ts';

const srp = cognitoSrp({
  sha256: (data) => createHash('sha256').update(data).digest(),
  hmacSha256: (key, data) => createHmac('sha256', key).update(data).digest(),
  hkdfSha256: (ikm, salt, info, length) => new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)),
  bytesFromHex: (hex) => Buffer.from(hex, 'hex'),
  hexOf: (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex'),
  utf8: (text) => Buffer.from(text, 'utf8'),
  bytesFromBase64: (text) => Buffer.from(text, 'base64'),
  base64Of: (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  concat: (...parts) => Buffer.concat(parts),
});

export const { multiplier, scrambler, privateKeyX, claimSignature, answerChallenge } = srp;

/** The 16-byte key both sides derive from S and u. */
export function authenticationKey(S: bigint, u: bigint): Buffer {
  return Buffer.from(srp.authenticationKey(S, u));
}

/** A random secret exponent of 128 bytes, as AWS's client draws it. */
export function randomExponent(): bigint {
  return fromHex(randomBytes(128).toString('hex'));
}
