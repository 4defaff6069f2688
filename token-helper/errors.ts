/**
 * Cognito and network failures, each turned into one sentence that says what is wrong and what to
 * do (docs/reference.md §4). Messages name the user, pool and client (not secret) and never a password,
 * client secret or token: text passed through from Cognito is scrubbed of every configured secret.
 */
import { UserError } from '../common/cli-error.ts';
import { cognitoEndpointOf, type TokenSettings } from './config.ts';
import { isRecord } from './jwt-claims.ts';

export interface CognitoErrorContext {
  /** Which call failed: the sign-in itself or the answer to NEW_PASSWORD_REQUIRED. */
  readonly stage: 'sign-in' | 'new-password';
  readonly settings: TokenSettings;
  readonly timeoutMs: number;
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EPIPE: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'LimitExceededException',
  'TooManyFailedAttemptsException',
]);

const MFA_CHALLENGES = new Set([
  'SMS_MFA',
  'SOFTWARE_TOKEN_MFA',
  'EMAIL_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'SMS_OTP',
]);

/** The failure as one UserError; unknown errors keep their Cognito name and (scrubbed) message. */
export function cognitoFailure(error: unknown, context: CognitoErrorContext): UserError {
  return new UserError(describe(error, context), { cause: error });
}

function describe(error: unknown, context: CognitoErrorContext): string {
  const { settings } = context;
  const name = errorName(error);
  const message = errorMessage(error);
  const user = `user "${settings.username}"`;
  const pool = `pool ${settings.userPoolId}`;
  const client = `app client ${settings.clientId}`;
  const network = networkCode(error);
  if (network !== undefined) {
    return `Cannot reach Cognito at ${cognitoEndpointOf(settings)} (${NETWORK_CODES[network] ?? network}): ${reachFix(settings)}.`;
  }
  switch (name) {
    case 'TimeoutError':
    case 'RequestTimeout':
    case 'RequestTimeoutException':
    case 'AbortError':
      return `Cognito at ${cognitoEndpointOf(settings)} did not answer within ${context.timeoutMs / 1000} s: ${reachFix(settings)}.`;
    case 'CredentialsProviderError':
      return 'No AWS credentials found (AdminInitiateAuth is signed with IAM credentials): set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`.';
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return 'The AWS credentials have expired: refresh them (e.g. `aws sso login`) and run again.';
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return `AWS rejected the credentials (${name}): check AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`;
    case 'AccessDeniedException':
      return `The AWS credentials may not sign users in to ${pool} (AccessDeniedException): allow cognito-idp:AdminInitiateAuth${context.stage === 'new-password' ? ' and cognito-idp:AdminRespondToAuthChallenge' : ''} on the pool for this IAM identity.`;
    case 'NotAuthorizedException':
      return describeNotAuthorized(message, context);
    case 'InvalidPasswordException':
      if (context.stage === 'new-password') {
        return `Cognito rejected CONTRACT_NEW_PASSWORD for ${user} (InvalidPasswordException: ${scrub(message, settings)}): choose a password that meets the pool's password policy.`;
      }
      // cognito-local's answer to a wrong password (real Cognito: NotAuthorizedException).
      return wrongCredentials(context);
    case 'UserNotFoundException':
      return `There is no ${user} in ${pool}: check CONTRACT_USERNAME, or create the user (console: Users, Create user).`;
    case 'UserNotConfirmedException':
      return `The ${user} is not confirmed: confirm it with \`aws cognito-idp admin-confirm-sign-up --user-pool-id ${settings.userPoolId} --username ${settings.username}\`.`;
    case 'PasswordResetRequiredException':
      return `The ${user} must reset the password: set one with \`aws cognito-idp admin-set-user-password --user-pool-id ${settings.userPoolId} --username ${settings.username} --permanent --password …\` and put it in CONTRACT_PASSWORD.`;
    case 'ResourceNotFoundException':
      if (/client/i.test(message)) {
        return `There is no ${client} in ${pool} (ResourceNotFoundException): check COGNITO_CLIENT_ID against the pool's App clients page.`;
      }
      return `There is no user ${pool} in region ${settings.region} (ResourceNotFoundException): check COGNITO_USER_POOL_ID and AWS_REGION.`;
    case 'InvalidParameterException':
      if (/auth flow not enabled/i.test(message)) {
        return `The ${client} does not allow admin password sign-in: enable ALLOW_ADMIN_USER_PASSWORD_AUTH in its authentication flows (console: App clients, Edit).`;
      }
      if (/SECRET_HASH|secret hash/i.test(message)) return secretHashProblem(context);
      return `Cognito rejected the request (InvalidParameterException: ${scrub(message, settings)}): check the configuration for ${client} and ${user}.`;
    case 'InternalErrorException':
    case 'ServiceUnavailable':
    case 'ServiceUnavailableException':
      return `Cognito had an internal error (${name}): wait a moment and run again.`;
    case 'CognitoLocal#Unsupported':
      return `The Cognito emulator does not support this step (${scrub(message, settings)}): set the user's password as permanent instead of using CONTRACT_NEW_PASSWORD.`;
    default:
      if (THROTTLING.has(name)) {
        return `Cognito is throttling sign-ins (${name}): wait a minute and run again.`;
      }
      return `Cognito sign-in failed (${name}: ${scrub(message, settings) || 'no message'}): run again with --debug for details.`;
  }
}

function describeNotAuthorized(message: string, context: CognitoErrorContext): string {
  const { settings } = context;
  if (/secret hash|SECRET_HASH|configured (with|for) secret/i.test(message))
    return secretHashProblem(context);
  if (/disabled/i.test(message)) {
    return `The user "${settings.username}" is disabled in pool ${settings.userPoolId}: enable it with \`aws cognito-idp admin-enable-user --user-pool-id ${settings.userPoolId} --username ${settings.username}\`.`;
  }
  if (/attempts exceeded/i.test(message)) {
    return `Cognito blocked sign-in for "${settings.username}" after too many failed attempts: wait a few minutes, then check CONTRACT_PASSWORD.`;
  }
  if (/auth flow not enabled|not enabled for this client/i.test(message)) {
    return `The app client ${settings.clientId} does not allow admin password sign-in: enable ALLOW_ADMIN_USER_PASSWORD_AUTH in its authentication flows (console: App clients, Edit).`;
  }
  if (/incorrect username or password|invalid password/i.test(message) || message === '')
    return wrongCredentials(context);
  return `Cognito refused the sign-in (NotAuthorizedException: ${scrub(message, settings)}): check CONTRACT_USERNAME, CONTRACT_PASSWORD and the app client settings.`;
}

function wrongCredentials(context: CognitoErrorContext): string {
  const { settings } = context;
  return `Cognito rejected the password for user "${settings.username}" in pool ${settings.userPoolId} (or the user does not exist): check CONTRACT_USERNAME and CONTRACT_PASSWORD.`;
}

function secretHashProblem(context: CognitoErrorContext): string {
  const { settings } = context;
  if (settings.clientSecret === undefined) {
    return `The app client ${settings.clientId} has a client secret: set COGNITO_CLIENT_SECRET to it (console: App clients, ${settings.clientId}, Client secret).`;
  }
  return `COGNITO_CLIENT_SECRET does not match app client ${settings.clientId}: copy the secret again from the console (App clients, ${settings.clientId}, Client secret), or unset it if the client has none.`;
}

function reachFix(settings: TokenSettings): string {
  if (settings.target === 'local') {
    return 'start the local stack with `npm run stack` in another shell, or check COGNITO_ENDPOINT';
  }
  return settings.cognitoEndpoint === undefined
    ? 'check AWS_REGION, your network and any proxy settings'
    : 'check COGNITO_ENDPOINT and that the emulator is running';
}

function errorName(error: unknown): string {
  if (isRecord(error) && typeof error.name === 'string') return error.name;
  return 'Error';
}

function errorMessage(error: unknown): string {
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  return '';
}

/** Node network errors carry `code`; connecting to a name with several addresses can yield an AggregateError. */
function networkCode(error: unknown): string | undefined {
  if (!isRecord(error)) return undefined;
  if (typeof error.code === 'string' && error.code in NETWORK_CODES) return error.code;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = networkCode(inner);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

/** One line, bounded, and without any secret the settings hold. */
export function scrub(text: string, settings: TokenSettings, extraSecrets: readonly string[] = []): string {
  let result = text.replace(/\s+/g, ' ').trim();
  const secrets = [settings.password, settings.newPassword, settings.clientSecret, ...extraSecrets];
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) result = result.split(secret).join('[redacted]');
  }
  return result.length > 200 ? `${result.slice(0, 200)}…` : result;
}

/** What to do about a challenge other than NEW_PASSWORD_REQUIRED. */
export function unsupportedChallenge(challenge: string, settings: TokenSettings): UserError {
  let fix: string;
  if (MFA_CHALLENGES.has(challenge)) {
    fix = `use a test user without MFA (set MFA to optional for pool ${settings.userPoolId} and clear the user's MFA preference with \`aws cognito-idp admin-set-user-mfa-preference\`)`;
  } else if (challenge === 'CUSTOM_CHALLENGE') {
    fix =
      'use a pool without custom authentication Lambda triggers (Define/Create/Verify auth challenge) for the contract suite';
  } else if (challenge === 'DEVICE_SRP_AUTH' || challenge === 'DEVICE_PASSWORD_VERIFIER') {
    fix = 'turn off device tracking for the pool or forget the remembered device for this user';
  } else {
    fix = 'use a test user and app client that sign in with a password alone';
  }
  return new UserError(
    `Cognito asked user "${settings.username}" for the ${challenge} challenge, which the token helper cannot answer: ${fix}.`,
  );
}
