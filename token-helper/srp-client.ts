/**
 * The client side of USER_SRP_AUTH: SRP_A for the first call, then the PASSWORD_VERIFIER answer from
 * Cognito's challenge parameters. The password never leaves this process; only a proof of it does.
 * The arithmetic is common/cognito-srp.ts, checked against AWS's own client in the tests.
 */
import {
  authenticationKey,
  COGNITO_GROUP,
  claimSignature,
  clientPublic,
  clientSecret,
  fromHex,
  multiplier,
  poolNameOf,
  privateKeyX,
  randomExponent,
  scrambler,
  srpTimestamp,
} from '../common/cognito-srp.ts';
import { SignInError } from './diagnosis.ts';

export interface PasswordVerifierAnswer {
  readonly USERNAME: string;
  readonly PASSWORD_CLAIM_SECRET_BLOCK: string;
  readonly TIMESTAMP: string;
  readonly PASSWORD_CLAIM_SIGNATURE: string;
}

export interface SrpClient {
  /** For InitiateAuth's AuthParameters.SRP_A: A in hex. */
  readonly srpA: string;
  /** The ChallengeResponses for PASSWORD_VERIFIER (SECRET_HASH is the caller's, with USER_ID_FOR_SRP). */
  answer(
    challenge: Readonly<Record<string, string>> | undefined,
    password: string,
    now: Date,
  ): PasswordVerifierAnswer;
}

/** `a` is injectable so that tests can compare with an independent implementation; never in product code. */
export function startSrp(userPoolId: string, a: bigint = randomExponent()): SrpClient {
  const poolName = poolNameOf(userPoolId);
  const { N } = COGNITO_GROUP;
  const A = clientPublic(a);
  return {
    srpA: A.toString(16),
    answer(challenge, password, now) {
      const parameter = (name: string): string => {
        const value = challenge?.[name];
        if (typeof value !== 'string' || value === '') {
          throw new SignInError(
            'unexpected-answer',
            `Cognito's PASSWORD_VERIFIER challenge has no ${name}: check COGNITO_ENDPOINT points at Cognito.`,
          );
        }
        return value;
      };
      const userId = parameter('USER_ID_FOR_SRP');
      const secretBlock = parameter('SECRET_BLOCK');
      let B: bigint;
      let salt: bigint;
      try {
        B = fromHex(parameter('SRP_B'));
        salt = fromHex(parameter('SALT'));
      } catch (error) {
        if (error instanceof SignInError) throw error;
        throw new SignInError(
          'unexpected-answer',
          "Cognito's PASSWORD_VERIFIER challenge carries SRP_B or SALT that is not hex: check COGNITO_ENDPOINT points at Cognito.",
        );
      }
      // SRP-6a's safety checks: a B of 0 mod N (or u = 0) would let a fake server learn nothing but
      // make the key predictable.
      const u = scrambler(A, B);
      if (B % N === 0n || u === 0n) {
        throw new SignInError(
          'unexpected-answer',
          'Cognito sent an SRP_B that SRP-6a refuses (B mod N or u is 0): check COGNITO_ENDPOINT points at Cognito.',
        );
      }
      const x = privateKeyX(poolName, userId, password, salt);
      const S = clientSecret({ B, k: multiplier(), x, a, u });
      const timestamp = srpTimestamp(now);
      return {
        USERNAME: userId,
        PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
        TIMESTAMP: timestamp,
        PASSWORD_CLAIM_SIGNATURE: claimSignature(authenticationKey(S, u), {
          poolName,
          userId,
          secretBlock,
          timestamp,
        }),
      };
    },
  };
}
