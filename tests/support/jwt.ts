/**
 * JWTs made at run time for tests: forged ones signed with key pairs generated here, and genuinely
 * signed ones made with the local emulator's own signing key (it ships inside cognito-local, see
 * local-stack/stack.ts `emulatorSigningKey`). Decoding, encoding and signing are the project's one JWT
 * module (common/jwt.ts); this adds only what tests need on top. Nothing here validates anything: a
 * test builds exactly the defect it wants, byte for byte.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { type JsonObject, signRs256 } from '../../common/jwt.ts';
import { emulatorSigningKey } from '../../local-stack/stack.ts';

export type { DecodedJwt, JsonObject } from '../../common/jwt.ts';
export {
  decodeJwt,
  encodeJsonPart as base64urlJson,
  signHs256,
  signRs256,
  unsignedJwt as unsigned,
} from '../../common/jwt.ts';

/** A fresh RSA key pair, as an attacker without the pool's key would have. */
export function generateRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** The key cognito-local signs every token with, and its kid ("CognitoLocal"). */
export function emulatorKey(): { kid: string; privateKey: KeyObject } {
  const { kid, privateJwk } = emulatorSigningKey();
  return { kid, privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }) };
}

/** Signs like the emulator does: RS256 with its key and kid. The result is a genuinely signed token. */
export function signAsEmulator(payload: JsonObject, header: JsonObject = {}): string {
  const { kid, privateKey } = emulatorKey();
  return signRs256({ kid, alg: 'RS256', ...header }, payload, privateKey);
}

/** The PEM (SPKI) of the first key in a JWKS, as an attacker would download it. */
export function publicKeyPem(jwks: Jwks): string {
  const [jwk] = jwks.keys;
  if (jwk === undefined) throw new Error('empty JWKS');
  // biome-ignore lint/suspicious/noExplicitAny: a JWKS entry is a valid JsonWebKey input.
  return createPublicKey({ key: jwk as any, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
