/**
 * The ways the token helper can sign in, what each needs from the app client, and the order `auto`
 * tries them in. A console-created app client allows ALLOW_USER_SRP_AUTH and ALLOW_REFRESH_TOKEN_AUTH
 * only (docs/reference.md §11), so `auto` must succeed with those two and nothing else.
 */
export const AUTH_FLOWS = [
  'auto',
  'srp',
  'admin-srp',
  'admin-password',
  'password',
  'user-auth-srp',
  'user-auth-password',
] as const;
export type AuthFlowSetting = (typeof AUTH_FLOWS)[number];
export type PasswordFlow = Exclude<AuthFlowSetting, 'auto'>;
/** What actually produced the tokens of a run. */
export type UsedFlow = PasswordFlow | 'refresh' | 'refresh-rotating' | 'saved';

/**
 * How a saved refresh token is used: REFRESH_TOKEN_AUTH (InitiateAuth), or GetTokensFromRefreshToken,
 * which an app client with refresh-token rotation requires (AWS: "Refresh token rotation must be
 * completed with GetTokensFromRefreshToken") and which rotates the refresh token. `auto` tries
 * REFRESH_TOKEN_AUTH and asks DescribeUserPoolClient for the client's RefreshTokenRotation only when
 * Cognito refuses it (that call needs AWS credentials on AWS; without them, the refusal stands).
 */
export const REFRESH_ROTATIONS = ['auto', 'enabled', 'disabled'] as const;
export type RefreshRotationSetting = (typeof REFRESH_ROTATIONS)[number];

export function isRefreshRotationSetting(value: string): value is RefreshRotationSetting {
  return (REFRESH_ROTATIONS as readonly string[]).includes(value);
}

export interface FlowDetails {
  /** For sentences: "does not allow <label>". */
  readonly label: string;
  /** Cognito's AuthFlow value. */
  readonly cognitoFlow: string;
  /** The app-client setting that enables it. */
  readonly appClientFlag: string;
  /** Signed with IAM credentials (AdminInitiateAuth) rather than the public InitiateAuth. */
  readonly iam: boolean;
}

export const FLOW_DETAILS: Readonly<Record<PasswordFlow | 'refresh' | 'refresh-rotating', FlowDetails>> = {
  srp: {
    label: 'SRP sign-in (USER_SRP_AUTH)',
    cognitoFlow: 'USER_SRP_AUTH',
    appClientFlag: 'ALLOW_USER_SRP_AUTH',
    iam: false,
  },
  'admin-srp': {
    label: 'SRP sign-in (USER_SRP_AUTH through AdminInitiateAuth)',
    cognitoFlow: 'USER_SRP_AUTH',
    appClientFlag: 'ALLOW_USER_SRP_AUTH',
    iam: true,
  },
  'admin-password': {
    label: 'admin password sign-in',
    cognitoFlow: 'ADMIN_USER_PASSWORD_AUTH',
    appClientFlag: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
    iam: true,
  },
  password: {
    label: 'password sign-in (USER_PASSWORD_AUTH)',
    cognitoFlow: 'USER_PASSWORD_AUTH',
    appClientFlag: 'ALLOW_USER_PASSWORD_AUTH',
    iam: false,
  },
  'user-auth-srp': {
    label: 'choice-based sign-in (USER_AUTH with PASSWORD_SRP)',
    cognitoFlow: 'USER_AUTH',
    appClientFlag: 'ALLOW_USER_AUTH',
    iam: false,
  },
  'user-auth-password': {
    label: 'choice-based sign-in (USER_AUTH with PASSWORD)',
    cognitoFlow: 'USER_AUTH',
    appClientFlag: 'ALLOW_USER_AUTH',
    iam: false,
  },
  refresh: {
    label: 'refresh-token sign-in (REFRESH_TOKEN_AUTH)',
    cognitoFlow: 'REFRESH_TOKEN_AUTH',
    appClientFlag: 'ALLOW_REFRESH_TOKEN_AUTH',
    iam: false,
  },
  'refresh-rotating': {
    label: 'refresh-token sign-in with rotation (GetTokensFromRefreshToken)',
    cognitoFlow: 'GetTokensFromRefreshToken',
    appClientFlag: 'ALLOW_REFRESH_TOKEN_AUTH',
    iam: false,
  },
};

/**
 * `auto`: against a loopback emulator (which needs no AWS credentials and whose seeded client allows
 * every flow) admin password first, because it is one round trip and no SRP arithmetic (measured
 * in-process against the local stack, 30 sign-ins each on a loaded 2-core machine: admin password
 * median 21 ms, SRP 109 ms); against real Cognito SRP first, because it is what a console-created client
 * allows and it needs no AWS credentials. Either way the other one follows when the first cannot be
 * used (flow not enabled, no AWS credentials); a refused password stops at once.
 */
export function autoOrder(endpointIsLoopback: boolean): readonly PasswordFlow[] {
  return endpointIsLoopback ? ['admin-password', 'srp'] : ['srp', 'admin-password'];
}

export function isAuthFlowSetting(value: string): value is AuthFlowSetting {
  return (AUTH_FLOWS as readonly string[]).includes(value);
}

/** One line for the summary: `srp (USER_SRP_AUTH through InitiateAuth)`. */
export function describeUsedFlow(flow: UsedFlow): string {
  if (flow === 'saved') return 'saved token (no Cognito call)';
  if (flow === 'refresh-rotating') return 'refresh-rotating (GetTokensFromRefreshToken)';
  const details = FLOW_DETAILS[flow];
  return `${flow} (${details.cognitoFlow} through ${details.iam ? 'AdminInitiateAuth' : 'InitiateAuth'})`;
}
