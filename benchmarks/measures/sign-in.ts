/**
 * Measure 7: one sign-in per flow against the running stack's local Cognito ("the default
 * local flow stays fast; measure both"). In this process, over HTTP on loopback, with the token helper's
 * own signIn / refreshSignIn and one SDK client, as `npm run token` uses them; the flows in turn within
 * each run so that load drifts alike on all of them. One untimed sign-in per flow first: the SDK's first
 * call of an operation loads its serialisers and opens the connection, which every later call reuses.
 *
 * `srp` costs two round trips and, on both sides, modular exponentiations in the 3072-bit group (the
 * client's A and S, the local Cognito's B and S: common/cognito-srp.ts); the password flows one round
 * trip and no arithmetic; `refresh` one round trip.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { readLocalStackFile, stackFilePaths } from '../../local-stack/stack-files.ts';
import type { PasswordFlow } from '../../token-helper/auth-flow.ts';
import { createCognitoClient } from '../../token-helper/cognito-client.ts';
import { resolveSettings, type TokenSettings } from '../../token-helper/config.ts';
import { decodeIdToken } from '../../token-helper/jwt-claims.ts';
import { refreshSignIn, signIn } from '../../token-helper/sign-in.ts';
import { repoRoot } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

/** The flows timed, the default local one (auto tries admin-password first on loopback) first. */
export const SIGN_IN_FLOWS = ['admin-password', 'password', 'srp', 'admin-srp', 'refresh'] as const;
export type TimedFlow = (typeof SIGN_IN_FLOWS)[number];

export type SignInCost = Readonly<Record<TimedFlow, Spread>>;

const TIMEOUT_MS = 5_000;

export async function measureSignIn(input: {
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<SignInCost> {
  const paths = stackFilePaths(repoRoot);
  const stack = await readLocalStackFile(paths.settings);
  if (stack === undefined) throw new Error(`the running stack wrote no ${paths.settings}`);
  const settings = resolveSettings('local', { env: {}, stack });
  const client = createCognitoClient(settings, { timeoutMs: TIMEOUT_MS });
  try {
    const once = signInOnce(client, settings);
    for (const flow of SIGN_IN_FLOWS) await once(flow);
    const samples = Object.fromEntries(SIGN_IN_FLOWS.map((flow) => [flow, [] as number[]])) as Record<
      TimedFlow,
      number[]
    >;
    for (let run = 0; run < input.runs; run++) {
      for (const flow of SIGN_IN_FLOWS) {
        const started = performance.now();
        await once(flow);
        samples[flow].push(performance.now() - started);
      }
      input.log(
        `  run ${run + 1}/${input.runs}: ${SIGN_IN_FLOWS.map((flow) => `${flow} ${(samples[flow].at(-1) ?? 0).toFixed(1)} ms`).join(', ')}`,
      );
    }
    return Object.fromEntries(SIGN_IN_FLOWS.map((flow) => [flow, spread(samples[flow])])) as Record<
      TimedFlow,
      Spread
    >;
  } finally {
    client.destroy();
  }
}

/** A sign-in by one flow; `refresh` uses the refresh token of the last password sign-in. */
function signInOnce(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
): (flow: TimedFlow) => Promise<void> {
  let refresh: { refreshToken: string; cognitoUsername: string } | undefined;
  return async (flow) => {
    if (flow === 'refresh') {
      if (refresh === undefined) throw new Error('no refresh token: a password flow must run first');
      await refreshSignIn(client, settings, refresh, { timeoutMs: TIMEOUT_MS });
      return;
    }
    const passwordFlow: PasswordFlow = flow;
    const tokens = await signIn(client, { ...settings, authFlow: passwordFlow }, { timeoutMs: TIMEOUT_MS });
    if (tokens.refreshToken !== undefined) {
      refresh = {
        refreshToken: tokens.refreshToken,
        cognitoUsername: decodeIdToken(tokens.idToken).claims.username,
      };
    }
  };
}
