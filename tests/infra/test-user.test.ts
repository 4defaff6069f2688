import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError, UserError } from '../../common/cli-error.ts';
import { ensureTestUser, testUserSettings } from '../../infra/test-user.ts';

const settings = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  username: 'qa@example.com',
  password: 'Sup3r-secret!',
};

function serviceError(name: string, message = name) {
  return new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata: {} });
}

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: settings.region });

describe('ensureTestUser', () => {
  beforeEach(() => cognito.reset());

  test('creates a new user silently, verified, then sets its password as permanent', async () => {
    cognito.on(AdminCreateUserCommand).resolves({});
    cognito.on(AdminSetUserPasswordCommand).resolves({});

    assert.equal(await ensureTestUser(client, settings), 'created');

    const [create] = cognito.commandCalls(AdminCreateUserCommand);
    assert.deepEqual(create?.args[0].input, {
      UserPoolId: settings.userPoolId,
      Username: settings.username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: settings.username },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    const [setPassword] = cognito.commandCalls(AdminSetUserPasswordCommand);
    assert.deepEqual(setPassword?.args[0].input, {
      UserPoolId: settings.userPoolId,
      Username: settings.username,
      Password: settings.password,
      Permanent: true,
    });
    assert.equal(cognito.commandCalls(AdminEnableUserCommand).length, 0);
  });

  test('resets an existing user: enables it and sets the password again', async () => {
    cognito.on(AdminCreateUserCommand).rejects(serviceError('UsernameExistsException'));
    cognito.on(AdminEnableUserCommand).resolves({});
    cognito.on(AdminSetUserPasswordCommand).resolves({});

    assert.equal(await ensureTestUser(client, settings), 'reset');
    assert.equal(cognito.commandCalls(AdminEnableUserCommand).length, 1);
    assert.equal(cognito.commandCalls(AdminSetUserPasswordCommand).length, 1);
  });

  const cases: [string, RegExp][] = [
    [
      'ResourceNotFoundException',
      /User pool eu-west-1_AbCdEf123 does not exist in eu-west-1: run `npm run deploy`/,
    ],
    ['InvalidPasswordException', /CONTRACT_PASSWORD does not meet the pool's password policy/],
    [
      'AccessDeniedException',
      /may not manage users of eu-west-1_AbCdEf123: allow cognito-idp:AdminCreateUser/,
    ],
    ['UnrecognizedClientException', /AWS rejected the credentials/],
    ['CredentialsProviderError', /No AWS credentials were found/],
  ];
  for (const [name, expected] of cases) {
    test(`turns ${name} into one sentence with the fix, without the password`, async () => {
      cognito.on(AdminCreateUserCommand).resolves({});
      cognito.on(AdminSetUserPasswordCommand).rejects(serviceError(name));
      await assert.rejects(ensureTestUser(client, settings), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, expected);
        assert.doesNotMatch(error.message, /Sup3r-secret!/);
        return true;
      });
    });
  }

  test('an unreachable region ends in an error naming AWS_REGION, not a hang', async () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND cognito-idp.eu-west-9.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    cognito.on(AdminCreateUserCommand).rejects(offline);
    await assert.rejects(ensureTestUser(client, settings), /could not be reached: check AWS_REGION/);
  });

  test('an error nobody can act on passes through unchanged for --debug', async () => {
    const odd = serviceError('InternalErrorException');
    cognito.on(AdminCreateUserCommand).rejects(odd);
    await assert.rejects(ensureTestUser(client, settings), (error: unknown) => error === odd);
  });
});

describe('testUserSettings', () => {
  test('lists every missing key in one usage error', () => {
    assert.throws(
      () => testUserSettings({ AWS_REGION: 'eu-west-1', CONTRACT_PASSWORD: '' }),
      (error: unknown) =>
        error instanceof UsageError &&
        /^Missing COGNITO_USER_POOL_ID, CONTRACT_USERNAME, CONTRACT_PASSWORD in \.env/.test(error.message),
    );
  });

  test('refuses a username that is not an e-mail address, since the pool signs in by e-mail', () => {
    assert.throws(
      () =>
        testUserSettings({
          AWS_REGION: 'eu-west-1',
          COGNITO_USER_POOL_ID: 'eu-west-1_x',
          CONTRACT_USERNAME: 'qa',
          CONTRACT_PASSWORD: 'x',
        }),
      /must be an e-mail address/,
    );
  });

  test('reads a complete environment into settings', () => {
    assert.deepEqual(
      testUserSettings({
        AWS_REGION: settings.region,
        COGNITO_USER_POOL_ID: settings.userPoolId,
        CONTRACT_USERNAME: settings.username,
        CONTRACT_PASSWORD: settings.password,
      }),
      settings,
    );
  });
});
