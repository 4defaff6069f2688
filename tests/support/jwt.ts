/**
 * JWTs made at run time for tests: forged ones signed with key pairs generated here, and genuinely
 * signed ones made with the local emulator's own signing key (it ships inside cognito-local, see
 * local-stack/stack.ts `emulatorSigningKey`). Nothing here validates anything: a test builds exactly the
 * defect it wants, byte for byte.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { emulatorSigningKey } from '../../local-stack/stack.ts';

export type JsonObject = Record<string, unknown>;

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export interface DecodedJwt {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  readonly signature: string;
}

/** Splits and parses a compact JWT without checking anything; throws if it is not three JSON parts. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`expected 3 parts, got ${parts.length}`);
  const [header, payload, signature] = parts as [string, string, string];
  const parse = (part: string): JsonObject => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: parse(header), payload: parse(payload), signature };
}

/** A fresh RSA key pair, as an attacker without the pool's key would have. */
export function generateRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Signs `header.payload` with RSA-SHA256, whatever the header claims its algorithm is. */
export function signRs256(header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const input = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Signs `header.payload` with HMAC-SHA256 keyed by `secret` (e.g. a public key PEM: the classic confusion). */
export function signHs256(header: JsonObject, payload: JsonObject, secret: string | Buffer): string {
  const input = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned token: `header.payload.` with an empty signature part. */
export function unsigned(header: JsonObject, payload: JsonObject): string {
  return `${base64urlJson(header)}.${base64urlJson(payload)}.`;
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
