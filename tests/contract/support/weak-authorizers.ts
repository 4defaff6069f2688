/**
 * A reference verifier written for the tests on node:crypto, independently of the product's authorizer
 * (which uses aws-jwt-verify): it checks what API Gateway's Cognito authorizer checks, and takes one
 * weakness from the catalogue's list (security/catalogue.ts WEAKNESSES) that it then has, exactly. Put in
 * front of the local gateway through `LocalStackOptions.authorizer`, each makes a gateway that is wrong
 * in one way; the mutation proof demands that exactly the clauses of the rows listing that weakness fail.
 * Re-implementing verification here (rather than reusing the product's) is deliberate: a bug shared by
 * the product and its proof would prove nothing.
 */
import {
  createHmac,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  timingSafeEqual,
  verify,
  X509Certificate,
} from 'node:crypto';
import { posix } from 'node:path';
import { isRecord } from '../../../common/records.ts';
import type { Authorizer, AuthorizerDecision } from '../../../local-stack/gateway/authorizer.ts';
import type { GatewayParts, LocalCognitoSettings } from '../../../local-stack/stack.ts';
import type { WeaknessId } from '../../../security/catalogue.ts';

type Json = Readonly<Record<string, unknown>>;

interface Jwt {
  readonly header: Json;
  readonly headerText: string;
  readonly payload: Json;
  readonly signingInput: string;
  readonly signature: string;
}

const deny: AuthorizerDecision = { effect: 'deny', reason: 'unauthorized' };
const BASE64URL = /^[A-Za-z0-9_-]*$/;

class Undecodable extends Error {}

function decodePart(part: string): { text: string; value: Json } {
  if (part === '' || !BASE64URL.test(part)) throw new Undecodable('not base64url');
  const text = Buffer.from(part, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Undecodable('not JSON');
  }
  if (!isRecord(value)) throw new Undecodable('not a JSON object');
  return { text, value };
}

function decode(token: string): Jwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Undecodable(`${parts.length} parts`);
  const [header = '', payload = '', signature = ''] = parts;
  const decodedHeader = decodePart(header);
  return {
    header: decodedHeader.value,
    headerText: decodedHeader.text,
    payload: decodePart(payload).value,
    signingInput: `${header}.${payload}`,
    signature,
  };
}

interface PoolKeys {
  readonly byKid: ReadonlyMap<string, { readonly key: KeyObject; readonly jwk: Json }>;
}

/** The pool's public keys by kid, fetched once from the JWKS URL the stack publishes. */
async function fetchKeys(jwksUri: string): Promise<PoolKeys> {
  const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await response.json();
  const keys = isRecord(body) ? body.keys : undefined;
  if (!response.ok || !Array.isArray(keys)) throw new Error(`no JWKS at ${jwksUri}`);
  const byKid = new Map<string, { key: KeyObject; jwk: Json }>();
  for (const jwk of keys as unknown[]) {
    if (isRecord(jwk) && typeof jwk.kid === 'string' && jwk.kty === 'RSA') {
      byKid.set(jwk.kid, { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), jwk });
    }
  }
  return { byKid };
}

/** Fetches from a URL the token names: only ever loopback here (the runner's attacker server). */
async function fetchFromToken(url: string): Promise<string | undefined> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) return undefined;
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return response.ok ? response.text() : undefined;
}

function hmacMatches(jwt: Jwt, alg: string, secret: string): boolean {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  if (hash === undefined || !BASE64URL.test(jwt.signature)) return false;
  const expected = createHmac(hash, secret).update(jwt.signingInput).digest();
  const actual = Buffer.from(jwt.signature, 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function pemOf(key: KeyObject, type: 'spki' | 'pkcs1'): string {
  return key.export({ type, format: 'pem' }).toString();
}

/** The HMAC keys a weakened verifier would try for this token, by weakness (empty: HMAC never accepted). */
function hmacKeys(jwt: Jwt, alg: string, weakness: WeaknessId | 'none', pool: PoolKeys): string[] {
  const kid = jwt.header.kid;
  const poolKey = typeof kid === 'string' ? pool.byKid.get(kid) : undefined;
  const keys: string[] = [];
  const confusion = (form: string): string | undefined => {
    if (poolKey === undefined) return undefined;
    switch (form) {
      case 'spki-pem':
        return pemOf(poolKey.key, 'spki');
      case 'spki-pem-trimmed':
        return pemOf(poolKey.key, 'spki').trimEnd();
      case 'pkcs1-pem':
        return pemOf(poolKey.key, 'pkcs1');
      case 'pkcs1-pem-trimmed':
        return pemOf(poolKey.key, 'pkcs1').trimEnd();
      case 'jwk-json':
        return JSON.stringify(poolKey.jwk);
      default:
        return undefined;
    }
  };
  if (alg === 'HS256') {
    if (weakness === 'hmac-empty-secret') keys.push('');
    if (weakness.startsWith('hmac-weak-secret:')) keys.push(weakness.slice('hmac-weak-secret:'.length));
    if (weakness.startsWith('key-confusion:')) {
      const key = confusion(weakness.slice('key-confusion:'.length));
      if (key !== undefined) keys.push(key);
    }
    if (weakness === 'kid-empty-default-key' && kid === '') keys.push('');
    if (weakness === 'kid-as-file-path' && typeof kid === 'string' && kid !== '') {
      // A model of `fs.readFileSync(path.join(KEY_DIR, kid))`: only /dev/null is read (it is empty).
      if (posix.resolve('/srv/keys', kid) === '/dev/null') keys.push('');
    }
    if (weakness === 'kid-sql-lookup' && typeof kid === 'string') {
      // A model of `SELECT key FROM keys WHERE kid = '${kid}'`: a UNION SELECT chooses the key.
      const injected = /' UNION SELECT '([^']*)'/i.exec(kid);
      if (injected?.[1] !== undefined) keys.push(injected[1]);
    }
    if (weakness === 'kid-shell-lookup' && typeof kid === 'string' && kid.startsWith('|')) {
      // A model of `exec('cat keys/' + kid)`: the injected command's output (empty) is the key.
      keys.push('');
    }
  }
  if ((alg === 'HS384' || alg === 'HS512') && weakness === `key-confusion:${alg}`) {
    const key = confusion('spki-pem');
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

async function rsaKeyFor(
  jwt: Jwt,
  weakness: WeaknessId | 'none',
  pool: PoolKeys,
): Promise<KeyObject | undefined> {
  const { header } = jwt;
  if (weakness === 'embedded-jwk-trusted' && isRecord(header.jwk)) {
    return createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' });
  }
  if (weakness === 'x5c-trusted' && Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
    return new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey;
  }
  if (weakness === 'jku-trusted' && typeof header.jku === 'string') {
    const text = await fetchFromToken(header.jku);
    const keys = text === undefined ? undefined : (JSON.parse(text) as { keys?: Json[] }).keys;
    const jwk = keys?.find((key) => key.kid === header.kid);
    if (jwk !== undefined) return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  }
  if (weakness === 'x5u-trusted' && typeof header.x5u === 'string') {
    const text = await fetchFromToken(header.x5u);
    if (text !== undefined) return new X509Certificate(text).publicKey;
  }
  return typeof header.kid === 'string' ? pool.byKid.get(header.kid)?.key : undefined;
}

function firstAlg(jwt: Jwt): unknown {
  // A first-key-wins reading of the header text, as a regex- or streaming-based parser would do.
  const match = /"alg"\s*:\s*("(?:[^"\\]|\\.)*"|null|-?\d+)/.exec(jwt.headerText);
  return match?.[1] === undefined ? undefined : JSON.parse(match[1]);
}

async function signatureAccepted(
  jwt: Jwt,
  weakness: WeaknessId | 'none',
  pool: PoolKeys,
  verifiedSignatures: Set<string>,
): Promise<boolean> {
  if (weakness === 'signature-unchecked') return true;
  if (weakness === 'verified-cache-keyed-by-signature' && verifiedSignatures.has(jwt.signature)) return true;
  // The signature step sees the first alg ("none": nothing to verify); the rest, which insists on RS256,
  // sees JSON.parse's last one. Only a header naming alg twice tells the two apart.
  if (
    weakness === 'duplicate-key-parser-differential' &&
    firstAlg(jwt) === 'none' &&
    jwt.header.alg === 'RS256'
  ) {
    return true;
  }
  const alg = jwt.header.alg;
  if (alg !== 'RS256') {
    if (weakness === 'unsupported-alg-fail-open') return true;
    if (alg === undefined) return weakness === 'alg-missing-unverified';
    if (typeof alg !== 'string') return false;
    if (alg.toLowerCase() === 'none') {
      if (weakness === 'alg-none-signature-ignored' && alg === 'none') return true;
      if (jwt.signature !== '') return false;
      if (weakness === 'alg-none-when-key-missing') {
        const kid = jwt.header.kid;
        return alg === 'none' && !(typeof kid === 'string' && pool.byKid.has(kid));
      }
      return (weakness === 'alg-none-accepted' && alg === 'none') || weakness === 'alg-none-case-insensitive';
    }
    if (weakness === `alg-unverified:${alg}`) return true;
    if (alg === 'ES256') {
      return (
        weakness === 'psychic-signature' &&
        BASE64URL.test(jwt.signature) &&
        Buffer.from(jwt.signature, 'base64url').every((byte) => byte === 0)
      );
    }
    return hmacKeys(jwt, alg, weakness, pool).some((key) => hmacMatches(jwt, alg, key));
  }
  if (jwt.header.kid === undefined && weakness === 'missing-kid-unverified') return true;
  const key = await rsaKeyFor(jwt, weakness, pool);
  if (key === undefined) return weakness === 'unknown-kid-fail-open' && typeof jwt.header.kid === 'string';
  if (jwt.signature === '' && weakness === 'empty-signature-accepted') return true;
  let signature: Buffer;
  if (BASE64URL.test(jwt.signature)) signature = Buffer.from(jwt.signature, 'base64url');
  else if (weakness === 'lenient-base64-signature') signature = Buffer.from(jwt.signature, 'base64');
  else return false;
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
  if (signature.length !== modulusBytes) return weakness === 'signature-length-fail-open';
  const good = verify('sha256', Buffer.from(jwt.signingInput), key, signature);
  if (good) verifiedSignatures.add(jwt.signature);
  return good;
}

function unexpectedTypes(jwt: Jwt): boolean {
  const { header, payload } = jwt;
  const optional = (value: unknown, type: string) => value !== undefined && typeof value !== type;
  return (
    typeof header.alg !== 'string' ||
    optional(header.kid, 'string') ||
    optional(payload.exp, 'number') ||
    typeof payload.iss !== 'string' ||
    optional(payload.token_use, 'string')
  );
}

function issuerAccepted(iss: unknown, issuer: string, weakness: WeaknessId | 'none'): boolean {
  switch (weakness) {
    case 'issuer-unchecked':
      return true;
    case 'issuer-starts-with':
      return typeof iss === 'string' && iss.startsWith(issuer);
    case 'issuer-ends-with':
      return typeof iss === 'string' && iss.endsWith(issuer);
    case 'issuer-case-insensitive':
      return typeof iss === 'string' && iss.toLowerCase() === issuer.toLowerCase();
    case 'iss-array-contains':
      return Array.isArray(iss) ? iss.includes(issuer) : iss === issuer;
    default:
      return iss === issuer;
  }
}

function tokenUseAccepted(payload: Json, scopes: readonly string[], weakness: WeaknessId | 'none'): boolean {
  const use = payload.token_use;
  const wanted = scopes.length === 0 ? 'id' : 'access';
  let kindOk: boolean;
  if (weakness === 'token-use-unchecked') kindOk = true;
  else if (weakness === 'token-use-optional' && use === undefined) kindOk = true;
  else if (weakness === 'token-use-case-insensitive')
    kindOk = typeof use === 'string' && use.toLowerCase() === wanted;
  else kindOk = use === wanted;
  if (!kindOk || scopes.length === 0) return kindOk;
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  return scopes.some((scope) => granted.includes(scope));
}

function expiryDecision(exp: unknown, weakness: WeaknessId | 'none', now: number): AuthorizerDecision | 'ok' {
  if (weakness === 'exp-unchecked') return 'ok';
  if (exp === undefined) return weakness === 'exp-optional' ? 'ok' : deny;
  const seconds = weakness === 'exp-coerced' ? Number(exp) : exp;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return deny;
  return now >= seconds ? { effect: 'deny', reason: 'expired' } : 'ok';
}

function claimsDecision(
  payload: Json,
  issuer: string,
  scopes: readonly string[],
  weakness: WeaknessId | 'none',
): AuthorizerDecision {
  if (!issuerAccepted(payload.iss, issuer, weakness)) return deny;
  if (!tokenUseAccepted(payload, scopes, weakness)) return deny;
  const expiry = expiryDecision(payload.exp, weakness, Math.floor(Date.now() / 1000));
  return expiry === 'ok' ? { effect: 'allow', claims: payload } : expiry;
}

/** A reference verifier with exactly one weakness; with 'none' it must pass the whole contract. */
export function weakenedAuthorizer(
  weakness: WeaknessId | 'none',
): (real: Authorizer, cognito: LocalCognitoSettings) => Authorizer {
  return (_real, cognito) => {
    let pool: Promise<PoolKeys> | undefined;
    const verifiedSignatures = new Set<string>();
    return async (header, scopes = []) => {
      if (header === undefined) return deny;
      // HTTP drops the trailing space of "Bearer ", so a scheme without a token arrives as "Bearer".
      const token =
        header === 'Bearer' ? '' : header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
      if (token === '') return weakness === 'empty-token-allowed' ? { effect: 'allow', claims: {} } : deny;
      const parts = token.split('.');
      try {
        if (parts.length === 2 && weakness === 'two-part-token-unverified') {
          return claimsDecision(decodePart(parts[1] ?? '').value, cognito.issuer, scopes, weakness);
        }
        if (parts.length === 5 && weakness === 'jwe-shape-unverified') {
          return claimsDecision(decodePart(parts[3] ?? '').value, cognito.issuer, scopes, weakness);
        }
        const jwt = decode(token);
        if (weakness === 'crash-on-unexpected-types' && unexpectedTypes(jwt)) {
          throw new TypeError('a header or claim of an unexpected type');
        }
        pool ??= fetchKeys(cognito.jwksUri);
        if (!(await signatureAccepted(jwt, weakness, await pool, verifiedSignatures))) return deny;
        return claimsDecision(jwt.payload, cognito.issuer, scopes, weakness);
      } catch (error) {
        if (!(error instanceof Undecodable)) throw error;
        if (weakness === 'decode-fail-open') return { effect: 'allow', claims: {} };
        if (weakness === 'crash-on-malformed')
          throw new TypeError(`cannot decode the token: ${error.message}`);
        return deny;
      }
    };
  };
}

/** No authorizer at all: every request reaches the Lambda. */
export function authorizerOff(): Authorizer {
  return async () => ({ effect: 'allow', claims: {} });
}

/** The weakened gateway of a weakness the reference verifier has: its authorizer with that one flaw. */
const weakened = (weakness: WeaknessId): GatewayParts => ({ authorizer: weakenedAuthorizer(weakness) });

/** A gateway without API Gateway's 10 KiB header limit whose authorizer then fails on a header that size. */
const oversizedCrash: GatewayParts = {
  server: { maxHeaderBytes: 64 * 1024 },
  authorizer: (real) => async (header, scopes) => {
    if (header !== undefined && header.length > 10 * 1024) throw new RangeError('the header does not fit');
    return real(header, scopes);
  },
};

/**
 * Every catalogue weakness (security/catalogue.ts) and how its weakened gateway is built: a weakness
 * without its gateway here is a type error, and the mutation proof runs each (variants.ts).
 */
export const WEAKENED_GATEWAYS: Readonly<Record<WeaknessId, (weakness: WeaknessId) => GatewayParts>> = {
  'empty-token-allowed': weakened,
  'decode-fail-open': weakened,
  'crash-on-malformed': weakened,
  'crash-on-unexpected-types': weakened,
  'two-part-token-unverified': weakened,
  'jwe-shape-unverified': weakened,
  'oversized-header-crash': () => oversizedCrash,
  'signature-unchecked': weakened,
  'empty-signature-accepted': weakened,
  'signature-length-fail-open': weakened,
  'lenient-base64-signature': weakened,
  'verified-cache-keyed-by-signature': weakened,
  'alg-none-accepted': weakened,
  'alg-none-case-insensitive': weakened,
  'alg-none-signature-ignored': weakened,
  'alg-none-when-key-missing': weakened,
  'alg-missing-unverified': weakened,
  'unsupported-alg-fail-open': weakened,
  'alg-unverified:RS384': weakened,
  'alg-unverified:RS512': weakened,
  'alg-unverified:PS256': weakened,
  'psychic-signature': weakened,
  'hmac-empty-secret': weakened,
  'hmac-weak-secret:secret': weakened,
  'hmac-weak-secret:your-256-bit-secret': weakened,
  'key-confusion:spki-pem': weakened,
  'key-confusion:spki-pem-trimmed': weakened,
  'key-confusion:pkcs1-pem': weakened,
  'key-confusion:pkcs1-pem-trimmed': weakened,
  'key-confusion:jwk-json': weakened,
  'key-confusion:HS384': weakened,
  'key-confusion:HS512': weakened,
  'unknown-kid-fail-open': weakened,
  'missing-kid-unverified': weakened,
  'kid-empty-default-key': weakened,
  'kid-as-file-path': weakened,
  'kid-sql-lookup': weakened,
  'kid-shell-lookup': weakened,
  'embedded-jwk-trusted': weakened,
  'jku-trusted': weakened,
  'x5c-trusted': weakened,
  'x5u-trusted': weakened,
  'duplicate-key-parser-differential': weakened,
  'token-use-unchecked': weakened,
  'token-use-case-insensitive': weakened,
  'token-use-optional': weakened,
  'issuer-unchecked': weakened,
  'issuer-starts-with': weakened,
  'issuer-ends-with': weakened,
  'issuer-case-insensitive': weakened,
  'iss-array-contains': weakened,
  'exp-unchecked': weakened,
  'exp-optional': weakened,
  'exp-coerced': weakened,
};
