/**
 * The attack tokens for one live ID token, as secret Postman environment values. Shared by
 * `npm run contract` and the environment `npm run stack` writes for QA, so both mint the same set.
 */
import { emulatorSigningKey, isEmulatorKeySet } from '../local-stack/cognito/emulator-key.ts';
import { attackTokenEnvironmentValues, mintAttackTokens } from './attack-tokens.ts';

export interface AttackEnvironmentInput {
  readonly idToken: string;
  readonly accessToken?: string;
  /** The pool's public JWKS (untrusted JSON). */
  readonly poolJwks: unknown;
}

export function attackEnvironmentValues(
  input: AttackEnvironmentInput,
): ReturnType<typeof attackTokenEnvironmentValues> {
  // Only a pool that publishes the emulator's well-known key has a knowable private key; against it the
  // suite can sign tokens whose only defect is the one under test (expired, other issuer).
  const poolPrivateKey = isEmulatorKeySet(input.poolJwks) ? emulatorSigningKey().privateJwk : undefined;
  return attackTokenEnvironmentValues(
    mintAttackTokens({
      idToken: input.idToken,
      poolJwks: input.poolJwks,
      ...(input.accessToken ? { accessToken: input.accessToken } : {}),
      ...(poolPrivateKey ? { poolPrivateKey } : {}),
    }),
  );
}
