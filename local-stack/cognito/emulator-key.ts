/**
 * cognito-local signs every token with one key pair that ships inside the package. Anyone can mint
 * tokens the emulator "issued", which is exactly why it is only ever trusted on loopback, and why runs
 * against the emulator can mint a genuinely signed *expired* ID token for the contract. A real user
 * pool never publishes this key, so `isEmulatorKeySet` is false for every AWS pool.
 */
import type { JsonWebKey } from 'node:crypto';
import { createRequire } from 'node:module';

interface EmulatorKey {
  readonly kid: string;
  readonly privateJwk: JsonWebKey;
}

let cached: EmulatorKey | undefined;

export function emulatorSigningKey(): EmulatorKey {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file: unknown = require('cognito-local/lib/keys/cognitoLocal.private.json');
  const jwk = typeof file === 'object' && file !== null ? (file as { jwk?: unknown }).jwk : undefined;
  if (typeof jwk !== 'object' || jwk === null)
    throw new Error('cognito-local no longer ships its signing key');
  const { kid, n, d } = jwk as { kid?: unknown; n?: unknown; d?: unknown };
  if (typeof kid !== 'string' || typeof n !== 'string' || typeof d !== 'string') {
    throw new Error('cognito-local signing key has an unexpected shape');
  }
  cached = { kid, privateJwk: jwk as JsonWebKey };
  return cached;
}

/** True when a pool's JWKS (untrusted JSON) publishes the emulator's well-known public key. */
export function isEmulatorKeySet(jwks: unknown): boolean {
  const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) return false;
  const { n } = emulatorSigningKey().privateJwk;
  return keys.some(
    (key: unknown) => typeof key === 'object' && key !== null && (key as { n?: unknown }).n === n,
  );
}
