/**
 * Sign-in and pool administration against the local stack's Cognito emulator through the real AWS SDK
 * v3, exactly as a client of real Cognito would call it (static dummy credentials: the emulator does not
 * check SigV4, but the SDK still signs).
 */
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface CognitoTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

export function cognitoClient(
  target: Pick<CognitoTarget, 'endpoint' | 'region'>,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: 'AKIALOCALTESTS000000', secretAccessKey: 'local-tests-not-a-secret' },
    maxAttempts: 1,
  });
}

/** AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH; fails unless Cognito answers with tokens. */
export async function adminSignIn(
  target: CognitoTarget,
  username: string,
  password: string,
): Promise<Tokens> {
  const client = cognitoClient(target);
  try {
    const answer = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: target.userPoolId,
        ClientId: target.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const result = answer.AuthenticationResult;
    if (result?.IdToken === undefined || result.AccessToken === undefined) {
      throw new Error(`sign-in returned no tokens (challenge: ${answer.ChallengeName ?? 'none'})`);
    }
    return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken };
  } finally {
    client.destroy();
  }
}

/** Creates another app client in an existing pool, as a second application would have. */
export async function createAppClient(
  target: Pick<CognitoTarget, 'endpoint' | 'region' | 'userPoolId'>,
  name: string,
): Promise<string> {
  const client = cognitoClient(target);
  try {
    const answer = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: target.userPoolId,
        ClientName: name,
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = answer.UserPoolClient?.ClientId;
    if (clientId === undefined) throw new Error('CreateUserPoolClient returned no client id');
    return clientId;
  } finally {
    client.destroy();
  }
}

/**
 * A whole second user pool (pool, app client, user with a permanent password) on the same emulator,
 * so that its tokens are genuinely signed but carry another issuer.
 */
export async function createOtherPool(
  target: Pick<CognitoTarget, 'endpoint' | 'region'>,
  username: string,
  password: string,
): Promise<CognitoTarget> {
  const client = cognitoClient(target);
  try {
    const pool = await client.send(new CreateUserPoolCommand({ PoolName: `other-pool-${Date.now()}` }));
    const userPoolId = pool.UserPool?.Id;
    if (userPoolId === undefined) throw new Error('CreateUserPool returned no pool id');
    const appClient = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'other-client',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
      }),
    );
    const clientId = appClient.UserPoolClient?.ClientId;
    if (clientId === undefined) throw new Error('CreateUserPoolClient returned no client id');
    await client.send(
      new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
    return { endpoint: target.endpoint, region: target.region, userPoolId, clientId };
  } finally {
    client.destroy();
  }
}
