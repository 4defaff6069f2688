/**
 * Tokens the authorizer must refuse that need a private key to make, so the Postman sandbox (CryptoJS has
 * no RSA) cannot forge them: the TypeScript side mints them and hands them to the collection as secret
 * environment variables named exactly like the keys of `AttackTokens`. Each token differs from the live
 * ID token by exactly one defect, so a gateway that is wrong in one way fails exactly one clause.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type JsonWebKey,
  KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { promisify } from 'node:util';
import { assertJsonObject, decodeJwt, encodeJsonPart, type JsonObject } from './jwt-shape.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The environment variable names the collection reads; an empty value makes its clause show as skipped. */
export const attackTokenNames = [
  'attack_access_token',
  'attack_expired_id_token',
  'attack_rs256_pool_kid',
  'attack_rs256_own_kid',
  'attack_other_issuer',
  'attack_hs256_pool_public_key',
] as const;

export type AttackTokenName = (typeof attackTokenNames)[number];
export type AttackTokens = Readonly<Record<AttackTokenName, string>>;

export interface AttackTokenInput {
  /** A live ID token of the pool: its header and claims are copied so only the defect differs. */
  readonly idToken: string;
  /** The pool's public JWKS (`<issuer>/.well-known/jwks.json`), as fetched: validated here. */
  readonly poolJwks: unknown;
  /** A live access token of the same user, sent as-is; omitted → its clause is skipped. */
  readonly accessToken?: string;
  /**
   * The key the pool itself signs with. Only the local emulator's is knowable (it ships inside
   * cognito-local); omit it on AWS and the clauses that need a genuine signature are skipped.
   */
  readonly poolPrivateKey?: KeyObject | string | JsonWebKey;
  /** Seconds since the epoch; injectable so tests can pin time. */
  readonly nowSeconds?: number;
}

export class AttackTokenError extends Error {
  override readonly name = 'AttackTokenError';
}

interface RsaJwk extends JsonObject {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly n: string;
  readonly e: string;
}

function findPoolKey(jwks: unknown, kid: string): RsaJwk {
  assertJsonObject(jwks, 'The pool JWKS');
  const keys = jwks.keys;
  if (!Array.isArray(keys)) {
    throw new AttackTokenError('The pool JWKS has no "keys" array. Expected: {"keys":[{"kty":"RSA",...}]}');
  }
  for (const key of keys as unknown[]) {
    assertJsonObject(key, 'A JWKS key');
    if (key.kid === kid && key.kty === 'RSA' && typeof key.n === 'string' && typeof key.e === 'string') {
      return { ...key, kty: 'RSA', kid, n: key.n, e: key.e };
    }
  }
  throw new AttackTokenError(
    `The pool JWKS has no RSA key with kid "${kid}" (the ID token's kid). Expected: the JWKS of the pool that issued the ID token`,
  );
}

// One attacker key pair per process: RSA generation costs 50 to 300 ms here and the key's only job
// is to be unknown to the pool.
let attackerKey: { readonly privateKey: KeyObject; readonly kid: string } | undefined;
function attacker(): { readonly privateKey: KeyObject; readonly kid: string } {
  attackerKey ??= {
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    kid: `attacker-${randomUUID()}`,
  };
  return attackerKey;
}

/**
 * Generates the attacker key pair off the main thread (libuv's pool), so that a caller with other
 * work to do first (starting a stack, loading Newman) does not pay for it later in mintAttackTokens.
 * Optional: without it, the first mintAttackTokens generates the key synchronously.
 */
export async function prepareAttackerKey(): Promise<void> {
  if (attackerKey !== undefined) return;
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  attackerKey ??= { privateKey, kid: `attacker-${randomUUID()}` };
}

function signRs256(header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const signingInput = `${encodeJsonPart(header)}.${encodeJsonPart(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function toPrivateKey(key: KeyObject | string | JsonWebKey): KeyObject {
  if (typeof key === 'string') return createPrivateKey(key);
  if (key instanceof KeyObject) return key;
  return createPrivateKey({ key, format: 'jwk' });
}

/** The public key's PEM exactly as a naive HS256 verifier would load it as the HMAC secret. */
export function poolPublicKeyPem(poolKey: RsaJwk): string {
  return createPublicKey({ key: { kty: 'RSA', n: poolKey.n, e: poolKey.e }, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

export function mintAttackTokens(input: AttackTokenInput): AttackTokens {
  const live = decodeJwt(input.idToken);
  const poolKid = live.header.kid;
  if (poolKid === undefined) {
    throw new AttackTokenError('The ID token has no "kid" header. Expected: a Cognito ID token');
  }
  const poolKey = findPoolKey(input.poolJwks, poolKid);
  const iss = live.payload.iss;
  if (typeof iss !== 'string') {
    throw new AttackTokenError('The ID token has no "iss" claim. Expected: a Cognito ID token');
  }
  const { privateKey: attackerPrivateKey, kid: attackerKid } = attacker();

  const hs256Input = `${encodeJsonPart({ ...live.header, alg: 'HS256' })}.${encodeJsonPart(live.payload)}`;
  const hs256Signature = createHmac('sha256', poolPublicKeyPem(poolKey))
    .update(hs256Input)
    .digest('base64url');

  const poolPrivateKey = input.poolPrivateKey === undefined ? undefined : toPrivateKey(input.poolPrivateKey);
  if (poolPrivateKey !== undefined) {
    const derived = createPublicKey(poolPrivateKey).export({ format: 'jwk' });
    if (derived.n !== poolKey.n || derived.e !== poolKey.e) {
      throw new AttackTokenError(
        `The pool private key does not match the JWKS key "${poolKid}": tokens signed with it would carry a second defect. Expected: the emulator's own signing key`,
      );
    }
  }

  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  // Another pool in the same region: the issuer is the one thing an authorizer must compare as a string.
  const otherIssuer = `${iss.replace(/\/[^/]+$/, '')}/attacker-pool`;

  return {
    attack_access_token: input.accessToken ?? '',
    attack_expired_id_token:
      poolPrivateKey === undefined
        ? ''
        : signRs256(
            live.header,
            { ...live.payload, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 },
            poolPrivateKey,
          ),
    attack_rs256_pool_kid: signRs256(live.header, live.payload, attackerPrivateKey),
    attack_rs256_own_kid: signRs256({ ...live.header, kid: attackerKid }, live.payload, attackerPrivateKey),
    // Only the pool's own key makes the issuer the single defect. Without it (AWS) any token would also
    // carry an unknown kid and be refused for that reason, proving nothing about the issuer check: the
    // clause is skipped there rather than passed on the wrong grounds.
    attack_other_issuer:
      poolPrivateKey === undefined
        ? ''
        : signRs256(live.header, { ...live.payload, iss: otherIssuer }, poolPrivateKey),
    attack_hs256_pool_public_key: `${hs256Input}.${hs256Signature}`,
  };
}

/** The attack tokens as Postman environment values: secret, so reports and the app mask them. */
export function attackTokenEnvironmentValues(
  tokens: AttackTokens,
): { key: AttackTokenName; value: string; type: 'secret'; enabled: true }[] {
  return attackTokenNames.map((key) => ({ key, value: tokens[key], type: 'secret', enabled: true }));
}
