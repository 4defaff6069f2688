/**
 * Authorizers built on real, published JWT libraries: versions with a public verification CVE, each
 * called the way that version's README shows, and current versions as controls. Two set-ups
 * (`setUp`): a current library runs exactly as its README sets it up and nothing else (`readmeShaped`:
 * the token from a raw or `Bearer ` header, the library's verdict, its "expired" as API Gateway's), and
 * must pass the contract's default settings whole, or, where the README set-up is genuinely weak, fail
 * exactly the row that catches it; a vulnerable library runs inside the claim checks of API Gateway's
 * Cognito authorizer (`cognitoShaped`: iss, token_use "id", exp), so its only weakness is its library's,
 * and is judged with every open fact asserted, like the weakened gateways. Put in front of the local
 * gateway through the stack's composition root (`GatewayParts.authorizer`, see `asStackAuthorizer`).
 *
 * The libraries are exact-pinned devDependencies under npm aliases (`jsonwebtoken-4.1.0` is
 * jsonwebtoken@4.1.0), test-only; the old ones bring old transitive packages, on purpose, and only
 * into devDependencies. `expectedToFallTo` is measured, not assumed: the mutation proof
 * (tests/contract/mutation-proof.test.ts) runs the whole contract against a gateway on each and demands
 * that exactly these rows' clauses fail, raw and as Bearer.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { isRecord } from '../../../common/records.ts';
import {
  type Authorizer,
  type AuthorizerDecision,
  tokenFromHeader,
} from '../../../local-stack/gateway/authorizer.ts';
import type { LocalCognitoSettings } from '../../../local-stack/stack.ts';
import type { AttackId } from '../../../security/catalogue.ts';

/** What a library authorizer is built from: the pool's issuer and its published keys. */
export interface PoolKeys {
  readonly issuer: string;
  /** The app client the user signs in through (what a README's clientId or audience names). */
  readonly clientId: string;
  readonly jwksUri: string;
  readonly jwks: { readonly keys: readonly JsonWebKey[] };
}

export type LibraryAuthorizerFactory = (pool: PoolKeys) => Authorizer;

export interface LibraryAuthorizer {
  /** `<package>-<version>`. */
  readonly id: string;
  /** Where it is installed: the npm alias (the id), or the package itself when it is a dependency. */
  readonly installedAs: string;
  readonly package: string;
  readonly version: string;
  /** CVE (or GHSA) ids of the weakness; empty for a control. */
  readonly advisory: readonly string[];
  /** One sentence: what the library version gets wrong, and under which precondition. */
  readonly weakness: string;
  /** The README-style call, on one line. */
  readonly verifiesWith: string;
  /** Has a published advisory; false: a control, a correct current release. */
  readonly vulnerable: boolean;
  /**
   * Catalogue row ids (security/catalogue.ts) whose token this authorizer accepts, raw and as Bearer; measured.
   * Empty for a clean control; node-jose-2.2.0 is the one control that is not clean (see its weakness).
   */
  readonly expectedToFallTo: readonly AttackId[];
  /** Request rows (security/request-catalogue.ts) whose clauses it fails as well; measured. */
  readonly expectedToFallToRequests?: readonly string[];
  /**
   * Attacks outside the catalogue it also accepts, measured once by hand: `crit-unknown-extension`, a
   * genuinely signed token with an unknown `crit` header, which the product's own verifier accepts too
   * and whose API Gateway answer is unknown (docs/attack-matrix.md, known limits).
   */
  readonly fallsToProposed: readonly string[];
  /**
   * False when the README-style set-up cannot verify the pool's genuine RS256 tokens at all (the
   * precondition of its CVE also locks RS256 out), so a gateway on it fails the genuine-token clauses
   * too, not only the rows above.
   */
  readonly acceptsGenuineTokens: boolean;
  /**
   * `readme`: the library alone, called exactly as its README sets it up, with no claim check of ours
   * around it (a control must pass the contract as it is; a weak set-up is caught by a row); judged on
   * the contract's default settings, which assert nothing open. `claim-checked`: the library inside the
   * Cognito authorizer's claim checks (cognitoShaped), so only its signature weakness shows; judged on
   * the default settings too, like the weakened gateways.
   */
  readonly setUp: 'readme' | 'claim-checked';
  readonly create: LibraryAuthorizerFactory;
}

const unauthorized: AuthorizerDecision = { effect: 'deny', reason: 'unauthorized' };
const expired: AuthorizerDecision = { effect: 'deny', reason: 'expired' };

type Json = Readonly<Record<string, unknown>>;

/** How one library verifies a token: resolves with what the library returns as the payload. */
interface LibraryCall {
  verify(token: string): Promise<unknown>;
  /** True when the error is the library's own "this token has expired". */
  isExpired(error: unknown): boolean;
  /** The library checks iss itself (its README's option) and the wrapper must not hide that. */
  readonly checksIssuer?: boolean;
}

/**
 * The claim checks of API Gateway's Cognito authorizer, around one library call. They are the same
 * as the tests' reference verifier's (weak-authorizers.ts), so that a library that passes a token
 * through its signature check is judged on the claims exactly like every other authorizer.
 */
function cognitoShaped(pool: PoolKeys, call: () => LibraryCall): Authorizer {
  let library: LibraryCall | undefined;
  return async (header) => {
    if (header === undefined || header === '') return unauthorized;
    library ??= call();
    let payload: unknown;
    try {
      payload = await library.verify(tokenFromHeader(header));
    } catch (error) {
      return library.isExpired(error) ? expired : unauthorized;
    }
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch {
        return unauthorized;
      }
    }
    if (!isRecord(payload)) return unauthorized;
    if (!library.checksIssuer && payload.iss !== pool.issuer) return unauthorized;
    if (payload.token_use !== 'id') return unauthorized;
    if (typeof payload.exp !== 'number') return unauthorized;
    if (Math.floor(Date.now() / 1000) >= payload.exp) return expired;
    return { effect: 'allow', claims: payload };
  };
}

type GetJwksModule = (options?: Json) => {
  getPublicKey(signature: { kid: unknown; alg: unknown; domain: unknown }): Promise<string>;
};

/**
 * @fastify/jwt's README with get-jwks: `secret: (request, token) => getJwks.getPublicKey({ kid, domain:
 * iss, alg })` and `verify: { allowedIss }`, which @fastify/jwt hands to fast-jwt's createVerifier; here
 * fast-jwt 6.3.6 is called with exactly those options (a key function over the decoded token), without
 * the Fastify server around it. Keys come from `${iss}/.well-known/jwks.json` and the issuer is checked
 * after the key is found, the precondition of CVE-2025-59936.
 */
function getJwksWithFastJwt(alias: string): LibraryAuthorizerFactory {
  return (pool) =>
    cognitoShaped(pool, () => {
      const buildGetJwks = load<GetJwksModule>(alias);
      const getJwks = buildGetJwks();
      const verifier = load<FastJwtModule>('fast-jwt-6.3.6', 'createVerifier').createVerifier({
        key: async (decoded: { header?: Json; payload?: Json }) =>
          getJwks.getPublicKey({
            kid: decoded.header?.kid,
            alg: decoded.header?.alg,
            domain: decoded.payload?.iss,
          }),
        allowedIss: pool.issuer,
      });
      return {
        verify: async (token) => verifier(token),
        isExpired: (error) => isRecord(error) && error.code === 'FAST_JWT_EXPIRED',
        checksIssuer: true,
      };
    });
}

/**
 * A library as its README sets it up, in front of the integration: the token from the header (raw or
 * `Bearer `, what the gateway hands any authorizer), the library's verdict, and its own "expired" as
 * API Gateway's expired answer. No claim check of ours: whatever the README's options check is all.
 */
function readmeShaped(call: () => LibraryCall): Authorizer {
  let library: LibraryCall | undefined;
  return async (header) => {
    if (header === undefined || header === '') return unauthorized;
    library ??= call();
    let payload: unknown;
    try {
      payload = await library.verify(tokenFromHeader(header));
    } catch (error) {
      return library.isExpired(error) ? expired : unauthorized;
    }
    return isRecord(payload) ? { effect: 'allow', claims: payload } : unauthorized;
  };
}

// ---------------------------------------------------------------------------------------------------
// Key material, from the pool's JWKS, in the form each README expects.

function rsaKeys(pool: PoolKeys): JsonWebKey[] {
  return pool.jwks.keys.filter((key) => key.kty === 'RSA');
}

/**
 * The README's single `public.pem`: a one-file verifier has one key. The local pool has exactly one;
 * a pool with more (real Cognito has two) would need one verifier per key, which no README shows.
 */
function onlyKey(pool: PoolKeys, library: string): JsonWebKey {
  const keys = rsaKeys(pool);
  const [key] = keys;
  if (key === undefined || keys.length !== 1) {
    throw new Error(
      `${library} verifies with one PEM file; give it a pool with exactly one RSA key (this one has ${keys.length})`,
    );
  }
  return key;
}

/** `openssl rsa -pubout` writes this ("BEGIN PUBLIC KEY", SPKI), with its trailing newline. */
function spkiPem(jwk: JsonWebKey): string {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** `openssl rsa -RSAPublicKey_out` writes this ("BEGIN RSA PUBLIC KEY", PKCS#1), trailing newline. */
function pkcs1Pem(jwk: JsonWebKey): string {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs1', format: 'pem' }).toString();
}

function pemsByKid(pool: PoolKeys): ReadonlyMap<string, string> {
  const byKid = new Map<string, string>();
  for (const key of rsaKeys(pool)) if (typeof key.kid === 'string') byKid.set(key.kid, spkiPem(key));
  return byKid;
}

// ---------------------------------------------------------------------------------------------------
// The libraries, loaded through their aliases. Their exports are untyped JavaScript (none of these
// versions ships types), so each is narrowed here to the few functions the README calls.

const require = createRequire(import.meta.url);

/**
 * The proof's library versions are a separate install (tests/contract/package.json, `npm ci --prefix
 * tests/contract`), so a user's `npm ci` installs no vulnerable version. The aliases not installed here.
 */
export function missingLibraries(): string[] {
  // Looked up as folders, not resolved: a package whose exports hide package.json is still installed.
  const folders = require.resolve.paths('jose') ?? [];
  return libraryAuthorizers
    .map((library) => library.installedAs)
    .filter((alias) => !folders.some((folder) => existsSync(join(folder, alias, 'package.json'))));
}

/** A string, not a literal in the import: the type check must not need the proof's install. */
const JOSE_ALIAS: string = 'jose-6.2.18';

/** What the jose README calls, narrowed from its (here unresolved) types. */
interface JoseModule {
  createRemoteJWKSet(url: URL): unknown;
  jwtVerify(
    token: string,
    key: unknown,
    options: { readonly issuer?: string; readonly audience?: string },
  ): Promise<{ payload: Json }>;
}

function load<T extends object>(alias: string, ...functions: readonly string[]): T {
  const module: unknown = require(alias);
  for (const path of functions) {
    let member: unknown = module;
    for (const step of path.split('.')) {
      member =
        typeof member === 'object' || typeof member === 'function' ? (member as Json)[step] : undefined;
    }
    if (typeof member !== 'function') {
      throw new Error(
        `${alias} has no function ${path}; install the proof's library versions with npm ci --prefix tests/contract`,
      );
    }
  }
  return module as T;
}

type NodeCallback = (error: unknown, value?: unknown) => void;

function callbackToPromise(run: (done: NodeCallback) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    run((error, value) => (error ? reject(error) : resolve(value)));
  });
}

function errorNamed(name: string): (error: unknown) => boolean {
  return (error) => error instanceof Error && error.name === name;
}

const never = () => false;

interface JsonWebTokenModule {
  verify(token: string, key: unknown, optionsOrCallback?: unknown, callback?: NodeCallback): unknown;
}

/** jsonwebtoken 4.x README: `jwt.verify(token, fs.readFileSync('public.pem'), callback)`. */
function jsonwebtoken4(alias: string, pemOf: (jwk: JsonWebKey) => string): LibraryAuthorizerFactory {
  return (pool) =>
    cognitoShaped(pool, () => {
      const jwt = load<JsonWebTokenModule>(alias, 'verify');
      const cert = Buffer.from(pemOf(onlyKey(pool, alias))); // what fs.readFileSync('public.pem') returns
      return {
        verify: (token) => callbackToPromise((done) => jwt.verify(token, cert, done)),
        isExpired: errorNamed('TokenExpiredError'),
      };
    });
}

/**
 * jsonwebtoken 8/9 README: `jwt.verify(token, getKey, options, callback)`, getKey looking the kid up
 * in the JWKS (the README fetches it with jwks-rsa and ignores its error: an unknown kid gives no key).
 */
function jsonwebtokenGetKey(alias: string, options: Json): LibraryAuthorizerFactory {
  return (pool) =>
    cognitoShaped(pool, () => {
      const jwt = load<JsonWebTokenModule>(alias, 'verify');
      const pems = pemsByKid(pool);
      const getKey = (header: Json, callback: NodeCallback) =>
        callback(null, typeof header.kid === 'string' ? pems.get(header.kid) : undefined);
      return {
        verify: (token) => callbackToPromise((done) => jwt.verify(token, getKey, { ...options }, done)),
        isExpired: errorNamed('TokenExpiredError'),
      };
    });
}

interface JwtSimpleModule {
  decode(token: string, key: string): unknown;
}

interface NodeJoseModule {
  JWK: { asKeyStore(jwks: unknown): Promise<unknown> };
  JWS: { createVerify(keystore: unknown): { verify(token: string): Promise<{ payload: Buffer }> } };
}

/** node-jose README: `jose.JWK.asKeyStore(jwks)`, then `jose.JWS.createVerify(keystore).verify(token)`. */
function nodeJose(alias: string): LibraryAuthorizerFactory {
  return (pool) =>
    cognitoShaped(pool, () => {
      const jose = load<NodeJoseModule>(alias, 'JWK.asKeyStore', 'JWS.createVerify');
      const keystore = jose.JWK.asKeyStore({ keys: pool.jwks.keys });
      return {
        verify: async (token) =>
          (await jose.JWS.createVerify(await keystore).verify(token)).payload.toString('utf8'),
        isExpired: never, // node-jose verifies signatures only; exp is the wrapper's
      };
    });
}

type FastJwtVerifier = (token: string) => unknown;

interface FastJwtModule {
  createVerifier(options: Json): FastJwtVerifier;
}

/** fast-jwt README: `const verify = createVerifier({ key }); verify(token)`. */
function fastJwt(
  alias: string,
  options: (pool: PoolKeys) => Json,
  checksIssuer = false,
): LibraryAuthorizerFactory {
  return (pool) =>
    cognitoShaped(pool, () => {
      const verifier = load<FastJwtModule>(alias, 'createVerifier').createVerifier(options(pool));
      return {
        verify: async (token) => verifier(token),
        isExpired: (error) => isRecord(error) && error.code === 'FAST_JWT_EXPIRED',
        checksIssuer,
      };
    });
}

interface JsonWebTokenPackage {
  decode(key: string, token: string, callback: NodeCallback): unknown;
}

interface JsrsasignModule {
  KEYUTIL: { getKey(key: unknown): unknown };
  KJUR: { jws: { JWS: { verify(token: string, key: unknown, algorithms: readonly string[]): boolean } } };
}

// ---------------------------------------------------------------------------------------------------

/**
 * The weakness jwt-simple 0.3.0 and json-web-token 3.2.0 share (their own base64url decoders and
 * the algorithm taken from the header), and the rows measured to get through both.
 */
const HMAC_WITH_THE_PUBLIC_KEY = {
  weakness:
    "takes the algorithm from the token's header, so HS256/HS384/HS512 keyed with the public key PEM verifies",
  fallsTo: [
    'signature-standard-base64',
    'alg-hs384-public-key',
    'alg-hs512-public-key',
    'hs256-spki-pem',
    'signature-junk-characters',
  ],
} as const;

export const libraryAuthorizers: readonly LibraryAuthorizer[] = [
  {
    id: 'jsonwebtoken-4.1.0',
    installedAs: 'jsonwebtoken-4.1.0',
    package: 'jsonwebtoken',
    version: '4.1.0',
    advisory: ['CVE-2015-9235'],
    weakness:
      "lets the token's header pick HS256/HS384/HS512 and then uses the public key PEM as the HMAC secret",
    verifiesWith: "jwt.verify(token, fs.readFileSync('public.pem') /* SPKI PEM */, callback)",
    vulnerable: true,
    expectedToFallTo: ['alg-hs384-public-key', 'alg-hs512-public-key', 'hs256-spki-pem'],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: jsonwebtoken4('jsonwebtoken-4.1.0', spkiPem),
  },
  {
    id: 'jwt-simple-0.3.0',
    installedAs: 'jwt-simple-0.3.0',
    package: 'jwt-simple',
    version: '0.3.0',
    advisory: ['CVE-2016-10555'],
    weakness: HMAC_WITH_THE_PUBLIC_KEY.weakness,
    verifiesWith: 'jwt.decode(token, publicKeyPem)',
    vulnerable: true,
    expectedToFallTo: HMAC_WITH_THE_PUBLIC_KEY.fallsTo,
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: (pool) =>
      cognitoShaped(pool, () => {
        const jwt = load<JwtSimpleModule>('jwt-simple-0.3.0', 'decode');
        const key = spkiPem(onlyKey(pool, 'jwt-simple-0.3.0'));
        return { verify: async (token) => jwt.decode(token, key), isExpired: never };
      }),
  },
  {
    id: 'node-jose-0.10.0',
    installedAs: 'node-jose-0.10.0',
    package: 'node-jose',
    version: '0.10.0',
    advisory: ['CVE-2018-0114'],
    weakness: "verifies with a key embedded in the token's own header (jwk or x5c) instead of the keystore's",
    verifiesWith: 'jose.JWS.createVerify(await jose.JWK.asKeyStore(jwks)).verify(token)',
    vulnerable: true,
    expectedToFallTo: [
      'signature-standard-base64',
      'jwk-injection',
      'x5c-injection',
      'signature-junk-characters',
    ],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: nodeJose('node-jose-0.10.0'),
  },
  {
    id: 'jsonwebtoken-8.5.1',
    installedAs: 'jsonwebtoken-8.5.1',
    package: 'jsonwebtoken',
    version: '8.5.1',
    advisory: ['CVE-2022-23540'],
    weakness:
      'verifies an unsigned alg "none" token when the key lookup finds no key and no algorithms are given',
    verifiesWith: 'jwt.verify(token, getKey /* kid → PEM from the JWKS */, {}, callback)',
    vulnerable: true,
    expectedToFallTo: ['alg-none-unknown-kid', 'alg-none-kid-missing'],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: jsonwebtokenGetKey('jsonwebtoken-8.5.1', {}),
  },
  {
    id: 'fast-jwt-3.3.1',
    installedAs: 'fast-jwt-3.3.1',
    package: 'fast-jwt',
    version: '3.3.1',
    advisory: ['CVE-2023-48223'],
    weakness:
      'does not recognise a PKCS#1 "BEGIN RSA PUBLIC KEY" PEM as a public key and takes it for an HMAC secret: HS256 keyed with it verifies (and, by the same mistake, genuine RS256 tokens never do)',
    verifiesWith: 'createVerifier({ key: publicKeyPem /* PKCS#1 PEM */ })(token)',
    vulnerable: true,
    expectedToFallTo: ['hs256-pkcs1-pem'],
    fallsToProposed: [],
    acceptsGenuineTokens: false,
    setUp: 'claim-checked',
    create: fastJwt('fast-jwt-3.3.1', (pool) => ({ key: pkcs1Pem(onlyKey(pool, 'fast-jwt-3.3.1')) })),
  },
  {
    id: 'fast-jwt-5.0.5',
    installedAs: 'fast-jwt-5.0.5',
    package: 'fast-jwt',
    version: '5.0.5',
    advisory: ['CVE-2025-30144'],
    weakness:
      'with allowedIss, accepts an iss array when any one element is allowed (the wrapper leaves the issuer to the library here)',
    verifiesWith: 'createVerifier({ key: publicKeyPem, allowedIss: issuer })(token)',
    vulnerable: true,
    expectedToFallTo: [
      'signature-standard-base64',
      'iss-array',
      'signature-junk-characters',
      'iss-array-attacker-first',
    ],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: fastJwt(
      'fast-jwt-5.0.5',
      (pool) => ({ key: spkiPem(onlyKey(pool, 'fast-jwt-5.0.5')), allowedIss: pool.issuer }),
      true,
    ),
  },
  {
    id: 'fast-jwt-6.1.0',
    installedAs: 'fast-jwt-6.1.0',
    package: 'fast-jwt',
    version: '6.1.0',
    advisory: ['CVE-2026-35042'],
    weakness:
      'ignores the crit header parameter, so a token that marks an extension it does not understand as critical verifies',
    verifiesWith: 'createVerifier({ key: publicKeyPem })(token)',
    vulnerable: true,
    expectedToFallTo: ['signature-standard-base64', 'signature-junk-characters'],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: fastJwt('fast-jwt-6.1.0', (pool) => ({ key: spkiPem(onlyKey(pool, 'fast-jwt-6.1.0')) })),
  },
  {
    id: 'json-web-token-3.2.0',
    installedAs: 'json-web-token-3.2.0',
    package: 'json-web-token',
    version: '3.2.0',
    advisory: ['CVE-2023-48238'],
    weakness: HMAC_WITH_THE_PUBLIC_KEY.weakness,
    verifiesWith: 'jwt.decode(publicKeyPem, token, callback)',
    vulnerable: true,
    expectedToFallTo: HMAC_WITH_THE_PUBLIC_KEY.fallsTo,
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: (pool) =>
      cognitoShaped(pool, () => {
        const jwt = load<JsonWebTokenPackage>('json-web-token-3.2.0', 'decode');
        const key = spkiPem(onlyKey(pool, 'json-web-token-3.2.0'));
        return {
          verify: (token) => callbackToPromise((done) => jwt.decode(key, token, done)),
          isExpired: never,
        };
      }),
  },
  {
    id: 'jsrsasign-10.5.24',
    installedAs: 'jsrsasign-10.5.24',
    package: 'jsrsasign',
    version: '10.5.24',
    advisory: ['CVE-2022-25898'],
    weakness:
      'accepts a signature part with characters outside base64url (stray characters, padded standard base64) as long as the base64 it decodes to is the genuine signature',
    verifiesWith: "KJUR.jws.JWS.verify(token, KEYUTIL.getKey(jwk), ['RS256'])",
    vulnerable: true,
    expectedToFallTo: ['signature-standard-base64', 'signature-junk-characters'],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: (pool) =>
      cognitoShaped(pool, () => {
        const rs = load<JsrsasignModule>('jsrsasign-10.5.24', 'KEYUTIL.getKey', 'KJUR.jws.JWS.verify');
        const key = rs.KEYUTIL.getKey(onlyKey(pool, 'jsrsasign-10.5.24'));
        return {
          verify: async (token) => {
            if (!rs.KJUR.jws.JWS.verify(token, key, ['RS256']))
              throw new Error('jsrsasign: invalid signature');
            return Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
          },
          isExpired: never,
        };
      }),
  },
  // ---------------------------------------------------------------- controls: correct, current
  {
    id: 'jsonwebtoken-9.0.3',
    installedAs: 'jsonwebtoken-9.0.3',
    package: 'jsonwebtoken',
    version: '9.0.3',
    advisory: [],
    weakness: 'none known (control)',
    verifiesWith:
      "jwt.verify(token, getKey /* kid → PEM from the JWKS */, { algorithms: ['RS256'] }, callback)",
    vulnerable: false,
    expectedToFallTo: [],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: jsonwebtokenGetKey('jsonwebtoken-9.0.3', { algorithms: ['RS256'] }),
  },
  {
    id: 'jose-6.2.18',
    installedAs: 'jose-6.2.18',
    package: 'jose',
    version: '6.2.18',
    advisory: [],
    weakness: 'none known (control, as its README sets it up)',
    verifiesWith:
      'const JWKS = createRemoteJWKSet(new URL(jwksUri)); await jwtVerify(token, JWKS, { issuer, audience: clientId })',
    vulnerable: false,
    expectedToFallTo: [],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'readme',
    create: (pool) =>
      readmeShaped(() => {
        // jose 6 is an ES module: imported on first use, like the others are required on first use.
        const loaded = import(JOSE_ALIAS).then((module: unknown) => module as JoseModule);
        const jwks = loaded.then((jose) => jose.createRemoteJWKSet(new URL(pool.jwksUri)));
        return {
          verify: async (token) =>
            (
              await (
                await loaded
              ).jwtVerify(token, await jwks, {
                issuer: pool.issuer,
                audience: pool.clientId,
              })
            ).payload,
          isExpired: (error) => isRecord(error) && error.code === 'ERR_JWT_EXPIRED',
        };
      }),
  },
  {
    id: 'fast-jwt-6.3.6',
    installedAs: 'fast-jwt-6.3.6',
    package: 'fast-jwt',
    version: '6.3.6',
    advisory: [],
    weakness: 'none known (control)',
    verifiesWith: "createVerifier({ key: publicKeyPem, algorithms: ['RS256'] })(token)",
    vulnerable: false,
    expectedToFallTo: [],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: fastJwt('fast-jwt-6.3.6', (pool) => ({
      key: spkiPem(onlyKey(pool, 'fast-jwt-6.3.6')),
      algorithms: ['RS256'],
    })),
  },
  {
    id: 'get-jwks-11.0.1',
    installedAs: 'get-jwks-11.0.1',
    package: 'get-jwks',
    version: '11.0.1',
    advisory: ['CVE-2025-59936'],
    weakness:
      "caches keys fetched from the token's own issuer under alg:kid:domain joined unencoded, and fast-jwt checks iss only after: a refused token's key set is served for the pool's issuer under a colliding kid",
    verifiesWith:
      "@fastify/jwt's call: createVerifier({ key: ({ header, payload }) => getJwks.getPublicKey({ kid, alg, domain: payload.iss }), allowedIss: issuer }) on fast-jwt 6.3.6",
    vulnerable: true,
    expectedToFallTo: [],
    expectedToFallToRequests: ['colliding-kid-after-discovery'],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: getJwksWithFastJwt('get-jwks-11.0.1'),
  },
  {
    id: 'get-jwks-11.0.3',
    installedAs: 'get-jwks-11.0.3',
    package: 'get-jwks',
    version: '11.0.3',
    advisory: [],
    weakness: 'none known (control: the cache key encodes each part)',
    verifiesWith: 'the same call as get-jwks 11.0.1, on the fixed release',
    vulnerable: false,
    expectedToFallTo: [],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: getJwksWithFastJwt('get-jwks-11.0.3'),
  },
  {
    id: 'node-jose-2.2.0',
    installedAs: 'node-jose-2.2.0',
    package: 'node-jose',
    version: '2.2.0',
    advisory: [],
    weakness:
      "no advisory, but not strict: it decodes the signature with Node's lenient base64 decoder, so a genuine signature re-encoded in padded standard base64 (or with stray characters) still verifies; the same call as node-jose-0.10.0, embedded keys off",
    verifiesWith: 'jose.JWS.createVerify(await jose.JWK.asKeyStore(jwks)).verify(token)',
    vulnerable: false,
    expectedToFallTo: ['signature-standard-base64', 'signature-junk-characters'],
    fallsToProposed: [],
    acceptsGenuineTokens: true,
    setUp: 'claim-checked',
    create: nodeJose('node-jose-2.2.0'),
  },
  {
    id: 'aws-jwt-verify-5.2.1',
    installedAs: 'aws-jwt-verify',
    package: 'aws-jwt-verify',
    version: '5.2.1',
    advisory: [],
    weakness: "none known (control, as its README sets it up; the product's own verifier library)",
    verifiesWith:
      "CognitoJwtVerifier.create({ userPoolId, tokenUse: 'id', clientId }).verify(token), keys handed over with cacheJwks",
    vulnerable: false,
    expectedToFallTo: [],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'readme',
    // CognitoJwtVerifier derives its issuer from an AWS pool id (region_id) and refuses the emulator's, so
    // it is composed here of exactly what its verify runs: the RS256 verifier on the pool's issuer, then
    // the library's own Cognito field checks with the README's tokenUse and clientId.
    create: (pool) =>
      readmeShaped(() => {
        const verifier = JwtRsaVerifier.create({
          issuer: pool.issuer,
          audience: null,
          jwksUri: pool.jwksUri,
          customJwtCheck: ({ payload }) =>
            validateCognitoJwtFields(payload, { tokenUse: 'id', clientId: pool.clientId }),
        });
        verifier.cacheJwks(pool.jwks as Jwks);
        return {
          verify: (token) => verifier.verify(token),
          isExpired: (error) => error instanceof JwtExpiredError,
        };
      }),
  },
  // ------------------------------------------- as its README sets it up: weak, caught by a row
  {
    id: 'jsonwebtoken-8.5.1-rs256',
    installedAs: 'jsonwebtoken-8.5.1',
    package: 'jsonwebtoken',
    version: '8.5.1',
    advisory: [],
    weakness:
      'as its README sets it up (key, RS256 only, issuer) it checks neither token_use nor the audience, so the genuine access token opens a method that takes ID tokens only',
    verifiesWith:
      "jwt.verify(token, fs.readFileSync('public.pem'), { algorithms: ['RS256'], issuer }, callback)",
    vulnerable: false,
    expectedToFallTo: ['access-token'],
    fallsToProposed: ['crit-unknown-extension'],
    acceptsGenuineTokens: true,
    setUp: 'readme',
    create: (pool) =>
      readmeShaped(() => {
        const jwt = load<JsonWebTokenModule>('jsonwebtoken-8.5.1', 'verify');
        const cert = Buffer.from(spkiPem(onlyKey(pool, 'jsonwebtoken-8.5.1')));
        return {
          verify: (token) =>
            callbackToPromise((done) =>
              jwt.verify(token, cert, { algorithms: ['RS256'], issuer: pool.issuer }, done),
            ),
          isExpired: errorNamed('TokenExpiredError'),
        };
      }),
  },
];

export function libraryAuthorizer(id: string): LibraryAuthorizer {
  const found = libraryAuthorizers.find((entry) => entry.id === id);
  if (found === undefined)
    throw new Error(`no library authorizer "${id}"; see libraryAuthorizers for the ids`);
  return found;
}

/**
 * The form `LocalStackOptions.authorizer` takes: the JWKS is fetched once from the stack's own
 * (loopback) JWKS URL on the first request, the way the reference verifier in weak-authorizers.ts does.
 */
export function asStackAuthorizer(
  factory: LibraryAuthorizerFactory,
): (real: Authorizer, cognito: LocalCognitoSettings) => Authorizer {
  return (_real, cognito) => {
    let authorizer: Promise<Authorizer> | undefined;
    return async (header) => {
      authorizer ??= fetchJwks(cognito.jwksUri).then((jwks) =>
        factory({ issuer: cognito.issuer, clientId: cognito.clientId, jwksUri: cognito.jwksUri, jwks }),
      );
      return (await authorizer)(header);
    };
  };
}

async function fetchJwks(jwksUri: string): Promise<PoolKeys['jwks']> {
  const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await response.json();
  if (!response.ok || !isRecord(body) || !Array.isArray(body.keys)) throw new Error(`no JWKS at ${jwksUri}`);
  return { keys: body.keys.filter(isRecord) as JsonWebKey[] };
}
