/**
 * Stable names for every way signing in or configuring the token helper can fail. The sentence on an
 * error is for people and may be reworded; the `diagnosis` is for code: tests assert on it, and the
 * collection's own sign-in (collections/sandbox/sign-in.ts) imports the codes, hints and rules from
 * here into the collection's bundle, so the app and `npm run token` cannot drift apart. What the
 * sandbox imports (DIAGNOSES, COGNITO_ERROR_RULES, classifyCognitoError) must stay sandbox-safe: no
 * Node API.
 */
import { UsageError, UserError, type UserErrorOptions } from '../common/cli-error.ts';

/** Each code, with the hint the collection shows next to Cognito's own message (in Postman's terms). */
export const DIAGNOSES = {
  'wrong-credentials': 'Check username and password in the environment (or the user does not exist).',
  'user-disabled': 'Enable the user (console: Users, the user, Enable user access).',
  'too-many-attempts': 'Cognito blocked sign-in after too many failed attempts: wait a few minutes.',
  'user-not-found': 'Check username: there is no such user in the pool.',
  'user-not-confirmed': 'Confirm the user (console: Users, the user, Confirm account) before signing in.',
  'password-reset-required':
    "Set the user's password in the console (Users, the user, Reset password), then run again.",
  'new-password-required':
    'Set a permanent password once (aws cognito-idp admin-set-user-password --permanent), then run again.',
  'new-password-rejected': "Choose a new password that meets the pool's password policy.",
  'flow-not-enabled':
    "Enable {flag} in the app client's authentication flows (console: App clients, Edit), or set auth_flow to a flow it allows (srp or password).",
  'secret-hash-missing': 'The app client has a client secret: fill cognito_client_secret.',
  'secret-hash-mismatch':
    'cognito_client_secret does not match the app client: copy it again (console: App clients, the client, Client secret).',
  'client-not-found': 'Check cognito_client_id and aws_region (the app client must exist in that region).',
  'pool-not-found': 'Check cognito_user_pool_id and aws_region.',
  'no-aws-credentials': 'AWS credentials are needed for this flow (the collection never needs any).',
  'aws-credentials-expired': 'Refresh the AWS credentials and run again.',
  'aws-credentials-rejected': 'AWS rejected the credentials: check them.',
  'access-denied': 'The AWS identity may not sign users in to this pool.',
  'unsupported-challenge': 'Use a test user without MFA or custom challenges.',
  'emulator-unsupported': 'The local Cognito emulator does not support this step.',
  unreachable: 'Check cognito_endpoint (for the local stack: is `npm run stack` running?).',
  timeout: 'Cognito did not answer in time: check cognito_endpoint and the network.',
  throttled: 'Cognito is throttling sign-ins: wait a minute and run again.',
  'cognito-unavailable': 'Cognito had an internal error: wait a moment and run again.',
  'unexpected-answer':
    'Cognito answered in a way the sign-in cannot use: check cognito_endpoint points at Cognito.',
  'token-mismatch':
    'The token is for another pool or app client: check cognito_user_pool_id and cognito_client_id.',
  'refresh-rejected': 'The refresh token is expired or revoked: the sign-in uses the password instead.',
  'unknown-cognito-error': 'Run again with more detail (Postman console) and check the pool and app client.',
  'settings-missing': 'Fill the variables named above in the environment.',
  'configuration-invalid': 'Fix the settings named above.',
  'no-local-stack': 'Start the local stack with `npm run stack` in another shell.',
  'stack-file-broken': 'Stop and restart `npm run stack`.',
  'template-invalid': 'Restore the environment template from git.',
  'output-unwritable': 'Choose a writable output path.',
  'saved-token-missing': 'Run `npm run token` first.',
  'saved-token-unreadable': 'Run `npm run token -- --force` to write the token again.',
} as const;

export type Diagnosis = keyof typeof DIAGNOSES;

export const DIAGNOSIS_CODES = Object.keys(DIAGNOSES) as Diagnosis[];

interface Diagnosed {
  readonly diagnosis: Diagnosis;
}

/** A sign-in that failed (exit 1 unless said otherwise), with its stable code. */
export class SignInError extends UserError implements Diagnosed {
  override readonly name: string = 'SignInError';
  readonly diagnosis: Diagnosis;

  constructor(diagnosis: Diagnosis, message: string, options: UserErrorOptions = {}) {
    super(message, options);
    this.diagnosis = diagnosis;
  }
}

/** A configuration or usage mistake (exit 2), with its stable code. */
export class ConfigurationError extends UsageError implements Diagnosed {
  override readonly name: string = 'ConfigurationError';
  readonly diagnosis: Diagnosis;

  constructor(diagnosis: Diagnosis, message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, options);
    this.diagnosis = diagnosis;
  }
}

export function diagnosisOf(error: unknown): Diagnosis | undefined {
  return error instanceof SignInError || error instanceof ConfigurationError ? error.diagnosis : undefined;
}

/**
 * How Cognito's answers (error `__type` and message) map to codes: the first rule whose type matches
 * and whose message pattern (if any) matches wins. `ifSecretConfigured` replaces the code when the
 * caller has a client secret configured (a missing SECRET_HASH then means a wrong one). Messages are
 * the ones Cognito documents (docs/reference.md §4) plus the emulator's own wording.
 */
export interface CognitoErrorRule {
  readonly type: string;
  readonly message?: RegExp;
  readonly diagnosis: Diagnosis;
  readonly ifSecretConfigured?: Diagnosis;
}

const SECRET_HASH = /secret hash|SECRET_HASH|configured (with|for) secret/i;
const FLOW_NOT_ENABLED = /auth flow not enabled|flow not enabled|not enabled for (this|the) client/i;

export const COGNITO_ERROR_RULES: readonly CognitoErrorRule[] = [
  {
    type: 'NotAuthorizedException',
    message: SECRET_HASH,
    diagnosis: 'secret-hash-missing',
    ifSecretConfigured: 'secret-hash-mismatch',
  },
  { type: 'NotAuthorizedException', message: /disabled/i, diagnosis: 'user-disabled' },
  { type: 'NotAuthorizedException', message: /attempts exceeded/i, diagnosis: 'too-many-attempts' },
  { type: 'NotAuthorizedException', message: FLOW_NOT_ENABLED, diagnosis: 'flow-not-enabled' },
  { type: 'NotAuthorizedException', message: /refresh token/i, diagnosis: 'refresh-rejected' },
  {
    type: 'NotAuthorizedException',
    message: /incorrect username or password|invalid password|^$/i,
    diagnosis: 'wrong-credentials',
  },
  { type: 'InvalidParameterException', message: FLOW_NOT_ENABLED, diagnosis: 'flow-not-enabled' },
  {
    type: 'InvalidParameterException',
    message: SECRET_HASH,
    diagnosis: 'secret-hash-missing',
    ifSecretConfigured: 'secret-hash-mismatch',
  },
  // cognito-local's answer to a wrong password (real Cognito: NotAuthorizedException).
  { type: 'InvalidPasswordException', diagnosis: 'wrong-credentials' },
  { type: 'UserNotFoundException', diagnosis: 'user-not-found' },
  { type: 'UserNotConfirmedException', diagnosis: 'user-not-confirmed' },
  { type: 'PasswordResetRequiredException', diagnosis: 'password-reset-required' },
  { type: 'ResourceNotFoundException', message: /client/i, diagnosis: 'client-not-found' },
  { type: 'ResourceNotFoundException', diagnosis: 'pool-not-found' },
  { type: 'TooManyRequestsException', diagnosis: 'throttled' },
  { type: 'ThrottlingException', diagnosis: 'throttled' },
  { type: 'LimitExceededException', diagnosis: 'throttled' },
  { type: 'TooManyFailedAttemptsException', diagnosis: 'throttled' },
  { type: 'InternalErrorException', diagnosis: 'cognito-unavailable' },
  { type: 'ServiceUnavailable', diagnosis: 'cognito-unavailable' },
  { type: 'ServiceUnavailableException', diagnosis: 'cognito-unavailable' },
  { type: 'CognitoLocal#Unsupported', diagnosis: 'emulator-unsupported' },
];

export function classifyCognitoError(
  type: string,
  message: string,
  options: { readonly secretConfigured: boolean },
): Diagnosis | undefined {
  const rule = COGNITO_ERROR_RULES.find(
    (candidate) =>
      candidate.type === type && (candidate.message === undefined || candidate.message.test(message)),
  );
  if (rule === undefined) return undefined;
  return options.secretConfigured && rule.ifSecretConfigured !== undefined
    ? rule.ifSecretConfigured
    : rule.diagnosis;
}
