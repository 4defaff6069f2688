/**
 * The arithmetic of Cognito's SRP-6a variant (USER_SRP_AUTH), written once for every side of the
 * sign-in: the token helper (client) and the local stack's Cognito (server) call it through
 * common/cognito-srp.ts with node:crypto, the Postman collection's own sign-in
 * (collections/sandbox/sign-in.ts) with the sandbox's CryptoJS. The hash, HMAC and HKDF are the
 * caller's primitives; everything else is BigInt and strings, so this file is sandbox-safe.
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
import { modPow } from './mod-pow.ts';

export { modPow };

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

/** The pool name SRP hashes: the part of the pool id after "_" (us-east-1_AbC -> AbC, local_x -> x). */
export function poolNameOf(userPoolId: string): string {
  const name = userPoolId.slice(userPoolId.indexOf('_') + 1);
  if (name === '' || !userPoolId.includes('_')) throw new RangeError(`"${userPoolId}" is not a pool id`);
  return name;
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

/**
 * The byte primitives a side brings: node:crypto and Buffer in Node, CryptoJS and the sandbox's own
 * encoders in Postman. Bytes are Uint8Arrays (a Buffer is one).
 */
export interface SrpPrimitives {
  readonly sha256: (data: Uint8Array) => Uint8Array;
  readonly hmacSha256: (key: Uint8Array, data: Uint8Array) => Uint8Array;
  /** HKDF-SHA256 (RFC 5869) output of `length` bytes. */
  readonly hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) => Uint8Array;
  readonly bytesFromHex: (hex: string) => Uint8Array;
  readonly hexOf: (data: Uint8Array) => string;
  readonly utf8: (text: string) => Uint8Array;
  readonly bytesFromBase64: (text: string) => Uint8Array;
  readonly base64Of: (data: Uint8Array) => string;
  readonly concat: (...parts: Uint8Array[]) => Uint8Array;
}

/** The PASSWORD_VERIFIER ChallengeResponses a client sends (SECRET_HASH aside: it is the caller's). */
export interface PasswordVerifierAnswer {
  readonly USERNAME: string;
  readonly PASSWORD_CLAIM_SECRET_BLOCK: string;
  readonly TIMESTAMP: string;
  readonly PASSWORD_CLAIM_SIGNATURE: string;
}

/** The answer, or why the challenge cannot be answered (a clause: "its SRP_B is one SRP-6a refuses"). */
export type ChallengeAnswer =
  | { readonly answer: PasswordVerifierAnswer; readonly refused?: undefined }
  | { readonly refused: string; readonly answer?: undefined };

/** The steps that hash, bound to one side's primitives. */
export interface CognitoSrp {
  multiplier(group?: SrpGroup): bigint;
  scrambler(A: bigint, B: bigint): bigint;
  privateKeyX(poolName: string, userId: string, password: string, salt: bigint): bigint;
  /** The 16-byte key both sides derive from S and u. */
  authenticationKey(S: bigint, u: bigint): Uint8Array;
  claimSignature(
    key: Uint8Array,
    input: {
      readonly poolName: string;
      readonly userId: string;
      readonly secretBlock: string;
      readonly timestamp: string;
    },
  ): string;
  /**
   * The client's answer to PASSWORD_VERIFIER from its secret `a` (A = g^a), the challenge parameters
   * as Cognito sent them (unchecked JSON), the password and the time to sign.
   */
  answerChallenge(input: {
    readonly a: bigint;
    readonly A: bigint;
    readonly poolName: string;
    readonly parameters: unknown;
    readonly password: string;
    readonly now: Date;
  }): ChallengeAnswer;
}

const CHALLENGE_PARAMETERS = ['SRP_B', 'SALT', 'SECRET_BLOCK', 'USER_ID_FOR_SRP'] as const;

export function cognitoSrp(primitives: SrpPrimitives): CognitoSrp {
  const { sha256, hmacSha256, hkdfSha256, bytesFromHex, hexOf, utf8, bytesFromBase64, base64Of, concat } =
    primitives;
  /** SHA-256 of the bytes a hex string encodes, as 64 hex digits. */
  const hexHash = (hex: string): string => hexOf(sha256(bytesFromHex(hex)));
  const textHash = (text: string): string => hexOf(sha256(utf8(text)));

  const srp: CognitoSrp = {
    multiplier: (group = COGNITO_GROUP) => fromHex(hexHash(`${padHex(group.N)}${padHex(group.g)}`)),
    scrambler: (A, B) => fromHex(hexHash(`${padHex(A)}${padHex(B)}`)),
    privateKeyX: (poolName, userId, password, salt) =>
      fromHex(hexHash(`${padHex(salt)}${textHash(`${poolName}${userId}:${password}`)}`)),
    authenticationKey: (S, u) => hkdfSha256(bytesFromHex(padHex(S)), bytesFromHex(padHex(u)), utf8(INFO), 16),
    claimSignature: (key, input) =>
      base64Of(
        hmacSha256(
          key,
          concat(
            utf8(input.poolName),
            utf8(input.userId),
            bytesFromBase64(input.secretBlock),
            utf8(input.timestamp),
          ),
        ),
      ),
    answerChallenge({ a, A, poolName, parameters, password, now }) {
      const given: Readonly<Record<string, unknown>> =
        typeof parameters === 'object' && parameters !== null ? { ...parameters } : {};
      const values: Record<(typeof CHALLENGE_PARAMETERS)[number], string> = {
        SRP_B: '',
        SALT: '',
        SECRET_BLOCK: '',
        USER_ID_FOR_SRP: '',
      };
      for (const name of CHALLENGE_PARAMETERS) {
        const value = given[name];
        if (typeof value !== 'string' || value === '') {
          return { refused: `its PASSWORD_VERIFIER challenge has no ${name}` };
        }
        values[name] = value;
      }
      if (!/^[0-9a-fA-F]+$/.test(values.SRP_B) || !/^[0-9a-fA-F]+$/.test(values.SALT)) {
        return { refused: 'SRP_B or SALT is not hex' };
      }
      const B = fromHex(values.SRP_B);
      // SRP-6a's safety checks: a B of 0 mod N (or u = 0) would make the key predictable.
      const u = srp.scrambler(A, B);
      if (B % COGNITO_GROUP.N === 0n || u === 0n) return { refused: 'its SRP_B is one SRP-6a refuses' };
      const userId = values.USER_ID_FOR_SRP;
      const x = srp.privateKeyX(poolName, userId, password, fromHex(values.SALT));
      const S = clientSecret({ B, k: srp.multiplier(), x, a, u });
      const timestamp = srpTimestamp(now);
      return {
        answer: {
          USERNAME: userId,
          PASSWORD_CLAIM_SECRET_BLOCK: values.SECRET_BLOCK,
          TIMESTAMP: timestamp,
          PASSWORD_CLAIM_SIGNATURE: srp.claimSignature(srp.authenticationKey(S, u), {
            poolName,
            userId,
            secretBlock: values.SECRET_BLOCK,
            timestamp,
          }),
        },
      };
    },
  };
  return srp;
}
