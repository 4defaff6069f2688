/**
 * Seeds the emulator with what the tutorial creates by hand in the console: a user pool, an app client
 * and a test user. Unlike a console-created user, this one gets a permanent password, so the first
 * sign-in needs no NEW_PASSWORD_REQUIRED challenge (the local stack answers it after SRP, auth-router.ts,
 * but a fresh stack should sign in with one call).
 */
import { randomBytes } from 'node:crypto';
import { type CognitoCall, stringAt } from './json-api.ts';

export interface SeedOptions {
  readonly poolName: string;
  readonly clientName: string;
  readonly username: string;
  /** Omit to generate a random password that satisfies Cognito's default policy. */
  readonly password?: string;
  readonly email: string;
  /** ID and access token lifetime; Cognito's default is 60 minutes. */
  readonly tokenValidityMinutes: number;
  /**
   * Custom scopes (`<resource server>/<scope>`) for a confidential app client: one with a secret, allowed
   * the client_credentials grant and these scopes, the way to an access token a scoped method accepts.
   * Omitted or empty: no such client.
   */
  readonly confidentialScopes?: readonly string[];
}

/** A confidential app client (with a secret) allowed the client_credentials grant. */
export interface ConfidentialClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

export interface SeededPool {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly confidential?: ConfidentialClient;
}

export function generatePassword(): string {
  // Base64url of 18 random bytes, plus one character of each class the default policy requires.
  return `${randomBytes(18).toString('base64url')}aA1!`;
}

/**
 * `call` runs each operation: the emulator's in-process router (`RunningEmulator.call`, what the stack
 * uses: four HTTP round trips fewer at every start) or `callCognito` bound to an endpoint.
 */
export async function seedPool(call: CognitoCall, options: SeedOptions): Promise<SeededPool> {
  const pool = await call('CreateUserPool', {
    PoolName: options.poolName,
    MfaConfiguration: 'OFF',
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  });
  const userPoolId = stringAt(pool, 'UserPool', 'Id');

  const client = await call('CreateUserPoolClient', {
    UserPoolId: userPoolId,
    ClientName: options.clientName,
    // A console-created client's flows (SRP and refresh), plus the two password flows: admin password
    // is the fast default path of `npm run token` locally (one round trip, no SRP arithmetic: median
    // 21 ms against SRP's 109 ms, see token-helper/auth-flow.ts) and USER_PASSWORD_AUTH is the
    // collection's `auth_flow: password`.
    ExplicitAuthFlows: [
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_USER_AUTH',
    ],
    IdTokenValidity: options.tokenValidityMinutes,
    AccessTokenValidity: options.tokenValidityMinutes,
    RefreshTokenValidity: 30,
    TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'days' },
  });
  const clientId = stringAt(client, 'UserPoolClient', 'ClientId');

  const password = options.password ?? generatePassword();
  await call('AdminCreateUser', {
    UserPoolId: userPoolId,
    Username: options.username,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: options.email },
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  await call('AdminSetUserPassword', {
    UserPoolId: userPoolId,
    Username: options.username,
    Password: password,
    Permanent: true,
  });

  const scopes = options.confidentialScopes ?? [];
  let confidential: ConfidentialClient | undefined;
  if (scopes.length > 0) {
    const made = await call('CreateUserPoolClient', {
      UserPoolId: userPoolId,
      ClientName: `${options.clientName}-confidential`,
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [...scopes],
      AccessTokenValidity: options.tokenValidityMinutes,
      TokenValidityUnits: { AccessToken: 'minutes' },
    });
    confidential = {
      clientId: stringAt(made, 'UserPoolClient', 'ClientId'),
      clientSecret: stringAt(made, 'UserPoolClient', 'ClientSecret'),
      scopes,
    };
  }

  return {
    userPoolId,
    clientId,
    username: options.username,
    password,
    ...(confidential ? { confidential } : {}),
  };
}
