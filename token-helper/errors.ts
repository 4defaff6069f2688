/**
 * Cognito and network failures, each turned into one sentence that says what is wrong and what to
 * do (docs/reference.md §4), with a stable diagnosis code (diagnosis.ts). Messages name the user, pool
 * and client (not secret) and never a password, client secret or token: text passed through from
 * Cognito is scrubbed of every configured secret.
 */

import { isRecord } from '../common/records.ts';
import { FLOW_DETAILS, type PasswordFlow } from './auth-flow.ts';
import { cognitoEndpointOf, type TokenSettings } from './config.ts';
import { classifyCognitoError, type Diagnosis, SignInError } from './diagnosis.ts';

export interface CognitoErrorContext {
  /** Which call failed: the sign-in itself, the answer to a challenge, or a refresh. */
  readonly stage: 'sign-in' | 'password-verifier' | 'new-password' | 'refresh';
  /** The flow being tried, for "flow not enabled" and IAM messages. */
  readonly flow: PasswordFlow | 'refresh';
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

const MFA_CHALLENGES = new Set([
  'SMS_MFA',
  'SOFTWARE_TOKEN_MFA',
  'EMAIL_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'SMS_OTP',
]);

/** The failure as one SignInError; unknown errors keep their Cognito name and (scrubbed) message. */
export function cognitoFailure(error: unknown, context: CognitoErrorContext): SignInError {
  const { diagnosis, message } = describe(error, context);
  return new SignInError(diagnosis, message, { cause: error });
}

interface Described {
  readonly diagnosis: Diagnosis;
  readonly message: string;
}

function describe(error: unknown, context: CognitoErrorContext): Described {
  const { settings } = context;
  const name = errorName(error);
  const message = errorMessage(error);
  const user = `user "${settings.username}"`;
  const pool = `pool ${settings.userPoolId}`;
  const client = `app client ${settings.clientId}`;
  const network = networkCode(error);
  if (network !== undefined) {
    return {
      diagnosis: 'unreachable',
      message: `Cannot reach Cognito at ${cognitoEndpointOf(settings)} (${NETWORK_CODES[network] ?? network}): ${reachFix(settings)}.`,
    };
  }
  switch (name) {
    case 'TimeoutError':
    case 'RequestTimeout':
    case 'RequestTimeoutException':
    case 'AbortError':
      return {
        diagnosis: 'timeout',
        message: `Cognito at ${cognitoEndpointOf(settings)} did not answer within ${context.timeoutMs / 1000} s: ${reachFix(settings)}.`,
      };
    case 'CredentialsProviderError':
      return {
        diagnosis: 'no-aws-credentials',
        message: `No AWS credentials found (${FLOW_DETAILS[context.flow].label} calls AdminInitiateAuth, which is signed with IAM credentials): set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run \`aws sso login\`, or use --auth-flow srp, which needs none.`,
      };
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return {
        diagnosis: 'aws-credentials-expired',
        message: 'The AWS credentials have expired: refresh them (e.g. `aws sso login`) and run again.',
      };
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return {
        diagnosis: 'aws-credentials-rejected',
        message: `AWS rejected the credentials (${name}): check AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      };
    case 'AccessDeniedException':
      return {
        diagnosis: 'access-denied',
        message: `The AWS credentials may not sign users in to ${pool} (AccessDeniedException): allow cognito-idp:AdminInitiateAuth${context.stage === 'sign-in' && context.flow === 'admin-password' ? '' : ' and cognito-idp:AdminRespondToAuthChallenge'} on the pool for this IAM identity.`,
      };
    case 'InvalidPasswordException':
      if (context.stage === 'new-password') {
        return {
          diagnosis: 'new-password-rejected',
          message: `Cognito rejected CONTRACT_NEW_PASSWORD for ${user} (InvalidPasswordException: ${scrub(message, settings)}): choose a password that meets the pool's password policy.`,
        };
      }
      break;
  }
  const diagnosis = classifyCognitoError(name, message, {
    secretConfigured: settings.clientSecret !== undefined,
  });
  switch (diagnosis) {
    case 'secret-hash-missing':
      return {
        diagnosis,
        message: `The app client ${settings.clientId} has a client secret: set COGNITO_CLIENT_SECRET to it (console: App clients, ${settings.clientId}, Client secret).`,
      };
    case 'secret-hash-mismatch':
      return {
        diagnosis,
        message: `COGNITO_CLIENT_SECRET does not match app client ${settings.clientId}: copy the secret again from the console (App clients, ${settings.clientId}, Client secret), or unset it if the client has none.`,
      };
    case 'user-disabled':
      return {
        diagnosis,
        message: `The user "${settings.username}" is disabled in pool ${settings.userPoolId}: enable it with \`aws cognito-idp admin-enable-user --user-pool-id ${settings.userPoolId} --username ${settings.username}\`.`,
      };
    case 'too-many-attempts':
      return {
        diagnosis,
        message: `Cognito blocked sign-in for "${settings.username}" after too many failed attempts: wait a few minutes, then check CONTRACT_PASSWORD.`,
      };
    case 'flow-not-enabled':
      return { diagnosis, message: flowNotEnabled(context.flow, settings) };
    case 'refresh-rejected':
      return {
        diagnosis,
        message: `Cognito refused the saved refresh token (NotAuthorizedException: ${scrub(message, settings)}): run \`npm run token -- --force\` to sign in with the password.`,
      };
    case 'wrong-credentials':
      return { diagnosis, message: wrongCredentials(context) };
    case 'user-not-found':
      return {
        diagnosis,
        message: `There is no ${user} in ${pool}: check CONTRACT_USERNAME, or create the user (console: Users, Create user).`,
      };
    case 'user-not-confirmed':
      return {
        diagnosis,
        message: `The ${user} is not confirmed: confirm it with \`aws cognito-idp admin-confirm-sign-up --user-pool-id ${settings.userPoolId} --username ${settings.username}\`.`,
      };
    case 'password-reset-required':
      return {
        diagnosis,
        message: `The ${user} must reset the password: set one with \`aws cognito-idp admin-set-user-password --user-pool-id ${settings.userPoolId} --username ${settings.username} --permanent --password …\` and put it in CONTRACT_PASSWORD.`,
      };
    case 'client-not-found':
      return {
        diagnosis,
        message: `There is no ${client} in ${pool} (ResourceNotFoundException): check COGNITO_CLIENT_ID against the pool's App clients page.`,
      };
    case 'pool-not-found':
      return {
        diagnosis,
        message: `There is no user ${pool} in region ${settings.region} (ResourceNotFoundException): check COGNITO_USER_POOL_ID and AWS_REGION.`,
      };
    case 'throttled':
      return { diagnosis, message: `Cognito is throttling sign-ins (${name}): wait a minute and run again.` };
    case 'cognito-unavailable':
      return { diagnosis, message: `Cognito had an internal error (${name}): wait a moment and run again.` };
    case 'emulator-unsupported':
      return {
        diagnosis,
        message: `The Cognito emulator does not support this step (${scrub(message, settings)}): set the user's password as permanent instead of using CONTRACT_NEW_PASSWORD, or choose another --auth-flow.`,
      };
    default:
      if (name === 'NotAuthorizedException') {
        return {
          diagnosis: 'unknown-cognito-error',
          message: `Cognito refused the sign-in (NotAuthorizedException: ${scrub(message, settings)}): check CONTRACT_USERNAME, CONTRACT_PASSWORD and the app client settings.`,
        };
      }
      if (name === 'InvalidParameterException') {
        return {
          diagnosis: 'unknown-cognito-error',
          message: `Cognito rejected the request (InvalidParameterException: ${scrub(message, settings)}): check the configuration for ${client} and ${user}.`,
        };
      }
      return {
        diagnosis: 'unknown-cognito-error',
        message: `Cognito sign-in failed (${name}: ${scrub(message, settings) || 'no message'}): run again with --debug for details.`,
      };
  }
}

/** One sentence per flow: the flow, the app-client flag that enables it, and where in the console. */
function flowNotEnabled(flow: PasswordFlow | 'refresh', settings: TokenSettings): string {
  const { label, appClientFlag } = FLOW_DETAILS[flow];
  const other =
    flow === 'srp' || flow === 'admin-srp'
      ? ''
      : ', or use --auth-flow srp (what a console-created app client allows)';
  return `The app client ${settings.clientId} does not allow ${label}: enable ${appClientFlag} in its authentication flows (console: App clients, Edit)${other}.`;
}

/** `auto` found no flow the app client allows. */
export function noFlowEnabled(flows: readonly PasswordFlow[], settings: TokenSettings): SignInError {
  const labels = flows.map((flow) => FLOW_DETAILS[flow].label);
  const flags = [...new Set(flows.map((flow) => FLOW_DETAILS[flow].appClientFlag))];
  return new SignInError(
    'flow-not-enabled',
    `The app client ${settings.clientId} allows none of ${labels.join(' and ')}: enable ${flags.join(' or ')} in its authentication flows (console: App clients, Edit); a console-created app client has ALLOW_USER_SRP_AUTH.`,
  );
}

function wrongCredentials(context: CognitoErrorContext): string {
  const { settings } = context;
  return `Cognito rejected the password for user "${settings.username}" in pool ${settings.userPoolId} (or the user does not exist): check CONTRACT_USERNAME and CONTRACT_PASSWORD.`;
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
export function unsupportedChallenge(challenge: string, settings: TokenSettings): SignInError {
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
  return new SignInError(
    'unsupported-challenge',
    `Cognito asked user "${settings.username}" for the ${challenge} challenge, which the token helper cannot answer: ${fix}.`,
  );
}
