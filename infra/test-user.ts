/**
 * `npm run user`: the tutorial's step 7 without the console. Creates the contract's test user, or
 * resets it if it exists, and leaves it CONFIRMED with a permanent password, so the first sign-in
 * gets tokens rather than the NEW_PASSWORD_REQUIRED challenge.
 */
import {
  AdminCreateUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { UsageError, UserError } from '../common/cli-error.ts';
import { type ConfigName, configValue, type Env } from '../common/config-table.ts';

export interface TestUserSettings {
  readonly region: string;
  readonly userPoolId: string;
  readonly username: string;
  readonly password: string;
}

const REQUIRED = {
  region: 'AWS_REGION',
  userPoolId: 'COGNITO_USER_POOL_ID',
  username: 'CONTRACT_USERNAME',
  password: 'CONTRACT_PASSWORD',
} as const satisfies Record<keyof TestUserSettings, ConfigName>;

/** Checks every key at once, so one run lists everything that is missing. */
export function testUserSettings(env: Env): TestUserSettings {
  const missing = Object.values(REQUIRED).filter((key) => configValue(env, key) === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `Missing ${missing.join(', ')} in .env: run \`npm run deploy\` (it writes AWS_REGION and COGNITO_USER_POOL_ID) and set CONTRACT_USERNAME and CONTRACT_PASSWORD, then retry.`,
    );
  }
  const settings = {
    region: configValue(env, REQUIRED.region) ?? '',
    userPoolId: configValue(env, REQUIRED.userPoolId) ?? '',
    username: configValue(env, REQUIRED.username) ?? '',
    password: configValue(env, REQUIRED.password) ?? '',
  };
  // The pool signs in by e-mail (tutorial step 6), so Cognito refuses any other username.
  if (!settings.username.includes('@')) {
    throw new UsageError(
      'CONTRACT_USERNAME must be an e-mail address, because the user pool signs in by e-mail.',
    );
  }
  return settings;
}

export type TestUserOutcome = 'created' | 'reset';

export async function ensureTestUser(
  client: CognitoIdentityProviderClient,
  settings: TestUserSettings,
): Promise<TestUserOutcome> {
  const { userPoolId, username, password } = settings;
  let outcome: TestUserOutcome = 'created';
  try {
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          // No invitation e-mail: the address may not exist, and the password is set just below.
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: username },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'UsernameExistsException') throw error;
      outcome = 'reset';
      // A reset must also undo a disabled user, which could otherwise not sign in with any password.
      await client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username }));
    }
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
  } catch (error) {
    throw describeCognitoError(error, settings);
  }
  return outcome;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

// Node's codes for "no answer from that host": most often a mistyped AWS_REGION.
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

function isUnreachable(error: unknown): boolean {
  const code: unknown = error instanceof Error && 'code' in error ? error.code : undefined;
  return (typeof code === 'string' && UNREACHABLE.has(code)) || errorName(error) === 'TimeoutError';
}

/** One sentence with the fix for the failures a person can cause; anything else passes through. */
export function describeCognitoError(error: unknown, settings: TestUserSettings): unknown {
  const { region, userPoolId } = settings;
  const message = (text: string) => new UserError(text, { cause: error });
  if (isUnreachable(error)) {
    return message(
      `Cognito in region ${region} could not be reached: check AWS_REGION in .env and the network.`,
    );
  }
  switch (errorName(error)) {
    case 'CredentialsProviderError':
      return message(
        'No AWS credentials were found: set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then retry.',
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return message('AWS rejected the credentials (expired or invalid): refresh them, then retry.');
    case 'AccessDeniedException':
    case 'NotAuthorizedException':
      return message(
        `These AWS credentials may not manage users of ${userPoolId}: allow cognito-idp:AdminCreateUser, AdminEnableUser and AdminSetUserPassword on the pool (policy in infra/README.md).`,
      );
    case 'ResourceNotFoundException':
      return message(
        `User pool ${userPoolId} does not exist in ${region}: run \`npm run deploy\` to create it and write COGNITO_USER_POOL_ID and AWS_REGION to .env.`,
      );
    case 'InvalidPasswordException':
      return message(
        "CONTRACT_PASSWORD does not meet the pool's password policy (8 or more characters with upper- and lower-case letters, a digit and a symbol): change it in .env, then retry.",
      );
    case 'InvalidParameterException':
      return message(
        `Cognito refused the user settings (${error instanceof Error ? error.message : ''}): check CONTRACT_USERNAME in .env.`,
      );
    default:
      return error;
  }
}
