/**
 * Signing the test user in with the flow the settings choose (auth-flow.ts): SRP through the public
 * InitiateAuth or through AdminInitiateAuth, the admin or the public password flow, or `auto`, which
 * tries what the app client may allow. NEW_PASSWORD_REQUIRED (an administrator-created user) is
 * answered on the same API family as the sign-in. USER_AUTH is asked for PASSWORD_SRP or PASSWORD. A
 * saved refresh token is used through REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken for an app client
 * that rotates refresh tokens. Every failure leaves as a SignInError with one sentence and a diagnosis.
 */
import {
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  type AuthenticationResultType,
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type AuthFlowSetting,
  autoOrder,
  FLOW_DETAILS,
  type PasswordFlow,
  type UsedFlow,
} from './auth-flow.ts';
import { isLoopback, MAX_ATTEMPTS } from './cognito-client.ts';
import type { TokenSettings } from './config.ts';
import { type Diagnosis, SignInError } from './diagnosis.ts';
import { type CognitoErrorContext, cognitoFailure, noFlowEnabled, unsupportedChallenge } from './errors.ts';
import { secretHashParameter } from './secret-hash.ts';
import { startSrp } from './srp-client.ts';

export interface SignInTokens {
  readonly idToken: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** True when NEW_PASSWORD_REQUIRED was answered: CONTRACT_NEW_PASSWORD is now the password. */
  readonly passwordChanged: boolean;
  /** The flow that produced the tokens. */
  readonly flow: UsedFlow;
}

export interface SignInOptions {
  /** Per-attempt limit, used in timeout messages. */
  readonly timeoutMs: number;
  /** The clock for SRP's TIMESTAMP; tests pin it. */
  readonly now?: () => Date;
}

/** Diagnoses that mean "this flow cannot be used here", after which `auto` tries the next flow. */
const FLOW_UNUSABLE: ReadonlySet<Diagnosis> = new Set([
  'flow-not-enabled',
  'no-aws-credentials',
  'aws-credentials-expired',
  'aws-credentials-rejected',
  'access-denied',
]);

export async function signIn(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  options: SignInOptions,
): Promise<SignInTokens> {
  const setting: AuthFlowSetting = settings.authFlow ?? 'auto';
  if (setting !== 'auto') return signInWith(setting, client, settings, options);
  const order = autoOrder(settings.cognitoEndpoint !== undefined && isLoopback(settings.cognitoEndpoint));
  const refusals: SignInError[] = [];
  for (const flow of order) {
    try {
      return await signInWith(flow, client, settings, options);
    } catch (error) {
      // A refused password or an unreachable endpoint would fail the same way with any flow: stop.
      if (!(error instanceof SignInError) || !FLOW_UNUSABLE.has(error.diagnosis)) throw error;
      refusals.push(error);
    }
  }
  // The most telling refusal: one that is not "flow not enabled" (e.g. no AWS credentials), if any.
  const other = refusals.find((refusal) => refusal.diagnosis !== 'flow-not-enabled');
  throw other ?? noFlowEnabled(order, settings);
}

/**
 * Whether the app client rotates refresh tokens, as DescribeUserPoolClient's RefreshTokenRotation says
 * (refreshSignIn asks only in `auto` mode, once Cognito has refused REFRESH_TOKEN_AUTH). That call needs
 * AWS credentials on AWS; without them (or any other refusal) the answer is "no", and the refusal stands.
 */
export async function clientRotatesRefreshTokens(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  options: SignInOptions,
): Promise<boolean> {
  try {
    const described = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: settings.userPoolId, ClientId: settings.clientId }),
      deadline(options),
    );
    return described.UserPoolClient?.RefreshTokenRotation?.Feature === 'ENABLED';
  } catch {
    return false;
  }
}

/**
 * A sign-in with the saved refresh token: REFRESH_TOKEN_AUTH through the public InitiateAuth, or, for an
 * app client that rotates refresh tokens (where REFRESH_TOKEN_AUTH is refused), GetTokensFromRefreshToken,
 * which returns the next refresh token. `cognitoUsername` is the one SECRET_HASH needs.
 *
 * With COGNITO_REFRESH_ROTATION `auto` (the default), REFRESH_TOKEN_AUTH is tried first: most clients do
 * not rotate, and asking DescribeUserPoolClient first cost every refresh a call that needs AWS
 * credentials on AWS (and the SDK's search for them when there are none). Only when Cognito refuses it is
 * the client asked; if it rotates, GetTokensFromRefreshToken follows, otherwise the refusal stands.
 */
export async function refreshSignIn(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  input: { readonly refreshToken: string; readonly cognitoUsername: string },
  options: SignInOptions,
): Promise<SignInTokens> {
  const setting = settings.refreshRotation ?? 'auto';
  const context: CognitoErrorContext = {
    stage: 'refresh',
    flow: 'refresh',
    settings,
    timeoutMs: options.timeoutMs,
  };
  if (setting === 'enabled') return rotatingRefresh(client, settings, input, options, context);
  let answer: Answer;
  try {
    answer = await client.send(
      new InitiateAuthCommand({
        ClientId: settings.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: input.refreshToken,
          // For a refresh, Cognito hashes the secret with the username it assigned (cognito:username),
          // not with an alias the user typed.
          ...secretHashParameter(input.cognitoUsername, settings.clientId, settings.clientSecret),
        },
      }),
      deadline(options),
    );
  } catch (error) {
    if (
      setting === 'auto' &&
      isCognitoRefusal(error) &&
      (await clientRotatesRefreshTokens(client, settings, options))
    ) {
      return rotatingRefresh(client, settings, input, options, context);
    }
    throw cognitoFailure(error, context);
  }
  if (answer?.AuthenticationResult === undefined) {
    throw new SignInError(
      'unexpected-answer',
      'Cognito answered the refresh with no tokens: run `npm run token -- --force` to sign in with the password.',
    );
  }
  // Cognito does not return a new refresh token unless rotation is on: keep the one that worked.
  const tokens = tokensFrom(answer.AuthenticationResult, false, 'refresh');
  return tokens.refreshToken === undefined ? { ...tokens, refreshToken: input.refreshToken } : tokens;
}

/** Cognito's own "no" (an error it answered with, HTTP 4xx), not a connection or a timeout. */
function isCognitoRefusal(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { $fault?: unknown }).$fault === 'client' &&
    typeof (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode === 'number'
  );
}

/** GetTokensFromRefreshToken, for an app client that rotates refresh tokens. */
async function rotatingRefresh(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  input: { readonly refreshToken: string },
  options: SignInOptions,
  context: CognitoErrorContext,
): Promise<SignInTokens> {
  let answer: Answer;
  try {
    answer = await client.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: settings.clientId,
        RefreshToken: input.refreshToken,
        ...(settings.clientSecret === undefined ? {} : { ClientSecret: settings.clientSecret }),
      }),
      deadline(options),
    );
  } catch (error) {
    throw cognitoFailure(error, context);
  }
  if (answer?.AuthenticationResult === undefined) {
    throw new SignInError(
      'unexpected-answer',
      'Cognito answered GetTokensFromRefreshToken with no tokens: run `npm run token -- --force` to sign in with the password.',
    );
  }
  // The old refresh token is retired (after the client's grace period): only the new one is kept.
  return tokensFrom(answer.AuthenticationResult, false, 'refresh-rotating');
}

interface Answer {
  readonly AuthenticationResult?: AuthenticationResultType | undefined;
  readonly ChallengeName?: ChallengeNameType | string | undefined;
  readonly ChallengeParameters?: Record<string, string> | undefined;
  readonly Session?: string | undefined;
}

function deadline(options: SignInOptions): { abortSignal: AbortSignal } {
  // Bounds one call, its retry included, a little beyond the per-attempt limits.
  return { abortSignal: AbortSignal.timeout(options.timeoutMs * MAX_ATTEMPTS + 2_000) };
}

async function signInWith(
  flow: PasswordFlow,
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  options: SignInOptions,
): Promise<SignInTokens> {
  const admin = FLOW_DETAILS[flow].iam;
  const context = (stage: CognitoErrorContext['stage']): CognitoErrorContext => ({
    stage,
    flow,
    settings,
    timeoutMs: options.timeoutMs,
  });
  const { username, clientId, clientSecret } = settings;

  const initiate = async (authParameters: Record<string, string>): Promise<Answer> => {
    const input = {
      ClientId: clientId,
      AuthFlow: FLOW_DETAILS[flow].cognitoFlow as 'USER_SRP_AUTH',
      AuthParameters: { ...authParameters, ...secretHashParameter(username, clientId, clientSecret) },
    };
    try {
      return admin
        ? await client.send(
            new AdminInitiateAuthCommand({
              UserPoolId: settings.userPoolId,
              ...input,
              AuthFlow: input.AuthFlow as 'USER_SRP_AUTH' | 'ADMIN_USER_PASSWORD_AUTH',
            }),
            deadline(options),
          )
        : await client.send(new InitiateAuthCommand(input), deadline(options));
    } catch (error) {
      throw cognitoFailure(error, context('sign-in'));
    }
  };

  const respond = async (
    challengeName: 'PASSWORD_VERIFIER' | 'NEW_PASSWORD_REQUIRED',
    session: string | undefined,
    responses: Record<string, string>,
  ): Promise<Answer> => {
    // After a challenge Cognito knows the user by USER_ID_FOR_SRP, which SECRET_HASH must use (it
    // differs from what was typed after an alias sign-in such as an e-mail address).
    const challengeUser = responses.USERNAME ?? username;
    const input = {
      ClientId: clientId,
      ChallengeName: challengeName,
      ...(session === undefined ? {} : { Session: session }),
      ChallengeResponses: {
        ...responses,
        ...secretHashParameter(challengeUser, clientId, clientSecret),
      },
    };
    try {
      return admin
        ? await client.send(
            new AdminRespondToAuthChallengeCommand({ UserPoolId: settings.userPoolId, ...input }),
            deadline(options),
          )
        : await client.send(new RespondToAuthChallengeCommand(input), deadline(options));
    } catch (error) {
      throw cognitoFailure(
        error,
        context(challengeName === 'PASSWORD_VERIFIER' ? 'password-verifier' : 'new-password'),
      );
    }
  };

  // USER_AUTH asks for one of the challenges it offers: the password itself, or SRP with it.
  const preferred: Record<string, string> =
    flow === 'user-auth-srp'
      ? { PREFERRED_CHALLENGE: 'PASSWORD_SRP' }
      : flow === 'user-auth-password'
        ? { PREFERRED_CHALLENGE: 'PASSWORD' }
        : {};
  let answer: Answer;
  if (flow === 'srp' || flow === 'admin-srp' || flow === 'user-auth-srp') {
    const srp = startSrp(settings.userPoolId);
    const challenge = await initiate({ USERNAME: username, SRP_A: srp.srpA, ...preferred });
    if (challenge.ChallengeName !== 'PASSWORD_VERIFIER') {
      if (challenge.AuthenticationResult !== undefined) {
        return tokensFrom(challenge.AuthenticationResult, false, flow);
      }
      throw unexpectedChallenge(challenge, settings);
    }
    const now = options.now?.() ?? new Date();
    answer = await respond('PASSWORD_VERIFIER', challenge.Session, {
      ...srp.answer(challenge.ChallengeParameters, settings.password, now),
    });
  } else {
    answer = await initiate({ USERNAME: username, PASSWORD: settings.password, ...preferred });
  }
  if (answer.AuthenticationResult !== undefined) return tokensFrom(answer.AuthenticationResult, false, flow);
  if (answer.ChallengeName !== 'NEW_PASSWORD_REQUIRED') throw unexpectedChallenge(answer, settings);

  const { newPassword } = settings;
  if (newPassword === undefined) {
    throw new SignInError(
      'new-password-required',
      `Cognito requires user "${username}" to set a new password (NEW_PASSWORD_REQUIRED, the state of a console-created user): set CONTRACT_NEW_PASSWORD to the permanent password and run again.`,
    );
  }
  const responded = await respond('NEW_PASSWORD_REQUIRED', answer.Session, {
    USERNAME: answer.ChallengeParameters?.USER_ID_FOR_SRP || username,
    NEW_PASSWORD: newPassword,
  });
  if (responded.AuthenticationResult !== undefined)
    return tokensFrom(responded.AuthenticationResult, true, flow);
  if (responded.ChallengeName !== undefined) throw unsupportedChallenge(responded.ChallengeName, settings);
  throw new SignInError(
    'unexpected-answer',
    'Cognito accepted the new password but returned no tokens: run again (CONTRACT_NEW_PASSWORD is now the password).',
  );
}

function unexpectedChallenge(answer: Answer, settings: TokenSettings): SignInError {
  if (answer.ChallengeName === undefined) {
    return new SignInError(
      'unexpected-answer',
      'Cognito answered the sign-in with neither tokens nor a challenge: run again with --debug and check the pool.',
    );
  }
  return unsupportedChallenge(answer.ChallengeName, settings);
}

function tokensFrom(
  result: AuthenticationResultType,
  passwordChanged: boolean,
  flow: UsedFlow,
): SignInTokens {
  const { IdToken, AccessToken, RefreshToken } = result;
  if (IdToken === undefined || IdToken === '') {
    throw new SignInError(
      'unexpected-answer',
      'Cognito signed the user in but returned no ID token: check that the app client is a user pool app client.',
    );
  }
  return {
    idToken: IdToken,
    passwordChanged,
    flow,
    ...(AccessToken === undefined ? {} : { accessToken: AccessToken }),
    ...(RefreshToken === undefined ? {} : { refreshToken: RefreshToken }),
  };
}
