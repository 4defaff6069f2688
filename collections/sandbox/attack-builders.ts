/**
 * The token of every catalogue row built inside the Postman sandbox (security/catalogue.ts, rows with
 * built: 'sandbox'), from the live token T, the pool's public JWKS and the committed attacker key. One
 * builder per row id, keyed by the catalogue's sandbox row ids: a row without its builder (or a builder
 * without its row) is a type error, and a unit test checks the same at run time. Each
 * builder returns the token and never logs anything; it throws when the context lacks what it needs,
 * and the clause is then skipped with the error's message. The context is made by ./contract-lib.ts
 * once per live token; bytes, signatures and key encodings are ./sandbox-crypto.ts's. The builders run
 * in the sandbox of the Postman app and of Newman: no Node APIs, no Buffer.
 */
import type { JsonObject } from '../../common/jwt-parts.ts';
import type { AttackerKey } from '../../security/attacker-key.ts';
import type { AttackIdBuiltBy, MalformedSuffix } from '../../security/catalogue.ts';
import { base64, base64url, fromBase64url, hmac, publicKeyPem, rsaSign } from './sandbox-crypto.ts';

/** What the builders need of the committed attacker key (public on purpose): collections/collection.ts puts it in. */
export type SandboxAttacker = Pick<AttackerKey, 'kid' | 'privateJwk' | 'publicJwk' | 'certificateDer'>;

export interface AttackContext {
  readonly token: string;
  /** `[header, payload, signature]` of the token as sent. */
  readonly parts: readonly [string, string, string];
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** The user's other genuine token (ID and access), or ''. */
  readonly other: string;
  /** The JWKS entry for the token's kid, where the clause needs the pool's JWKS. */
  readonly poolJwk: JsonObject | undefined;
  readonly attacker: SandboxAttacker;
  readonly urls: { readonly jku: string; readonly x5u: string };
}

export type AttackBuilder = (c: AttackContext) => string;

function part(value: unknown): string {
  return base64url(JSON.stringify(value));
}
function text(raw: string): string {
  return base64url(raw);
}
function withHeader(c: AttackContext, changes: JsonObject, removed: readonly string[] = []): JsonObject {
  const header: Record<string, unknown> = { ...c.header, ...changes };
  for (const key of removed) delete header[key];
  return header;
}
function signed(c: AttackContext, header: JsonObject): string {
  const input = `${part(header)}.${c.parts[1]}`;
  return `${input}.${rsaSign(header.alg, c.attacker.privateJwk, input)}`;
}
function hmacToken(c: AttackContext, alg: string, key: string, changes: JsonObject = {}): string {
  const input = `${part(withHeader(c, { alg, ...changes }))}.${c.parts[1]}`;
  return `${input}.${hmac(alg, key, input)}`;
}
function keptSignature(c: AttackContext, headerPart: string, payloadPart: string): string {
  return `${headerPart}.${payloadPart}.${c.parts[2]}`;
}
function userClaim(c: AttackContext): string {
  return 'cognito:username' in c.payload ? 'cognito:username' : 'username';
}
/**
 * A URL on the attacker's server. Without one the row would point at a host nobody answers and pass
 * without testing anything, so it is skipped instead, with why.
 */
export function attackerUrl(url: string): string {
  if (!url) {
    throw new Error(
      'no attacker server the API can reach (attacker_jwks_url and attacker_x5u_url are empty): npm run contract starts one where the API is on loopback; elsewhere serve the attacker key set where the API can fetch it and set both',
    );
  }
  return url;
}
function poolKey(c: AttackContext): JsonObject {
  if (!c.poolJwk) throw new Error("the pool's public key for this token's kid is not in the JWKS");
  return c.poolJwk;
}
const INVALID_UTF8 = new Uint8Array([0xff, 0xfe, 0xfd]);
const malformedParts: Readonly<Record<MalformedSuffix, AttackBuilder>> = {
  'not-base64url': () => '%%%',
  'not-json': () => text('not json'),
  'json-null': () => text('null'),
  'json-array': () => text('[]'),
  'json-number': () => text('1'),
  'invalid-utf8': () => base64url(INVALID_UTF8),
};

type SandboxRowId = AttackIdBuiltBy<'sandbox'>;

/** The malformed-part rows' builders: `header-<suffix>` or `payload-<suffix>` for every suffix. */
function malformedBuilders<P extends 'header' | 'payload'>(
  part: P,
): Record<`${P}-${MalformedSuffix}`, AttackBuilder> {
  const entries = Object.entries(malformedParts).map(([suffix, make]): [string, AttackBuilder] => [
    `${part}-${suffix}`,
    part === 'header'
      ? (c) => `${make(c)}.${c.parts[1]}.${c.parts[2]}`
      : (c) => `${c.parts[0]}.${make(c)}.${c.parts[2]}`,
  ]);
  // Object.fromEntries types its keys as string; the entries are exactly one per suffix.
  return Object.fromEntries(entries) as Record<`${P}-${MalformedSuffix}`, AttackBuilder>;
}

const builders = {
  ...malformedBuilders('header'),
  ...malformedBuilders('payload'),
  'empty-header': () => '',
  garbage: () => 'this-is-not-a-jwt',
  'two-parts': (c) => `${c.parts[0]}.${c.parts[1]}`,
  // Compact JWE: header . encrypted key (empty for "dir") . IV . ciphertext . tag. The "ciphertext" is
  // T's payload part in clear, so a verifier that reads it as claims sees genuine-looking ones.
  'five-parts-jwe': (c) =>
    [
      part({ alg: 'dir', enc: 'A256GCM', kid: c.header.kid }),
      '',
      text('contract-iv-0'),
      c.parts[1],
      text('contract-tag-0000'),
    ].join('.'),
  'signature-removed': (c) => `${c.parts[0]}.${c.parts[1]}.`,
  'signature-truncated': (c) => `${c.parts[0]}.${c.parts[1]}.${c.parts[2].slice(0, -4)}`,
  'signature-transplanted': (c) => {
    const otherSignature = String(c.other || '').split('.')[2];
    if (!otherSignature) throw new Error("the user's other token is not available");
    return `${c.parts[0]}.${c.parts[1]}.${otherSignature}`;
  },
  'signature-standard-base64': (c) =>
    `${c.parts[0]}.${c.parts[1]}.${base64(fromBase64url(c.parts[2]), { pad: true })}`,
  'signature-junk-characters': (c) => {
    const middle = Math.floor(c.parts[2].length / 2);
    return `${c.parts[0]}.${c.parts[1]}.${c.parts[2].slice(0, middle)}!@$%${c.parts[2].slice(middle)}`;
  },
  'payload-tampered': (c) => {
    const claim = userClaim(c);
    const payload: Record<string, unknown> = { ...c.payload };
    payload[claim] = `${String(payload[claim] || 'user')}-admin`;
    return keptSignature(c, c.parts[0], part(payload));
  },
  'payload-duplicate-claim': (c) => {
    const json = JSON.stringify(c.payload);
    return keptSignature(c, c.parts[0], text(`${json.slice(0, -1)},"${userClaim(c)}":"admin"}`));
  },
  'header-duplicate-alg': (c) => {
    const rest = withHeader(c, {}, ['alg']);
    const inner = JSON.stringify(rest).slice(1, -1);
    const json = `{"alg":"none",${inner}${inner ? ',' : ''}"alg":${JSON.stringify(c.header.alg)}}`;
    return keptSignature(c, text(json), c.parts[1]);
  },
  'header-values-null': (c) => keptSignature(c, part(withHeader(c, { alg: null, kid: null })), c.parts[1]),
  'header-values-wrong-type': (c) => keptSignature(c, part(withHeader(c, { alg: 0, kid: true })), c.parts[1]),
  'payload-values-null': (c) => {
    const payload: Record<string, unknown> = {};
    for (const key of Object.keys(c.payload)) payload[key] = null;
    return keptSignature(c, c.parts[0], part(payload));
  },
  'payload-values-wrong-type': (c) =>
    keptSignature(c, c.parts[0], part({ ...c.payload, exp: 'jwt_tool', iss: 0, token_use: false })),
  'alg-none': (c) => `${part(withHeader(c, { alg: 'none' }))}.${c.parts[1]}.`,
  'alg-none-capitalised': (c) => `${part(withHeader(c, { alg: 'None' }))}.${c.parts[1]}.`,
  'alg-none-uppercase': (c) => `${part(withHeader(c, { alg: 'NONE' }))}.${c.parts[1]}.`,
  'alg-none-mixed-case': (c) => `${part(withHeader(c, { alg: 'nOnE' }))}.${c.parts[1]}.`,
  'alg-none-unknown-kid': (c) =>
    `${part(withHeader(c, { alg: 'none', kid: c.attacker.kid }))}.${c.parts[1]}.`,
  'alg-none-kid-missing': (c) => `${part(withHeader(c, { alg: 'none' }, ['kid']))}.${c.parts[1]}.`,
  'alg-none-signature-kept': (c) => keptSignature(c, part(withHeader(c, { alg: 'none' })), c.parts[1]),
  'alg-missing': (c) => keptSignature(c, part(withHeader(c, {}, ['alg'])), c.parts[1]),
  'alg-rs384-attacker-key': (c) => signed(c, withHeader(c, { alg: 'RS384' })),
  'alg-rs512-attacker-key': (c) => signed(c, withHeader(c, { alg: 'RS512' })),
  'alg-ps256-attacker-key': (c) => signed(c, withHeader(c, { alg: 'PS256' })),
  // CVE-2022-21449: r = 0 and s = 0, 32 bytes each for P-256.
  'alg-es256-zero-signature': (c) =>
    `${part(withHeader(c, { alg: 'ES256' }))}.${c.parts[1]}.${base64url(new Uint8Array(64))}`,
  'alg-hs384-public-key': (c) => hmacToken(c, 'HS384', publicKeyPem(poolKey(c), 'spki', true)),
  'alg-hs512-public-key': (c) => hmacToken(c, 'HS512', publicKeyPem(poolKey(c), 'spki', true)),
  'hs256-empty-secret': (c) => hmacToken(c, 'HS256', ''),
  'hs256-common-secret': (c) => hmacToken(c, 'HS256', 'secret'),
  'hs256-jwt-io-secret': (c) => hmacToken(c, 'HS256', 'your-256-bit-secret'),
  'hs256-spki-pem': (c) => hmacToken(c, 'HS256', publicKeyPem(poolKey(c), 'spki', true)),
  'hs256-spki-pem-no-newline': (c) => hmacToken(c, 'HS256', publicKeyPem(poolKey(c), 'spki', false)),
  'hs256-pkcs1-pem': (c) => hmacToken(c, 'HS256', publicKeyPem(poolKey(c), 'pkcs1', true)),
  'hs256-pkcs1-pem-no-newline': (c) => hmacToken(c, 'HS256', publicKeyPem(poolKey(c), 'pkcs1', false)),
  'hs256-jwk-json': (c) => hmacToken(c, 'HS256', JSON.stringify(poolKey(c))),
  'attacker-key-pool-kid': (c) => signed(c, withHeader(c, { alg: 'RS256' })),
  'attacker-key-unknown-kid': (c) => signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid })),
  'kid-missing': (c) => signed(c, withHeader(c, { alg: 'RS256' }, ['kid'])),
  'kid-empty': (c) => hmacToken(c, 'HS256', '', { kid: '' }),
  'kid-path-traversal': (c) => hmacToken(c, 'HS256', '', { kid: '../../../../../../dev/null' }),
  'kid-dev-null': (c) => hmacToken(c, 'HS256', '', { kid: '/dev/null' }),
  'kid-sql-injection': (c) => hmacToken(c, 'HS256', '1', { kid: "x' UNION SELECT '1';--" }),
  'kid-command-injection': (c) => hmacToken(c, 'HS256', '', { kid: '|sleep 10' }),
  'jwk-injection': (c) =>
    signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, jwk: c.attacker.publicJwk })),
  'jku-injection': (c) =>
    signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, jku: attackerUrl(c.urls.jku) })),
  'x5c-injection': (c) =>
    signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, x5c: [c.attacker.certificateDer] })),
  'x5u-injection': (c) =>
    signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, x5u: attackerUrl(c.urls.x5u) })),
  // Past API Gateway's 10 KiB and Node's 16 KiB header limits: refused before any authorizer.
  'oversized-header': (c) => `${c.token}${'A'.repeat(32 * 1024)}`,
} satisfies Record<SandboxRowId, AttackBuilder>;

/** Every sandbox row's builder, by catalogue row id. */
export const attackBuilders: Readonly<Record<SandboxRowId, AttackBuilder>> = builders;
