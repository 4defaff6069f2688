/**
 * The Cognito user pool authorizer (COGNITO_USER_POOLS) as API Gateway REST v1 applies it: the token
 * comes from the method's identity source (the Authorization header unless the authorizer names another,
 * e.g. X-Token: the gateway hands over that header's value, docs/reference.md §14), raw or as
 * `Bearer <jwt>`; it must be RS256, signed by one of the
 * pool's keys and issued by the pool. A method without OAuth scopes takes only ID tokens; a method with
 * scopes takes only access tokens carrying one of them (docs/reference.md §1, §8). `aud` is not checked
 * (API Gateway does not either unless an identityValidationExpression is set). Verification is AWS's own
 * `aws-jwt-verify`.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { validateJwtFields } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

export type AuthorizerDecision =
  | { readonly effect: 'allow'; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly effect: 'deny'; readonly reason: 'unauthorized' | 'expired' };

/**
 * Decides one request from its identity header's value (undefined when absent) and the method's OAuth
 * scopes (empty or omitted for a method without). The gateway depends on this type only, so tests can
 * put a deliberately weakened authorizer in front of the same gateway. `route` (`METHOD /resource`) is
 * what the gateway matched; the product's authorizer ignores it, and tests use it to attach another
 * authorizer to one method only.
 */
export type Authorizer = (
  authorizationHeader: string | undefined,
  scopes?: readonly string[],
  route?: string,
) => Promise<AuthorizerDecision>;

export interface CognitoAuthorizerOptions {
  readonly issuer: string;
  readonly jwksUri: string;
  /** The pool's keys, fetched once at start-up so that no request waits on a JWKS download. */
  readonly jwks: Jwks;
  /** How many verified tokens to remember (see createCognitoAuthorizer); 0 turns the cache off. */
  readonly cacheSize?: number;
}

/** Enough for every token a contract run or a load test presents, small enough to never matter. */
export const DEFAULT_VERIFIED_CACHE_SIZE = 1_000;

/** The tail of an RS256 signature: unique among real tokens, cheap to hash. */
const CACHE_KEY_LENGTH = 64;

const unauthorized: AuthorizerDecision = { effect: 'deny', reason: 'unauthorized' };

/** API Gateway accepts the bare JWT or exactly `Bearer <jwt>` (capital B, one space). */
export function tokenFromHeader(header: string): string {
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
}

class MissingExpiryError extends Error {
  override readonly name = 'MissingExpiryError';
}

const NO_SCOPES: readonly string[] = [];

/**
 * The token kind the method takes: an ID token without scopes, else an access token carrying one of
 * them. Checked after the (cached) verification, because the same token may be presented to methods
 * with different scopes.
 */
function usableFor(payload: JwtPayload, scopes: readonly string[]): boolean {
  if (scopes.length === 0) return payload.token_use === 'id';
  if (payload.token_use !== 'access' || typeof payload.scope !== 'string') return false;
  const granted = payload.scope.split(' ');
  return scopes.some((scope) => granted.includes(scope));
}

export function createCognitoAuthorizer(options: CognitoAuthorizerOptions): Authorizer {
  // The default fetcher refuses http: URLs; the local pool serves its JWKS over http on loopback. It is
  // only used if a token names a kid the cached JWKS lacks (key rotation); the penalty box keeps such
  // tokens from triggering a download each.
  const jwksCache = new SimpleJwksCache({ fetcher: { fetch: fetchJwks } });
  const verifier = JwtRsaVerifier.create(
    {
      issuer: options.issuer,
      jwksUri: options.jwksUri,
      audience: null,
      // aws-jwt-verify accepts a token without exp; whether API Gateway does is an open point
      // (docs/reference.md §8). Cognito never issues one, and refusing is the safe guess.
      customJwtCheck: ({ payload }) => {
        if (typeof payload.exp !== 'number') throw new MissingExpiryError('the token has no exp');
      },
    },
    { jwksCache },
  );
  verifier.cacheJwks(options.jwks);

  // An RS256 verification costs more than everything else the gateway does for a request. A token
  // that verified once has a good signature and issuer forever; only time, and the method it is
  // presented to, can change its answer. So the exact token string is remembered with its payload, and
  // a later request with it re-runs aws-jwt-verify's own time checks (exp, nbf: the same function and
  // clock the verifier uses) instead of the signature, then the token-kind check for the method: the
  // answer flips to "expired" at the very moment it would have without the cache. Only tokens that
  // verified are remembered; a token that did not is verified in full every time.
  //
  // The map is keyed by the token's last characters, not the whole token: the header string is new on
  // every request, and hashing all of a ~1 kB string for a lookup cost more (about 1.8 µs) than the
  // rest of the authorizer. A hit still requires the entire token to be identical (`===`), so a
  // forgery that reuses a remembered signature misses and is verified in full (and refused).
  const maxEntries = options.cacheSize ?? DEFAULT_VERIFIED_CACHE_SIZE;
  const verified = new Map<string, { readonly token: string; readonly payload: JwtPayload }>();
  const fieldChecks = { issuer: null, audience: null } as const;

  return async (header, scopes = NO_SCOPES) => {
    if (header === undefined || header === '') return unauthorized;
    const token = tokenFromHeader(header);
    const key = token.slice(-CACHE_KEY_LENGTH);
    try {
      const known = verified.get(key);
      if (known !== undefined && known.token === token) {
        try {
          validateJwtFields(known.payload, fieldChecks);
        } catch (error) {
          verified.delete(key);
          throw error;
        }
        return usableFor(known.payload, scopes) ? { effect: 'allow', claims: known.payload } : unauthorized;
      }
      const payload = await verifier.verify(token);
      if (maxEntries > 0) {
        // Oldest first: a Map iterates in insertion order. A new token under a taken key replaces the
        // old one (delete first, so it moves to the young end).
        verified.delete(key);
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
        verified.set(key, { token, payload });
      }
      return usableFor(payload, scopes) ? { effect: 'allow', claims: payload } : unauthorized;
    } catch (error) {
      if (error instanceof JwtExpiredError) return { effect: 'deny', reason: 'expired' };
      return unauthorized;
    }
  };
}

async function fetchJwks(uri: string): Promise<ArrayBuffer> {
  const response = await fetch(uri, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`JWKS download from ${uri} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}
