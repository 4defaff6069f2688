/**
 * Authorizers written for the tests, independently of the product's (which uses aws-jwt-verify): a
 * small reference verifier on node:crypto that checks what API Gateway's Cognito authorizer checks,
 * and the same verifier with exactly one check left out. Put in front of the local gateway through
 * `LocalStackOptions.authorizer`, each makes a gateway that is wrong in one way, without touching the
 * product's code path; the contract must then fail on the clause that tries that one weakness.
 */
import {
  createHmac,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type { Authorizer, AuthorizerDecision } from '../../../local-stack/gateway/authorizer.ts';
import type { LocalCognitoSettings } from '../../../local-stack/stack.ts';

/** The one check a weakened verifier leaves out; 'none' is the reference verifier, complete. */
export type Hole =
  | 'none'
  /** Decodes and checks the claims, never the signature: "accepts any signature". */
  | 'signature'
  | 'exp'
  | 'issuer'
  /** Accepts `token_use: access` as well as `id`. */
  | 'tokenUse'
  /** Accepts an unsigned token whose header says `alg: none`. */
  | 'algNone'
  /** Key confusion: given `alg: HS256`, uses the pool's public key PEM as the HMAC secret. */
  | 'hs256';

type Json = Readonly<Record<string, unknown>>;

interface Jwt {
  readonly header: Json;
  readonly payload: Json;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const deny: AuthorizerDecision = { effect: 'deny', reason: 'unauthorized' };

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decode(token: string): Jwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header = '', payload = '', signature = ''] = parts;
  try {
    const h: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    const p: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!isJson(h) || !isJson(p)) return undefined;
    return {
      header: h,
      payload: p,
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** The pool's public keys by kid, fetched once from the JWKS URL the stack publishes. */
async function fetchKeys(jwksUri: string): Promise<ReadonlyMap<string, KeyObject>> {
  const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await response.json();
  const keys = isJson(body) ? body.keys : undefined;
  if (!response.ok || !Array.isArray(keys)) throw new Error(`no JWKS at ${jwksUri}`);
  const byKid = new Map<string, KeyObject>();
  for (const key of keys as unknown[]) {
    if (isJson(key) && typeof key.kid === 'string' && key.kty === 'RSA') {
      byKid.set(key.kid, createPublicKey({ key: key as JsonWebKey, format: 'jwk' }));
    }
  }
  return byKid;
}

function hmacMatches(jwt: Jwt, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

function signatureAccepted(jwt: Jwt, keys: ReadonlyMap<string, KeyObject>, hole: Hole): boolean {
  if (hole === 'signature') return true;
  const { alg, kid } = jwt.header;
  const key = typeof kid === 'string' ? keys.get(kid) : undefined;
  if (alg === 'none') return hole === 'algNone' && jwt.signature.length === 0;
  if (key === undefined) return false;
  if (alg === 'HS256') {
    // The classic key-confusion bug: a library that takes "the key" and lets the token pick the algorithm.
    return hole === 'hs256' && hmacMatches(jwt, key.export({ type: 'spki', format: 'pem' }).toString());
  }
  return alg === 'RS256' && verify('sha256', Buffer.from(jwt.signingInput), key, jwt.signature);
}

function claimsDecision(payload: Json, issuer: string, hole: Hole, nowSeconds: number): AuthorizerDecision {
  if (hole !== 'issuer' && payload.iss !== issuer) return deny;
  const uses = hole === 'tokenUse' ? ['id', 'access'] : ['id'];
  if (!uses.includes(String(payload.token_use))) return deny;
  if (typeof payload.exp !== 'number') return deny;
  if (hole !== 'exp' && nowSeconds >= payload.exp) return { effect: 'deny', reason: 'expired' };
  return { effect: 'allow', claims: payload };
}

/** A verifier with exactly one `hole`; with 'none' it should pass the whole contract. */
export function weakenedAuthorizer(
  hole: Hole,
): (real: Authorizer, cognito: LocalCognitoSettings) => Authorizer {
  return (_real, cognito) => {
    let keys: Promise<ReadonlyMap<string, KeyObject>> | undefined;
    return async (header) => {
      if (header === undefined || header === '') return deny;
      const jwt = decode(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header);
      if (jwt === undefined) return deny;
      keys ??= fetchKeys(cognito.jwksUri);
      if (!signatureAccepted(jwt, await keys, hole)) return deny;
      return claimsDecision(jwt.payload, cognito.issuer, hole, Math.floor(Date.now() / 1000));
    };
  };
}

/** No authorizer at all: every request reaches the Lambda. */
export function authorizerOff(): Authorizer {
  return async () => ({ effect: 'allow', claims: {} });
}
