/**
 * Signing the test user in with AdminInitiateAuth / ADMIN_USER_PASSWORD_AUTH, answering the
 * NEW_PASSWORD_REQUIRED challenge an administrator-created user gets on first sign-in.
 * Every failure leaves as a UserError with one sentence (errors.ts).
 */
import {
  AdminInitiateAuthCommand,
  type AdminInitiateAuthCommandOutput,
  AdminRespondToAuthChallengeCommand,
  type AdminRespondToAuthChallengeCommandOutput,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { UserError } from '../common/cli-error.ts';
import type { TokenSettings } from './config.ts';
import { cognitoFailure, unsupportedChallenge } from './errors.ts';
import { secretHashParameter } from './secret-hash.ts';

export interface SignInTokens {
  readonly idToken: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** True when NEW_PASSWORD_REQUIRED was answered: CONTRACT_NEW_PASSWORD is now the password. */
  readonly passwordChanged: boolean;
}

export interface SignInOptions {
  /** Used in timeout messages. */
  readonly timeoutMs: number;
  /** Bounds the whole exchange, retries included. */
  readonly abortSignal?: AbortSignal;
}

export async function signIn(
  client: CognitoIdentityProviderClient,
  settings: TokenSettings,
  options: SignInOptions,
): Promise<SignInTokens> {
  const { clientSecret } = settings;
  const sendOptions = options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal };
  let initiated: AdminInitiateAuthCommandOutput;
  try {
    initiated = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: settings.userPoolId,
        ClientId: settings.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: settings.username,
          PASSWORD: settings.password,
          ...secretHashParameter(settings.username, settings.clientId, clientSecret),
        },
      }),
      sendOptions,
    );
  } catch (error) {
    throw cognitoFailure(error, { stage: 'sign-in', settings, timeoutMs: options.timeoutMs });
  }
  if (initiated.AuthenticationResult !== undefined) return tokensFrom(initiated.AuthenticationResult, false);

  const challenge = initiated.ChallengeName;
  if (challenge === undefined) {
    throw new UserError(
      'Cognito answered the sign-in with neither tokens nor a challenge: run again with --debug and check the pool.',
    );
  }
  if (challenge !== 'NEW_PASSWORD_REQUIRED') throw unsupportedChallenge(challenge, settings);
  const { newPassword } = settings;
  if (newPassword === undefined) {
    throw new UserError(
      `Cognito requires user "${settings.username}" to set a new password (NEW_PASSWORD_REQUIRED, the state of a console-created user): set CONTRACT_NEW_PASSWORD to the permanent password and run again.`,
    );
  }
  // After an alias sign-in (e.g. e-mail), Cognito knows the user by USER_ID_FOR_SRP; SECRET_HASH must use it.
  const cognitoUsername = initiated.ChallengeParameters?.USER_ID_FOR_SRP || settings.username;
  let responded: AdminRespondToAuthChallengeCommandOutput;
  try {
    responded = await client.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: settings.userPoolId,
        ClientId: settings.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: initiated.Session,
        ChallengeResponses: {
          USERNAME: cognitoUsername,
          NEW_PASSWORD: newPassword,
          ...secretHashParameter(cognitoUsername, settings.clientId, clientSecret),
        },
      }),
      sendOptions,
    );
  } catch (error) {
    throw cognitoFailure(error, { stage: 'new-password', settings, timeoutMs: options.timeoutMs });
  }
  if (responded.AuthenticationResult !== undefined) return tokensFrom(responded.AuthenticationResult, true);
  if (responded.ChallengeName !== undefined) throw unsupportedChallenge(responded.ChallengeName, settings);
  throw new UserError(
    'Cognito accepted the new password but returned no tokens: run again (CONTRACT_NEW_PASSWORD is now the password).',
  );
}

function tokensFrom(result: AuthenticationResultType, passwordChanged: boolean): SignInTokens {
  const { IdToken, AccessToken, RefreshToken } = result;
  if (IdToken === undefined || IdToken === '') {
    throw new UserError(
      'Cognito signed the user in but returned no ID token: check that the app client is a user pool app client.',
    );
  }
  return {
    idToken: IdToken,
    passwordChanged,
    ...(AccessToken === undefined ? {} : { accessToken: AccessToken }),
    ...(RefreshToken === undefined ? {} : { refreshToken: RefreshToken }),
  };
}
