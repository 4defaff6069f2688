/**
 * The arithmetic of Cognito's SRP-6a variant (USER_SRP_AUTH), shared by the token helper (client side)
 * and the local stack's Cognito (server side), on node:crypto and BigInt alone.
 *
 * Cognito differs from RFC 5054 in its encodings, so every detail below was checked against AWS's own
 * client, amazon-cognito-identity-js `AuthenticationHelper` (docs/reference.md §11), and is tested
 * against it (tests/unit/common/cognito-srp.test.ts), because sharing one module between our client and
 * our server would hide a bug both make alike:
 * - the group is RFC 5054's 3072-bit one (also RFC 3526 group 15) with g = 2;
 * - numbers are hashed as `padHex`: the shortest even-length big-endian hex of the number with a
 *   leading 00 byte when the top bit is set (Java's BigInteger.toByteArray), NOT padded to N's length;
 * - k = H(padHex(N) | padHex(g)), u = H(padHex(A) | padHex(B)),
 *   x = H(padHex(salt) | H(poolName | userId | ":" | password)) with the pool name the part of the
 *   pool id after "_";
 * - the key is HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key"), 16 bytes;
 * - PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP));
 * - TIMESTAMP is "ddd MMM D HH:mm:ss UTC YYYY" in UTC with the day NOT zero-padded.
 * The group arithmetic itself (A, B, S) is plain SRP-6a and is tested against RFC 5054's Appendix B.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface SrpGroup {
  readonly N: bigint;
  readonly g: bigint;
}

/** RFC 5054 Appendix A, the 3072-bit group. */
export const COGNITO_GROUP: SrpGroup = {
  N: BigInt(
    `0x${[
      'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD',
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F',
      '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B',
      'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510',
      '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7',
      'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C',
      'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
    ].join('')}`,
  ),
  g: 2n,
};

const INFO = 'Caldera Derived Key';

/** base^exponent mod modulus, square-and-multiply: a 1,300-bit exponent mod the 3072-bit N takes ~21 ms here. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Cognito's encoding of a non-negative number for hashing (see the file comment). */
export function padHex(value: bigint): string {
  if (value < 0n) throw new RangeError('padHex encodes non-negative numbers only');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

export function fromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError('not a hex number');
  return BigInt(`0x${hex}`);
}

/** SHA-256 of the bytes a hex string encodes, as 64 hex digits. */
function hexHash(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function multiplier(group: SrpGroup = COGNITO_GROUP): bigint {
  return fromHex(hexHash(`${padHex(group.N)}${padHex(group.g)}`));
}

export function scrambler(A: bigint, B: bigint): bigint {
  return fromHex(hexHash(`${padHex(A)}${padHex(B)}`));
}

/** The pool name SRP hashes: the part of the pool id after "_" (us-east-1_AbC -> AbC, local_x -> x). */
export function poolNameOf(userPoolId: string): string {
  const name = userPoolId.slice(userPoolId.indexOf('_') + 1);
  if (name === '' || !userPoolId.includes('_')) throw new RangeError(`"${userPoolId}" is not a pool id`);
  return name;
}

export function privateKeyX(poolName: string, userId: string, password: string, salt: bigint): bigint {
  return fromHex(hexHash(`${padHex(salt)}${textHash(`${poolName}${userId}:${password}`)}`));
}

/** A random secret exponent of 128 bytes, as AWS's client draws it. */
export function randomExponent(): bigint {
  return fromHex(randomBytes(128).toString('hex'));
}

// The group arithmetic, RFC 5054 §2.6 (tested against its Appendix B).

/** A = g^a mod N */
export function clientPublic(a: bigint, group: SrpGroup = COGNITO_GROUP): bigint {
  return modPow(group.g, a, group.N);
}

/** B = (k*v + g^b) mod N */
export function serverPublic(b: bigint, v: bigint, k: bigint, group: SrpGroup = COGNITO_GROUP): bigint {
  return (k * v + modPow(group.g, b, group.N)) % group.N;
}

/** v = g^x mod N */
export function verifier(x: bigint, group: SrpGroup = COGNITO_GROUP): bigint {
  return modPow(group.g, x, group.N);
}

/** S = (B - k*g^x)^(a + u*x) mod N */
export function clientSecret(
  input: {
    readonly B: bigint;
    readonly k: bigint;
    readonly x: bigint;
    readonly a: bigint;
    readonly u: bigint;
  },
  group: SrpGroup = COGNITO_GROUP,
): bigint {
  const base = input.B - input.k * modPow(group.g, input.x, group.N);
  return modPow(base, input.a + input.u * input.x, group.N);
}

/** S = (A * v^u)^b mod N */
export function serverSecret(
  input: { readonly A: bigint; readonly v: bigint; readonly u: bigint; readonly b: bigint },
  group: SrpGroup = COGNITO_GROUP,
): bigint {
  return modPow((input.A * modPow(input.v, input.u, group.N)) % group.N, input.b, group.N);
}

/** The 16-byte key both sides derive from S and u. */
export function authenticationKey(S: bigint, u: bigint): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'), INFO, 16),
  );
}

export function claimSignature(
  key: Buffer,
  input: {
    readonly poolName: string;
    readonly userId: string;
    readonly secretBlock: string;
    readonly timestamp: string;
  },
): string {
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(input.poolName, 'utf8'),
        Buffer.from(input.userId, 'utf8'),
        Buffer.from(input.secretBlock, 'base64'),
        Buffer.from(input.timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** "Tue Dec 1 19:05:12 UTC 2026": UTC, the day of the month without a leading zero. */
export function srpTimestamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

const TIMESTAMP =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) UTC (\d{4})$/;

/** The instant a TIMESTAMP names, or undefined when it is not in Cognito's format (a padded day included). */
export function parseSrpTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, , month, day, hours, minutes, seconds, year] = match;
  const date = new Date(
    Date.UTC(
      Number(year),
      MONTHS.indexOf(month as (typeof MONTHS)[number]),
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
    ),
  );
  // Rejects "Feb 31" (Date.UTC would roll it over) and a weekday that does not match the date.
  return srpTimestamp(date) === text ? date : undefined;
}
