/**
 * sandboxCrypto: the byte, hash, HMAC, RSA and key-encoding primitives the attack clauses need, written
 * for the Postman sandbox, so that the Postman app, bare `newman run` and `npm run contract` forge the
 * same tokens from the same code. Background, standards and limits: docs/sandbox-crypto.md.
 *
 * This module's exports are the public API, exactly (a test lists them): the collection's library
 * takes it as a namespace (`import * as sandboxCrypto`), and collections/sandbox-bundle.ts also builds it alone
 * into a script that declares the one constant `sandboxCrypto`, for scripts of one's own.
 *
 * Why it looks like this:
 * - The sandbox has no Node crypto, no WebCrypto, no TextEncoder/TextDecoder (checked in
 *   postman-sandbox 4.7.1, Newman 6.2.2's), and the Postman app's Buffer is a shim we do not rely on.
 *   What it does have is `require('crypto-js')` (hashes, HMAC: ./crypto-js.ts) and BigInt (RSA). So
 *   bytes are Uint8Arrays handled with plain loops, and RSA is done here with BigInt.
 * - Every function checks its arguments and throws a TypeError naming the function, what is wrong and
 *   what it expects, so a builder bug fails its clause loudly instead of sending a token that tests
 *   nothing. Arguments are `unknown` for that reason: a script of one's own calls these untyped.
 * - BigInt is reached through `BigInt(...)` calls, never `1n` literals: a literal is a syntax error in a
 *   sandbox without BigInt and would take every clause of the script down, a call fails only rsaSign.
 * - Byte arguments are recognised by Object.prototype.toString, not instanceof: a caller's bytes may
 *   come from another script's context, and a Uint8Array from another realm fails instanceof.
 * - No side effects, no logging.
 *
 * Not constant-time, no blinding, deterministic PSS salt: this only forges attacker tokens that the API
 * must refuse. Never use it to protect anything.
 */
import { modPow } from '../../common/mod-pow.ts';
import { HASH_NAMES, type HashName, hashBytes, hashLength, hmacBytes } from './crypto-js.ts';

function fail(fn: string, sentence: string): never {
  throw new TypeError(`sandboxCrypto.${fn}: ${sentence}`);
}

// Strings longer than 16 characters are described by their length only: an argument may be part of a
// live token, which must never reach a console or a report through an error message.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return value.length <= 16
      ? `the string ${JSON.stringify(value)}`
      : `a string of ${value.length} characters`;
  }
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value)}`;
}

function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** A JWK argument: an object that is not an array, its members still unknown. */
function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return isObjectLike(value) && !Array.isArray(value);
}

/** An options argument: any object (an empty array passes as "no options", as it always has). */
function isObjectLike(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object';
}

function oneOf<T extends string>(fn: string, what: string, value: unknown, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    fail(fn, `${what} must be one of ${allowed.join(', ')}, got ${describe(value)}.`);
  }
  return found;
}

// ---- UTF-8 (RFC 3629) -------------------------------------------------------------------------------

// Strict: a lone surrogate has no UTF-8 encoding, and replacing it with U+FFFD (what TextEncoder does)
// would sign text other than the caller's. JSON.stringify never produces one (it escapes them).
function utf8Of(fn: string, text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code > 0xdbff || low < 0xdc00 || low > 0xdfff) {
        fail(
          fn,
          `the text has a lone surrogate at index ${i}, which has no UTF-8 encoding; pass well-formed text.`,
        );
      }
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      i++;
    }
    if (code < 0x80) {
      out[length++] = code;
    } else if (code < 0x800) {
      out[length++] = 0xc0 | (code >> 6);
      out[length++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      out[length++] = 0xe0 | (code >> 12);
      out[length++] = 0x80 | ((code >> 6) & 0x3f);
      out[length++] = 0x80 | (code & 0x3f);
    } else {
      out[length++] = 0xf0 | (code >> 18);
      out[length++] = 0x80 | ((code >> 12) & 0x3f);
      out[length++] = 0x80 | ((code >> 6) & 0x3f);
      out[length++] = 0x80 | (code & 0x3f);
    }
  }
  return out.slice(0, length);
}

/** utf8(text) -> Uint8Array: the UTF-8 encoding of a well-formed string. */
export function utf8(text: unknown): Uint8Array {
  if (typeof text !== 'string') fail('utf8', `expected a string, got ${describe(text)}.`);
  return utf8Of('utf8', text);
}

/**
 * fromUtf8(bytes) -> string: decodes strict UTF-8 and throws on anything else (overlong forms,
 * surrogates, code points past U+10FFFF, truncated sequences), so decoding a live token's part never
 * silently turns bytes into U+FFFD.
 */
export function fromUtf8(bytes: unknown): string {
  if (!isBytes(bytes)) fail('fromUtf8', `expected a Uint8Array, got ${describe(bytes)}.`);
  const units: number[] = [];
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const first = bytes[i] ?? 0;
    let need = 0;
    let code = 0;
    let min = 0;
    if (first < 0x80) {
      code = first;
    } else if (first >= 0xc2 && first <= 0xdf) {
      need = 1;
      code = first & 0x1f;
      min = 0x80;
    } else if (first >= 0xe0 && first <= 0xef) {
      need = 2;
      code = first & 0x0f;
      min = 0x800;
    } else if (first >= 0xf0 && first <= 0xf4) {
      need = 3;
      code = first & 0x07;
      min = 0x10000;
    } else {
      fail(
        'fromUtf8',
        `byte ${i} (0x${hexByte(first)}) cannot start a UTF-8 sequence; the bytes are not UTF-8.`,
      );
    }
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) {
        fail('fromUtf8', `the UTF-8 sequence starting at byte ${i} is truncated; the bytes are not UTF-8.`);
      }
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      fail(
        'fromUtf8',
        `the UTF-8 sequence starting at byte ${i} is overlong or encodes a surrogate or a code point past U+10FFFF.`,
      );
    }
    if (code >= 0x10000) {
      units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    } else {
      units.push(code);
    }
    i += need + 1;
    // Flush in chunks: String.fromCharCode.apply has an argument-count limit.
    if (units.length >= 8192) text += String.fromCharCode(...units.splice(0, units.length));
  }
  return text + String.fromCharCode(...units);
}

// Every byte argument also accepts a string, taken as its UTF-8 encoding (a JWS signing input is text).
function bytesOf(fn: string, what: string, value: unknown): Uint8Array {
  if (isBytes(value)) return value;
  if (typeof value === 'string') return utf8Of(fn, value);
  return fail(fn, `${what} must be a Uint8Array or a string, got ${describe(value)}.`);
}

/** bytes(list) -> Uint8Array: bytes from a list of integers 0..255, e.g. bytes([0xff, 0xfe, 0xfd]). */
export function bytes(list: unknown): Uint8Array {
  if (!Array.isArray(list)) fail('bytes', `expected an array of integers 0..255, got ${describe(list)}.`);
  const items: readonly unknown[] = list;
  const out = new Uint8Array(items.length);
  // An index loop, not forEach: a hole in a sparse array is an item that is not a byte.
  for (let i = 0; i < items.length; i++) {
    const value = items[i];
    if (typeof value !== 'number' || value !== Math.floor(value) || value < 0 || value > 255) {
      fail('bytes', `item ${i} is ${describe(value)}, not an integer 0..255.`);
    }
    out[i] = value;
  }
  return out;
}

/** concat(...parts) -> Uint8Array: the parts (Uint8Arrays or UTF-8 strings) one after another. */
export function concat(...values: unknown[]): Uint8Array {
  const parts = values.map((value, i) => bytesOf('concat', `argument ${i}`, value));
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---- hex and base64 (RFC 4648 §4, §5) -------------------------------------------------------------

function hexByte(value: number): string {
  return (value < 16 ? '0' : '') + value.toString(16);
}

/** hex(bytes|string) -> string: lower-case hex. */
export function hex(value: unknown): string {
  const data = bytesOf('hex', 'the input', value);
  let out = '';
  for (const byte of data) out += hexByte(byte);
  return out;
}

/** fromHex(str) -> Uint8Array: an even number of hex digits, either case. */
export function fromHex(text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
    fail('fromHex', `expected an even number of hex digits, got ${describe(text)}.`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encode64(data: Uint8Array, alphabet: string, pad: boolean): string {
  const chunks: string[] = [];
  const at = (i: number): number => data[i] ?? 0;
  const digit = (n: number): string => alphabet.charAt(n);
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    chunks.push(digit(n >>> 18) + digit((n >>> 12) & 63) + digit((n >>> 6) & 63) + digit(n & 63));
  }
  if (data.length - i === 1) {
    const n = at(i) << 16;
    chunks.push(digit(n >>> 18) + digit((n >>> 12) & 63) + (pad ? '==' : ''));
  } else if (data.length - i === 2) {
    const n = (at(i) << 16) | (at(i + 1) << 8);
    chunks.push(digit(n >>> 18) + digit((n >>> 12) & 63) + digit((n >>> 6) & 63) + (pad ? '=' : ''));
  }
  return chunks.join('');
}

// Strict decoding: only the alphabet's characters, no whitespace, and zero trailing bits (RFC 4648
// §3.5), so every byte string has exactly one accepted text and a re-encoding is the same text.
function decode64(fn: string, text: string, alphabet: string, name: string): Uint8Array {
  const rest = text.length % 4;
  if (rest === 1)
    fail(fn, `${describe(text)} has 4k+1 characters (padding aside), which no byte string encodes to.`);
  const out = new Uint8Array(Math.floor(text.length / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let bits = 0;
  let buffer = 0;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const value = alphabet.indexOf(text.charAt(i));
    if (value === -1) {
      fail(
        fn,
        `character ${i} (${JSON.stringify(text.charAt(i))}) of ${describe(text)} is not in the ${name} alphabet.`,
      );
    }
    buffer = ((buffer << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    fail(
      fn,
      `the last character of ${describe(text)} has non-zero unused bits, so it is not canonical ${name}.`,
    );
  }
  return out;
}

/** base64url(bytes|string) -> string: base64url without padding (RFC 7515 §2), as JWS parts use it. */
export function base64url(value: unknown): string {
  return encode64(bytesOf('base64url', 'the input', value), URL_SAFE, false);
}

/** fromBase64url(str) -> Uint8Array: strict: base64url alphabet only, no padding, canonical. */
export function fromBase64url(text: unknown): Uint8Array {
  if (typeof text !== 'string') fail('fromBase64url', `expected a string, got ${describe(text)}.`);
  return decode64('fromBase64url', text, URL_SAFE, 'base64url');
}

/**
 * base64(bytes|string, {pad}) -> string: the standard alphabet (+/), padded with = unless
 * {pad: false}; x5c certificates and PEM bodies use the padded form.
 */
export function base64(value: unknown, options?: unknown): string {
  const data = bytesOf('base64', 'the input', value);
  let pad = true;
  if (options !== undefined) {
    if (!isObjectLike(options) || Object.keys(options).some((key) => key !== 'pad')) {
      fail('base64', `options must be {pad: boolean} or left out, got ${describe(options)}.`);
    }
    if (options.pad !== undefined && typeof options.pad !== 'boolean') {
      fail('base64', `options.pad must be a boolean, got ${describe(options.pad)}.`);
    }
    if (options.pad === false) pad = false;
  }
  return encode64(data, STANDARD, pad);
}

/** fromBase64(str) -> Uint8Array: the standard alphabet, padding either complete or absent, canonical. */
export function fromBase64(text: unknown): Uint8Array {
  if (typeof text !== 'string') fail('fromBase64', `expected a string, got ${describe(text)}.`);
  // Padding counts only as the last one or two characters of a length that is a multiple of 4; any
  // other "=" is then outside the alphabet and refused.
  let body = text;
  if (text.length % 4 === 0 && text.endsWith('==')) body = text.slice(0, -2);
  else if (text.length % 4 === 0 && text.endsWith('=')) body = text.slice(0, -1);
  return decode64('fromBase64', body, STANDARD, 'base64');
}

// ---- hashes and HMAC via CryptoJS (FIPS 180-4, RFC 2104) ------------------------------------------

/** digest('SHA-256'|'SHA-384'|'SHA-512', bytes|string) -> Uint8Array. */
export function digest(alg: unknown, value: unknown): Uint8Array {
  const name = oneOf('digest', 'alg', alg, HASH_NAMES);
  return hashBytes(name, bytesOf('digest', 'the input', value));
}

const HMAC_ALGS = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' } as const;
type HmacAlg = keyof typeof HMAC_ALGS;
const HMAC_NAMES = Object.keys(HMAC_ALGS) as HmacAlg[];

/**
 * hmac('HS256'|'HS384'|'HS512', key: string|Uint8Array, input: string|Uint8Array) -> base64url: the
 * JWS signature (RFC 7518 §3.2). A string key is its UTF-8 bytes; an empty key is allowed (an attack).
 */
export function hmac(alg: unknown, key: unknown, input: unknown): string {
  const name = oneOf('hmac', 'alg', alg, HMAC_NAMES);
  const keyBytes = bytesOf('hmac', 'the key', key);
  const data = bytesOf('hmac', 'the signing input', input);
  return base64url(hmacBytes(HMAC_ALGS[name], keyBytes, data));
}

// ---- RSA signatures (RFC 8017 §8.1, §8.2, §9.1, §9.2) ---------------------------------------------

const RSA_ALGS = {
  RS256: { hash: 'SHA-256', pss: false },
  RS384: { hash: 'SHA-384', pss: false },
  RS512: { hash: 'SHA-512', pss: false },
  PS256: { hash: 'SHA-256', pss: true },
  PS384: { hash: 'SHA-384', pss: true },
  PS512: { hash: 'SHA-512', pss: true },
} as const;
type RsaAlg = keyof typeof RSA_ALGS;
const RSA_NAMES = Object.keys(RSA_ALGS) as RsaAlg[];

// DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier {OID, NULL}, OCTET STRING <hash> } up to the
// hash itself: RFC 8017 §9.2 note 1 (the OIDs are id-sha256/384/512, 2.16.840.1.101.3.4.2.1/2/3).
const DIGEST_INFO_PREFIX: Readonly<Record<HashName, string>> = {
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};

function toBig(data: Uint8Array): bigint {
  return data.length === 0 ? BigInt(0) : BigInt(`0x${hex(data)}`);
}

// I2OSP (RFC 8017 §4.1).
function fromBig(value: bigint, length: number): Uint8Array {
  const digits = value.toString(16);
  if (digits.length > length * 2)
    throw new RangeError('sandboxCrypto: integer too large for its octet length.');
  return fromHex('0'.repeat(length * 2 - digits.length) + digits);
}

interface RsaPrivateKey {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  /** The CRT members, when the JWK has them all. */
  readonly crt?: {
    readonly p: bigint;
    readonly q: bigint;
    readonly dp: bigint;
    readonly dq: bigint;
    readonly qi: bigint;
  };
  readonly bits: number;
  /** The modulus length in bytes. */
  readonly length: number;
}

function jwkInteger(fn: string, jwk: Readonly<Record<string, unknown>>, member: string): bigint {
  return toBig(jwkBytes(fn, jwk, member));
}

const CRT_MEMBERS = ['p', 'q', 'dp', 'dq', 'qi'] as const;

function rsaPrivateKey(fn: string, jwk: unknown): RsaPrivateKey {
  if (!isObject(jwk)) {
    fail(fn, `the key must be an RSA private JWK object, got ${describe(jwk)}.`);
  }
  if (jwk.kty !== 'RSA') fail(fn, `the key must be an RSA JWK (kty "RSA"), got kty ${describe(jwk.kty)}.`);
  if (jwk.d === undefined) fail(fn, 'the JWK has no "d": pass the private JWK, not the public one.');
  const n = jwkInteger(fn, jwk, 'n');
  const e = jwkInteger(fn, jwk, 'e');
  const d = jwkInteger(fn, jwk, 'd');
  const present = CRT_MEMBERS.filter((member) => jwk[member] !== undefined);
  let crt: RsaPrivateKey['crt'];
  if (present.length === CRT_MEMBERS.length) {
    crt = {
      p: jwkInteger(fn, jwk, 'p'),
      q: jwkInteger(fn, jwk, 'q'),
      dp: jwkInteger(fn, jwk, 'dp'),
      dq: jwkInteger(fn, jwk, 'dq'),
      qi: jwkInteger(fn, jwk, 'qi'),
    };
    if (crt.p * crt.q !== n) fail(fn, 'the JWK\'s "p" times "q" is not its "n"; the key is corrupt.');
  } else if (present.length > 0) {
    fail(fn, `the JWK has ${present.join(', ')} but not all of p, q, dp, dq, qi; give all five or none.`);
  }
  if (n < BigInt(256)) fail(fn, 'the JWK\'s "n" is far too small to be an RSA modulus.');
  const bits = n.toString(2).length;
  return { n, e, d, ...(crt === undefined ? {} : { crt }), bits, length: Math.ceil(bits / 8) };
}

// RSASP1 (RFC 8017 §5.2.1), the CRT form when the JWK has its CRT members (measured for 2048 bits in
// postman-sandbox 4.7.1: about 5 ms a signature with CRT, 12 ms without). The result is checked with
// the public exponent (cheap for e = 65537): a key whose members do not belong together would
// otherwise give a signature that fails to verify for a reason no clause is about.
function rsaPrivate(fn: string, key: RsaPrivateKey, m: bigint): bigint {
  let s: bigint;
  const crt = key.crt;
  if (crt !== undefined) {
    const m1 = modPow(m % crt.p, crt.dp, crt.p);
    const m2 = modPow(m % crt.q, crt.dq, crt.q);
    const h = (crt.qi * ((((m1 - m2) % crt.p) + crt.p) % crt.p)) % crt.p;
    s = m2 + h * crt.q;
  } else {
    s = modPow(m, key.d, key.n);
  }
  if (modPow(s, key.e, key.n) !== m) {
    fail(
      fn,
      'the signature does not verify with the JWK\'s own "n" and "e"; its private members do not match them.',
    );
  }
  return s;
}

// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF..FF 00 DigestInfo.
function emsaPkcs1(fn: string, hashName: HashName, message: Uint8Array, emLength: number): Uint8Array {
  const t = concat(fromHex(DIGEST_INFO_PREFIX[hashName]), hashBytes(hashName, message));
  if (emLength < t.length + 11) fail(fn, `the modulus is too short for ${hashName} PKCS#1 v1.5 signatures.`);
  const em = new Uint8Array(emLength).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLength - t.length - 1] = 0x00;
  em.set(t, emLength - t.length);
  return em;
}

// MGF1 (RFC 8017 §B.2.1).
function mgf1(hashName: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const hLength = hashLength(hashName);
  for (let counter = 0, offset = 0; offset < length; counter++, offset += hLength) {
    const c = new Uint8Array([
      counter >>> 24,
      (counter >>> 16) & 0xff,
      (counter >>> 8) & 0xff,
      counter & 0xff,
    ]);
    const block = hashBytes(hashName, concat(seed, c));
    out.set(block.subarray(0, Math.min(hLength, length - offset)), offset);
  }
  return out;
}

// EMSA-PSS encoding (RFC 8017 §9.1.1) with MGF1 over the same hash and a salt as long as the hash
// (RFC 7518 §3.5).
function emsaPss(
  fn: string,
  hashName: HashName,
  message: Uint8Array,
  emBits: number,
  salt: Uint8Array,
): Uint8Array {
  const hLength = hashLength(hashName);
  const emLength = Math.ceil(emBits / 8);
  if (emLength < 2 * hLength + 2) fail(fn, `the modulus is too short for ${hashName} PSS signatures.`);
  const mHash = hashBytes(hashName, message);
  const h = hashBytes(hashName, concat(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLength - hLength - 1);
  db[db.length - hLength - 1] = 0x01;
  db.set(salt, db.length - hLength);
  const mask = mgf1(hashName, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >>> (8 * emLength - emBits));
  return concat(db, h, new Uint8Array([0xbc]));
}

/**
 * rsaSign('RS256'|'RS384'|'RS512'|'PS256'|'PS384'|'PS512', privateJwk, signingInput: string|Uint8Array,
 * options?: {salt: Uint8Array}) -> base64url: the JWS signature (RFC 7518 §3.3, §3.5). privateJwk needs
 * kty "RSA", n, e, d, and either all of p, q, dp, dq, qi (CRT, faster) or none of them.
 *
 * PS* salt: the sandbox has no secure random source (Newman's CryptoJS 3.3.0 makes its "random"
 * words from Math.random; CryptoJS 4 throws where no native crypto exists), and a verifier cannot
 * tell one salt from another (it recovers the salt from the signature, RFC 8017 §9.1.2), so the
 * default salt is derived: the hash of "sandboxCrypto PSS salt" and the message hash. Same input,
 * same signature; pass options.salt (exactly the hash length) to choose another.
 */
export function rsaSign(alg: unknown, privateJwk: unknown, signingInput: unknown, options?: unknown): string {
  const name = oneOf('rsaSign', 'alg', alg, RSA_NAMES);
  const spec = RSA_ALGS[name];
  if (typeof BigInt !== 'function') {
    fail(
      'rsaSign',
      'this sandbox has no BigInt, which RSA needs here; use a Postman app or Newman with BigInt.',
    );
  }
  const message = bytesOf('rsaSign', 'the signing input', signingInput);
  const key = rsaPrivateKey('rsaSign', privateJwk);
  let salt: Uint8Array | undefined;
  if (options !== undefined) {
    if (!isObjectLike(options) || Object.keys(options).some((k) => k !== 'salt')) {
      fail('rsaSign', `options must be {salt: Uint8Array} or left out, got ${describe(options)}.`);
    }
    if (options.salt !== undefined) {
      if (!spec.pss) fail('rsaSign', `options.salt applies to PS* algorithms only, not ${name}.`);
      if (!isBytes(options.salt) || options.salt.length !== hashLength(spec.hash)) {
        fail(
          'rsaSign',
          `options.salt must be a Uint8Array of ${hashLength(spec.hash)} bytes (the hash length), got ${describe(options.salt)}.`,
        );
      }
      salt = options.salt;
    }
  }
  let em: Uint8Array;
  if (spec.pss) {
    salt ??= hashBytes(spec.hash, concat('sandboxCrypto PSS salt', hashBytes(spec.hash, message)));
    em = emsaPss('rsaSign', spec.hash, message, key.bits - 1, salt);
  } else {
    em = emsaPkcs1('rsaSign', spec.hash, message, key.length);
  }
  return base64url(fromBig(rsaPrivate('rsaSign', key, toBig(em)), key.length));
}

/**
 * sign(alg, key, signingInput) -> base64url: HS256/384/512 -> hmac(alg, key, input), RS256/384/512 and
 * PS256/384/512 -> rsaSign(alg, key, input). For builders that take the algorithm from data. "none" is
 * not an algorithm here: its signature is whatever the row says (usually '').
 */
export function sign(alg: unknown, key: unknown, signingInput: unknown): string {
  if (HMAC_NAMES.some((name) => name === alg)) return hmac(alg, key, signingInput);
  if (RSA_NAMES.some((name) => name === alg)) return rsaSign(alg, key, signingInput);
  return fail(
    'sign',
    `alg must be one of ${[...HMAC_NAMES, ...RSA_NAMES].join(', ')}, got ${describe(alg)}.`,
  );
}

// ---- RSA public key encodings (RFC 8017 §A.1.1, RFC 5280 §4.1, RFC 3279 §2.3.1, RFC 7468) -------

// A JWK's integer members (RFC 7518 §6.3) as bytes; the strict decoder refuses padding and +/.
function jwkBytes(fn: string, jwk: Readonly<Record<string, unknown>>, member: string): Uint8Array {
  const value = jwk[member];
  if (typeof value !== 'string' || value === '') {
    fail(fn, `the JWK's "${member}" must be a non-empty base64url string, got ${describe(value)}.`);
  }
  try {
    return fromBase64url(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(fn, `the JWK's "${member}" is not base64url: ${reason.replace(/^sandboxCrypto\.\w+: /, '')}`);
  }
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return new Uint8Array([0x80 | octets.length, ...octets]);
}

function der(tag: number, content: Uint8Array): Uint8Array {
  return concat(new Uint8Array([tag]), derLength(content.length), content);
}

// DER INTEGER of a non-negative integer: minimal octets, plus a leading 00 when the high bit is set
// (otherwise it would read as negative). Leading zero octets of a JWK member are dropped, as node does.
function derUnsigned(data: Uint8Array): Uint8Array {
  let start = 0;
  while (start < data.length - 1 && data[start] === 0) start++;
  const minimal = data.subarray(start);
  return der(0x02, (minimal[0] ?? 0) & 0x80 ? concat(new Uint8Array([0]), minimal) : minimal);
}

const RSA_ENCRYPTION_ALGORITHM = '300d06092a864886f70d0101010500'; // SEQUENCE { 1.2.840.113549.1.1.1, NULL }
const PUBLIC_KEY_FORMS = ['spki', 'pkcs1'] as const;

/**
 * publicKeyDer(jwk {kty:'RSA', n, e}, 'spki'|'pkcs1') -> Uint8Array: the DER of SubjectPublicKeyInfo
 * (RFC 5280 §4.1.2.7, rsaEncryption with NULL parameters, RFC 3279 §2.3.1) or of PKCS#1 RSAPublicKey
 * (RFC 8017 §A.1.1). Other JWK members (kid, alg, use, private ones) are ignored.
 */
export function publicKeyDer(jwk: unknown, form: unknown): Uint8Array {
  return publicDer('publicKeyDer', jwk, oneOf('publicKeyDer', 'form', form, PUBLIC_KEY_FORMS));
}

function publicDer(fn: string, jwk: unknown, form: (typeof PUBLIC_KEY_FORMS)[number]): Uint8Array {
  if (!isObject(jwk)) {
    fail(fn, `the key must be an RSA JWK object, got ${describe(jwk)}.`);
  }
  if (jwk.kty !== 'RSA') fail(fn, `the key must be an RSA JWK (kty "RSA"), got kty ${describe(jwk.kty)}.`);
  const n = jwkBytes(fn, jwk, 'n');
  const e = jwkBytes(fn, jwk, 'e');
  const rsaPublicKey = der(0x30, concat(derUnsigned(n), derUnsigned(e)));
  if (form === 'pkcs1') return rsaPublicKey;
  return der(
    0x30,
    concat(fromHex(RSA_ENCRYPTION_ALGORITHM), der(0x03, concat(new Uint8Array([0]), rsaPublicKey))),
  );
}

/** pem(label, bytes) -> string: RFC 7468 text, 64-character lines, ending with a newline. */
export function pem(label: unknown, value: unknown): string {
  if (typeof label !== 'string' || !/^[A-Z0-9]+(?: [A-Z0-9]+)*$/.test(label)) {
    fail('pem', `label must be upper-case words like "PUBLIC KEY", got ${describe(label)}.`);
  }
  const body = base64(bytesOf('pem', 'the content', value));
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}

/**
 * publicKeyPem(jwk {kty:'RSA', n, e}, 'spki'|'pkcs1', trailingNewline: boolean) -> string: with
 * trailingNewline true, byte for byte node's createPublicKey({key: jwk, format: 'jwk'})
 * .export({type: form, format: 'pem'}) ("BEGIN PUBLIC KEY" / "BEGIN RSA PUBLIC KEY"); false drops the
 * final newline, the other text a careless verifier may use as an HMAC secret.
 */
export function publicKeyPem(jwk: unknown, form: unknown, trailingNewline: unknown): string {
  const chosen = oneOf('publicKeyPem', 'form', form, PUBLIC_KEY_FORMS);
  if (typeof trailingNewline !== 'boolean') {
    fail('publicKeyPem', `trailingNewline must be true or false, got ${describe(trailingNewline)}.`);
  }
  const text = pem(
    chosen === 'spki' ? 'PUBLIC KEY' : 'RSA PUBLIC KEY',
    publicDer('publicKeyPem', jwk, chosen),
  );
  return trailingNewline ? text : text.slice(0, -1);
}
