/**
 * The server side of USER_SRP_AUTH for the local Cognito, which cognito-local 5.3.0 lacks: the
 * PASSWORD_VERIFIER challenge (SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP) and the check of the
 * client's PASSWORD_CLAIM_SIGNATURE. cognito-local keeps plaintext passwords, so the verifier is
 * derived per challenge from the stored password and a fresh salt (real Cognito stores salt and
 * verifier when the password is set; a client cannot tell the difference).
 *
 * The challenge state lives here, keyed by the SECRET_BLOCK it hands out (real Cognito encrypts the
 * state into that block; ours is an opaque random handle), for SESSION_SECONDS.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  authenticationKey,
  COGNITO_GROUP,
  claimSignature,
  fromHex,
  multiplier,
  padHex,
  parseSrpTimestamp,
  poolNameOf,
  privateKeyX,
  randomExponent,
  scrambler,
  serverPublic,
  serverSecret,
  verifier,
} from '../../common/cognito-srp.ts';

/** Real Cognito's sessions last 3 minutes by default; a TIMESTAMP may be this far from the server's clock. */
const SESSION_SECONDS = 180;
const CLOCK_SKEW_SECONDS = 300;
/** Bounds memory when a client starts sign-ins and never finishes them. */
const MAX_PENDING = 1_000;

export interface SrpUser {
  readonly userPoolId: string;
  readonly clientId: string;
  /** USER_ID_FOR_SRP: the name the pool knows the user by. */
  readonly userId: string;
  readonly password: string;
}

interface Pending {
  readonly user: SrpUser;
  readonly A: bigint;
  readonly B: bigint;
  readonly b: bigint;
  readonly v: bigint;
  readonly expiresAt: number;
}

/** Why a PASSWORD_VERIFIER answer was refused, for the caller to turn into Cognito's error. */
export type VerifierRefusal = 'unknown-session' | 'wrong-user' | 'bad-timestamp' | 'wrong-password';

export class SrpServer {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The PASSWORD_VERIFIER challenge parameters for a client's SRP_A, or undefined when A is unusable. */
  challenge(user: SrpUser, srpA: string): Record<string, string> | undefined {
    let A: bigint;
    try {
      A = fromHex(srpA);
    } catch {
      return undefined;
    }
    // SRP-6a: the server must abort when A mod N is 0 (any key would then be predictable).
    if (A % COGNITO_GROUP.N === 0n) return undefined;
    const salt = fromHex(randomBytes(16).toString('hex'));
    const v = verifier(privateKeyX(poolNameOf(user.userPoolId), user.userId, user.password, salt));
    const b = randomExponent();
    const B = serverPublic(b, v, multiplier());
    const secretBlock = randomBytes(64).toString('base64');
    this.sweep();
    this.pending.set(secretBlock, { user, A, B, b, v, expiresAt: this.now() + SESSION_SECONDS * 1000 });
    return {
      SALT: padHex(salt),
      SECRET_BLOCK: secretBlock,
      SRP_B: B.toString(16),
      USERNAME: user.userId,
      USER_ID_FOR_SRP: user.userId,
    };
  }

  /** Checks a PASSWORD_VERIFIER answer; each SECRET_BLOCK can be answered once, right or wrong. */
  verify(
    clientId: string,
    responses: Readonly<Record<string, unknown>>,
  ): { readonly user: SrpUser } | { readonly refused: VerifierRefusal } {
    const text = (name: string): string => {
      const value = responses[name];
      return typeof value === 'string' ? value : '';
    };
    const secretBlock = text('PASSWORD_CLAIM_SECRET_BLOCK');
    const state = this.pending.get(secretBlock);
    this.pending.delete(secretBlock);
    if (state === undefined || state.expiresAt < this.now() || state.user.clientId !== clientId) {
      return { refused: 'unknown-session' };
    }
    if (text('USERNAME') !== state.user.userId) return { refused: 'wrong-user' };
    const timestamp = text('TIMESTAMP');
    const when = parseSrpTimestamp(timestamp);
    if (when === undefined || Math.abs(when.getTime() - this.now()) > CLOCK_SKEW_SECONDS * 1000) {
      return { refused: 'bad-timestamp' };
    }
    const u = scrambler(state.A, state.B);
    const S = serverSecret({ A: state.A, v: state.v, u, b: state.b });
    const expected = Buffer.from(
      claimSignature(authenticationKey(S, u), {
        poolName: poolNameOf(state.user.userPoolId),
        userId: state.user.userId,
        secretBlock,
        timestamp,
      }),
      'base64',
    );
    const given = Buffer.from(text('PASSWORD_CLAIM_SIGNATURE'), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { refused: 'wrong-password' };
    }
    return { user: state.user };
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, state] of this.pending) {
      if (state.expiresAt < now || this.pending.size >= MAX_PENDING) this.pending.delete(key);
    }
  }
}
