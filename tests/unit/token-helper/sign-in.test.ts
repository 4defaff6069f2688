import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  InitiateAuthCommand,
  InternalErrorException,
  InvalidParameterException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import type { TokenSettings } from '../../../token-helper/config.ts';
import { type Diagnosis, SignInError } from '../../../token-helper/diagnosis.ts';
import { refreshSignIn, signIn } from '../../../token-helper/sign-in.ts';
import { AWS_SETTINGS, accessToken, idToken } from '../../support/token-helper-fixtures.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const SECRET = 'c0ntr4ctS3cr3tV4lu3F0rT3st1ngOnly1234567890abcdefgh';
const NEW_PASSWORD = 'N3w-Pa55word!-never-printed';
// Computed with openssl (see secret-hash.test.ts) for contract-tester + the fixture client id.
const SECRET_HASH_VECTOR = 'RF8Wx0kZzrDjecPH7RQ2uiGeAiN1RJNA3VDCsXN2Vfw=';

afterEach(() => cognito.reset());

/** What the SDK attaches to every service error it throws. */
function metadata(httpStatusCode = 400) {
  return {
    httpStatusCode,
    requestId: 'a6d5b2b0-5a4e-4f0e-9a36-1f5d6f4b2c11',
    attempts: 1,
    totalRetryDelay: 0,
  };
}

async function failure(settings: TokenSettings = AWS_SETTINGS): Promise<SignInError> {
  try {
    await signIn(client, settings, { timeoutMs: 5_000 });
  } catch (error) {
    assert.ok(error instanceof SignInError, `expected a SignInError, got ${String(error)}`);
    return error;
  }
  assert.fail('sign-in succeeded but a failure was expected');
}

function assertOneSentenceWithoutSecrets(message: string, ...secrets: string[]): void {
  assert.doesNotMatch(message, /\n/, 'one line');
  assert.match(message, /^[A-Z`].*: .*\.$/, 'a sentence: problem, colon, fix, full stop');
  for (const secret of [AWS_SETTINGS.password, ...secrets])
    assert.ok(!message.includes(secret), 'no secret in the message');
}

describe('a successful sign-in', () => {
  test('sends AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH and returns the tokens', async () => {
    const id = idToken();
    const access = accessToken();
    cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: {
        IdToken: id,
        AccessToken: access,
        RefreshToken: 'refresh',
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
      ChallengeParameters: {},
      $metadata: metadata(200),
    });

    const tokens = await signIn(client, AWS_SETTINGS, { timeoutMs: 5_000 });

    assert.deepEqual(tokens, {
      idToken: id,
      accessToken: access,
      refreshToken: 'refresh',
      passwordChanged: false,
      flow: 'admin-password',
    });
    const [call] = cognito.commandCalls(AdminInitiateAuthCommand);
    assert.deepEqual(call?.args[0].input, {
      UserPoolId: AWS_SETTINGS.userPoolId,
      ClientId: AWS_SETTINGS.clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'contract-tester', PASSWORD: AWS_SETTINGS.password },
    });
  });

  test('adds SECRET_HASH, equal to the known vector, exactly when a client secret is configured', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { IdToken: idToken() } });

    await signIn(client, { ...AWS_SETTINGS, clientSecret: SECRET }, { timeoutMs: 5_000 });
    await signIn(client, AWS_SETTINGS, { timeoutMs: 5_000 });

    const [withSecret, withoutSecret] = cognito.commandCalls(AdminInitiateAuthCommand);
    assert.equal(withSecret?.args[0].input.AuthParameters?.SECRET_HASH, SECRET_HASH_VECTOR);
    assert.ok(withoutSecret !== undefined);
    assert.equal('SECRET_HASH' in (withoutSecret.args[0].input.AuthParameters ?? {}), false);
  });

  test('a result without an ID token is a failure, not an empty token', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken() } });
    const error = await failure();
    assert.equal(error.diagnosis, 'unexpected-answer');
    assert.match(error.message, /returned no ID token/);
  });

  test('an answer with neither tokens nor a challenge is a failure', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({ $metadata: metadata(200) });
    const error = await failure();
    assert.equal(error.diagnosis, 'unexpected-answer');
    assert.match(error.message, /neither tokens nor a challenge/);
  });
});

describe('the NEW_PASSWORD_REQUIRED challenge', () => {
  const challenge = {
    ChallengeName: 'NEW_PASSWORD_REQUIRED' as const,
    Session: 'AYABeSessionToken',
    ChallengeParameters: {
      USER_ID_FOR_SRP: 'contract-tester',
      requiredAttributes: '[]',
      userAttributes: '{"email":"contract-tester@example.com"}',
    },
  };

  test('is answered with AdminRespondToAuthChallenge when CONTRACT_NEW_PASSWORD is set', async () => {
    const id = idToken();
    cognito.on(AdminInitiateAuthCommand).resolves(challenge);
    cognito.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { IdToken: id } });

    const tokens = await signIn(client, { ...AWS_SETTINGS, newPassword: NEW_PASSWORD }, { timeoutMs: 5_000 });

    assert.equal(tokens.idToken, id);
    assert.equal(tokens.passwordChanged, true);
    const [call] = cognito.commandCalls(AdminRespondToAuthChallengeCommand);
    assert.deepEqual(call?.args[0].input, {
      UserPoolId: AWS_SETTINGS.userPoolId,
      ClientId: AWS_SETTINGS.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 'AYABeSessionToken',
      ChallengeResponses: { USERNAME: 'contract-tester', NEW_PASSWORD: NEW_PASSWORD },
    });
  });

  test('answers for USER_ID_FOR_SRP and hashes the secret with it after an alias sign-in', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({
      ...challenge,
      ChallengeParameters: { ...challenge.ChallengeParameters, USER_ID_FOR_SRP: 'contract-tester' },
    });
    cognito.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { IdToken: idToken() } });

    await signIn(
      client,
      {
        ...AWS_SETTINGS,
        username: 'contract-tester@example.com',
        clientSecret: SECRET,
        newPassword: NEW_PASSWORD,
      },
      { timeoutMs: 5_000 },
    );

    const responses = cognito.commandCalls(AdminRespondToAuthChallengeCommand)[0]?.args[0].input
      .ChallengeResponses;
    assert.equal(responses?.USERNAME, 'contract-tester');
    assert.equal(responses?.SECRET_HASH, SECRET_HASH_VECTOR);
  });

  test('stops with a sentence naming CONTRACT_NEW_PASSWORD when none is set, without answering', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves(challenge);

    const error = await failure();

    assert.equal(error.diagnosis, 'new-password-required');
    assert.match(error.message, /NEW_PASSWORD_REQUIRED.*set CONTRACT_NEW_PASSWORD/);
    assertOneSentenceWithoutSecrets(error.message);
    assert.equal(cognito.commandCalls(AdminRespondToAuthChallengeCommand).length, 0);
  });

  test('a new password the policy refuses is reported as such, without the password', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves(challenge);
    cognito.on(AdminRespondToAuthChallengeCommand).rejects(
      new InvalidPasswordException({
        message: 'Password does not conform to policy: Password must have symbol characters',
        $metadata: metadata(),
      }),
    );

    const error = await failure({ ...AWS_SETTINGS, newPassword: NEW_PASSWORD });

    assert.equal(error.diagnosis, 'new-password-rejected');
    assert.match(error.message, /CONTRACT_NEW_PASSWORD.*password policy/);
    assertOneSentenceWithoutSecrets(error.message, NEW_PASSWORD);
  });

  test('the emulator, which cannot answer the challenge, is reported with the way around it', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves(challenge);
    cognito.on(AdminRespondToAuthChallengeCommand).rejects(
      Object.assign(
        new CognitoIdentityProviderServiceException({
          name: 'CognitoLocal#Unsupported',
          $fault: 'server',
          message: 'Cognito Local unsupported feature: AdminRespondToAuthChallenge',
          $metadata: metadata(500),
        }),
      ),
    );

    const error = await failure({ ...AWS_SETTINGS, newPassword: NEW_PASSWORD });

    assert.equal(error.diagnosis, 'emulator-unsupported');
    assert.match(error.message, /emulator does not support/);
  });
});

describe('other challenges stop with their name and what to do', () => {
  for (const [name, fix] of [
    ['SOFTWARE_TOKEN_MFA', /without MFA/],
    ['SMS_MFA', /without MFA/],
    ['MFA_SETUP', /without MFA/],
    ['CUSTOM_CHALLENGE', /custom authentication Lambda triggers/],
    ['DEVICE_SRP_AUTH', /device tracking/],
    ['SELECT_CHALLENGE', /password alone/],
  ] as const) {
    test(name, async () => {
      cognito
        .on(AdminInitiateAuthCommand)
        .resolves({ ChallengeName: name, Session: 'session', ChallengeParameters: {} });
      const error = await failure();
      assert.equal(error.diagnosis, 'unsupported-challenge');
      assert.ok(error.message.includes(name), 'names the challenge');
      assert.match(error.message, fix);
      assertOneSentenceWithoutSecrets(error.message);
    });
  }
});

function nodeError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields, { $metadata: { attempts: 2, totalRetryDelay: 21 } });
}

describe('each Cognito or network failure becomes one sentence with the fix', () => {
  const cases: readonly {
    readonly title: string;
    readonly error: () => unknown;
    readonly expected: RegExp;
    readonly diagnosis: Diagnosis;
    readonly settings?: TokenSettings;
  }[] = [
    {
      title: 'wrong password (NotAuthorizedException)',
      diagnosis: 'wrong-credentials',
      error: () =>
        new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: metadata() }),
      expected:
        /rejected the password for user "contract-tester".*check CONTRACT_USERNAME and CONTRACT_PASSWORD/,
    },
    {
      title: 'wrong password, as the emulator says it (InvalidPasswordException)',
      diagnosis: 'wrong-credentials',
      error: () => new InvalidPasswordException({ message: 'Invalid password', $metadata: metadata() }),
      expected:
        /rejected the password for user "contract-tester".*check CONTRACT_USERNAME and CONTRACT_PASSWORD/,
    },
    {
      title: 'disabled user',
      diagnosis: 'user-disabled',
      error: () => new NotAuthorizedException({ message: 'User is disabled.', $metadata: metadata() }),
      expected: /"contract-tester" is disabled.*admin-enable-user/,
    },
    {
      title: 'too many failed attempts',
      diagnosis: 'too-many-attempts',
      error: () =>
        new NotAuthorizedException({ message: 'Password attempts exceeded', $metadata: metadata() }),
      expected: /too many failed attempts: wait/,
    },
    {
      title: 'unknown user (UserNotFoundException)',
      diagnosis: 'user-not-found',
      error: () => new UserNotFoundException({ message: 'User does not exist.', $metadata: metadata() }),
      expected: /no user "contract-tester" in pool us-east-1_AbCdEf123: check CONTRACT_USERNAME/,
    },
    {
      title: 'unconfirmed user',
      diagnosis: 'user-not-confirmed',
      error: () =>
        new UserNotConfirmedException({ message: 'User is not confirmed.', $metadata: metadata() }),
      expected: /not confirmed: confirm it with `aws cognito-idp admin-confirm-sign-up/,
    },
    {
      title: 'password reset required',
      diagnosis: 'password-reset-required',
      error: () =>
        new PasswordResetRequiredException({
          message: 'Password reset required for the user',
          $metadata: metadata(),
        }),
      expected: /must reset the password: .*admin-set-user-password/,
    },
    {
      title: 'auth flow not enabled on the app client',
      diagnosis: 'flow-not-enabled',
      error: () =>
        new InvalidParameterException({
          message: 'Auth flow not enabled for this client',
          $metadata: metadata(),
        }),
      expected:
        /app client 4gp8i9qbc1ebh2e3r0d5vnbu1k does not allow admin password sign-in: enable ALLOW_ADMIN_USER_PASSWORD_AUTH/,
    },
    {
      title: 'wrong pool id',
      diagnosis: 'pool-not-found',
      error: () =>
        new ResourceNotFoundException({
          message: 'User pool us-east-1_AbCdEf123 does not exist.',
          $metadata: metadata(),
        }),
      expected:
        /no user pool us-east-1_AbCdEf123 in region us-east-1.*check COGNITO_USER_POOL_ID and AWS_REGION/,
    },
    {
      title: 'wrong client id',
      diagnosis: 'client-not-found',
      error: () =>
        new ResourceNotFoundException({
          message: 'User pool client 4gp8i9qbc1ebh2e3r0d5vnbu1k does not exist.',
          $metadata: metadata(),
        }),
      expected: /no app client 4gp8i9qbc1ebh2e3r0d5vnbu1k in pool.*check COGNITO_CLIENT_ID/,
    },
    {
      title: 'no AWS credentials (CredentialsProviderError, as the SDK throws it)',
      diagnosis: 'no-aws-credentials',
      error: () =>
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
          tryNextLink: false,
        }),
      expected: /No AWS credentials found.*set AWS_PROFILE or AWS_ACCESS_KEY_ID/,
    },
    {
      title: 'credentials AWS does not recognise',
      diagnosis: 'aws-credentials-rejected',
      error: () =>
        new CognitoIdentityProviderServiceException({
          name: 'UnrecognizedClientException',
          $fault: 'client',
          message: 'The security token included in the request is invalid.',
          $metadata: metadata(),
        }),
      expected: /AWS rejected the credentials \(UnrecognizedClientException\)/,
    },
    {
      title: 'credentials without the IAM permission',
      diagnosis: 'access-denied',
      error: () =>
        new CognitoIdentityProviderServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message:
            'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cognito-idp:AdminInitiateAuth',
          $metadata: metadata(),
        }),
      expected: /allow cognito-idp:AdminInitiateAuth/,
    },
    {
      title: 'SECRET_HASH missing: the client has a secret, none configured',
      diagnosis: 'secret-hash-missing',
      error: () =>
        new NotAuthorizedException({
          message: 'Client 4gp8i9qbc1ebh2e3r0d5vnbu1k is configured for secret but secret was not received',
          $metadata: metadata(),
        }),
      expected: /has a client secret: set COGNITO_CLIENT_SECRET/,
    },
    {
      title: 'SECRET_HASH missing, worded as "Unable to verify secret hash"',
      diagnosis: 'secret-hash-missing',
      error: () =>
        new NotAuthorizedException({
          message: 'Unable to verify secret hash for client 4gp8i9qbc1ebh2e3r0d5vnbu1k',
          $metadata: metadata(),
        }),
      expected: /has a client secret: set COGNITO_CLIENT_SECRET/,
    },
    {
      title: 'SECRET_HASH wrong: a secret is configured but does not match',
      diagnosis: 'secret-hash-mismatch',
      settings: { ...AWS_SETTINGS, clientSecret: SECRET },
      error: () =>
        new NotAuthorizedException({
          message: 'Unable to verify secret hash for client 4gp8i9qbc1ebh2e3r0d5vnbu1k',
          $metadata: metadata(),
        }),
      expected:
        /COGNITO_CLIENT_SECRET does not match app client 4gp8i9qbc1ebh2e3r0d5vnbu1k: copy the secret again/,
    },
    {
      title: 'connection refused (the stack is not running)',
      diagnosis: 'unreachable',
      settings: { ...AWS_SETTINGS, target: 'local', cognitoEndpoint: 'http://127.0.0.1:9229' },
      error: () =>
        nodeError('connect ECONNREFUSED 127.0.0.1:9229', {
          errno: -111,
          code: 'ECONNREFUSED',
          syscall: 'connect',
          address: '127.0.0.1',
          port: 9229,
        }),
      expected:
        /Cannot reach Cognito at http:\/\/127\.0\.0\.1:9229 \(connection refused\): start the local stack with `npm run stack`/,
    },
    {
      title: 'connection refused on every address of a name (AggregateError)',
      diagnosis: 'unreachable',
      settings: { ...AWS_SETTINGS, cognitoEndpoint: 'http://localhost:9229' },
      error: () =>
        Object.assign(
          new AggregateError([nodeError('connect ECONNREFUSED ::1:9229', { code: 'ECONNREFUSED' })], ''),
          { $metadata: { attempts: 2 } },
        ),
      expected:
        /Cannot reach Cognito at http:\/\/localhost:9229 \(connection refused\): check COGNITO_ENDPOINT/,
    },
    {
      title: 'host not found',
      diagnosis: 'unreachable',
      error: () =>
        nodeError('getaddrinfo ENOTFOUND cognito-idp.us-east-1.amazonaws.com', {
          errno: -3008,
          code: 'ENOTFOUND',
          syscall: 'getaddrinfo',
          hostname: 'cognito-idp.us-east-1.amazonaws.com',
        }),
      expected:
        /Cannot reach Cognito at https:\/\/cognito-idp\.us-east-1\.amazonaws\.com \(host not found\): check AWS_REGION, your network/,
    },
    {
      title: 'request timeout (TimeoutError, as @smithy/node-http-handler throws it)',
      diagnosis: 'timeout',
      error: () =>
        nodeError(
          '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 5000 ms requestTimeout.',
          {
            name: 'TimeoutError',
            code: 'ETIMEDOUT',
          },
        ),
      expected: /did not answer within 5 s/,
    },
    {
      title: 'request timeout (RequestTimeout)',
      diagnosis: 'timeout',
      error: () => nodeError('Request timed out', { name: 'RequestTimeout' }),
      expected: /did not answer within 5 s/,
    },
    {
      title: 'overall deadline (AbortError)',
      diagnosis: 'timeout',
      error: () => Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      expected: /did not answer within 5 s/,
    },
    {
      title: 'throttling (TooManyRequestsException)',
      diagnosis: 'throttled',
      error: () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: metadata() }),
      expected: /throttling sign-ins \(TooManyRequestsException\): wait a minute/,
    },
    {
      title: 'throttling (LimitExceededException)',
      diagnosis: 'throttled',
      error: () => new LimitExceededException({ message: 'Attempt limit exceeded', $metadata: metadata() }),
      expected: /throttling sign-ins \(LimitExceededException\)/,
    },
    {
      title: 'Cognito internal error',
      diagnosis: 'cognito-unavailable',
      error: () => new InternalErrorException({ message: 'Internal error', $metadata: metadata(500) }),
      expected: /internal error \(InternalErrorException\): wait a moment/,
    },
    {
      title: 'an unforeseen error keeps its name, with any configured secret scrubbed from its message',
      diagnosis: 'unknown-cognito-error',
      settings: { ...AWS_SETTINGS, clientSecret: SECRET },
      error: () =>
        new CognitoIdentityProviderServiceException({
          name: 'SomethingNewException',
          $fault: 'client',
          message: `Value ${AWS_SETTINGS.password} and ${SECRET} failed`,
          $metadata: metadata(),
        }),
      expected:
        /Cognito sign-in failed \(SomethingNewException: Value \[redacted\] and \[redacted\] failed\): run again with --debug/,
    },
  ];

  for (const { title, error, expected, diagnosis, settings } of cases) {
    test(`${title}: ${diagnosis}`, async () => {
      cognito.on(AdminInitiateAuthCommand).rejects(error() as Error);
      const failed = await failure(settings);
      assert.equal(failed.diagnosis, diagnosis);
      assert.match(failed.message, expected);
      assertOneSentenceWithoutSecrets(failed.message, SECRET);
      assert.equal(failed.exitCode, 1);
    });
  }
});

describe('auto against real Cognito (answers only AWS gives: the local emulator is reached on loopback)', () => {
  const AUTO: TokenSettings = { ...AWS_SETTINGS, authFlow: 'auto' };
  const srpNotEnabled = () =>
    new InvalidParameterException({
      message: 'USER_SRP_AUTH is not enabled for the client.',
      $metadata: metadata(),
    });

  test('tries SRP first, through the public InitiateAuth, and says so', async () => {
    cognito.on(InitiateAuthCommand).rejects(srpNotEnabled());
    cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { IdToken: idToken() } });

    const tokens = await signIn(client, AUTO, { timeoutMs: 5_000 });

    const [first] = cognito.commandCalls(InitiateAuthCommand);
    assert.equal(first?.args[0].input.AuthFlow, 'USER_SRP_AUTH');
    assert.match(first?.args[0].input.AuthParameters?.SRP_A ?? '', /^[0-9a-f]{700,}$/);
    assert.equal(tokens.flow, 'admin-password', 'then the admin flow, which the client allows');
  });

  test('stops at a refused password instead of trying the next flow', async () => {
    cognito.on(InitiateAuthCommand).rejects(srpNotEnabled());
    cognito
      .on(AdminInitiateAuthCommand)
      .rejects(
        new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: metadata() }),
      );
    const error = await failure(AUTO);
    assert.equal(error.diagnosis, 'wrong-credentials');
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
  });

  test('a client that allows neither flow gets one sentence naming both flags', async () => {
    cognito.on(InitiateAuthCommand).rejects(srpNotEnabled());
    cognito.on(AdminInitiateAuthCommand).rejects(
      new InvalidParameterException({
        message: 'Auth flow not enabled for this client',
        $metadata: metadata(),
      }),
    );
    const error = await failure(AUTO);
    assert.equal(error.diagnosis, 'flow-not-enabled');
    assert.match(
      error.message,
      /allows none of SRP sign-in \(USER_SRP_AUTH\) and admin password sign-in: enable ALLOW_USER_SRP_AUTH or ALLOW_ADMIN_USER_PASSWORD_AUTH in its authentication flows \(console: App clients, Edit\)/,
    );
    assertOneSentenceWithoutSecrets(error.message);
  });

  test('SRP not enabled and no AWS credentials for the admin flow reports the credentials', async () => {
    cognito.on(InitiateAuthCommand).rejects(srpNotEnabled());
    cognito.on(AdminInitiateAuthCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const error = await failure(AUTO);
    assert.equal(error.diagnosis, 'no-aws-credentials');
    assert.match(error.message, /or use --auth-flow srp, which needs none\.$/);
  });
});

describe('each flow refused by the app client names the flow, its flag and the console place', () => {
  for (const [authFlow, admin, flag] of [
    ['srp', false, 'ALLOW_USER_SRP_AUTH'],
    ['admin-srp', true, 'ALLOW_USER_SRP_AUTH'],
    ['password', false, 'ALLOW_USER_PASSWORD_AUTH'],
    ['admin-password', true, 'ALLOW_ADMIN_USER_PASSWORD_AUTH'],
  ] as const) {
    test(`${authFlow}: ${flag}`, async () => {
      (admin ? cognito.on(AdminInitiateAuthCommand) : cognito.on(InitiateAuthCommand)).rejects(
        new InvalidParameterException({
          message: 'Auth flow not enabled for this client',
          $metadata: metadata(),
        }),
      );
      const error = await failure({ ...AWS_SETTINGS, authFlow });
      assert.equal(error.diagnosis, 'flow-not-enabled');
      assert.match(
        error.message,
        new RegExp(`enable ${flag} in its authentication flows \\(console: App clients, Edit\\)`),
      );
      assertOneSentenceWithoutSecrets(error.message);
    });
  }
});

describe('refresh', () => {
  test('REFRESH_TOKEN_AUTH hashes the secret with the username Cognito assigned, and keeps the refresh token', async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: idToken(), AccessToken: accessToken() } });

    const tokens = await refreshSignIn(
      client,
      { ...AWS_SETTINGS, username: 'contract-tester@example.com', clientSecret: SECRET },
      { refreshToken: 'the-refresh-token', cognitoUsername: 'contract-tester' },
      { timeoutMs: 5_000 },
    );

    assert.deepEqual(cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input, {
      ClientId: AWS_SETTINGS.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'the-refresh-token', SECRET_HASH: SECRET_HASH_VECTOR },
    });
    assert.equal(tokens.refreshToken, 'the-refresh-token');
    assert.equal(tokens.flow, 'refresh');
  });
});
