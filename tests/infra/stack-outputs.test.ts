import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STACK_NAME } from '../../infra/deployment-names.ts';
import { envUpdatesFromOutputs, optionalOutput, StackOutputsError } from '../../infra/stack-outputs.ts';

const outputs = {
  [STACK_NAME]: {
    ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
    Region: 'eu-west-1',
    UserPoolId: 'eu-west-1_AbCdEf123',
    UserPoolClientId: '1example23456789',
    HostedUiUrl: 'https://hello-api-123.auth.eu-west-1.amazoncognito.com/login?client_id=1example23456789',
  },
};

describe('envUpdatesFromOutputs', () => {
  test('maps the stack outputs onto the .env keys the suite reads', () => {
    assert.deepEqual(envUpdatesFromOutputs(outputs, STACK_NAME), {
      API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      AWS_REGION: 'eu-west-1',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
      COGNITO_CLIENT_ID: '1example23456789',
    });
  });

  test('names every missing or empty output at once', () => {
    const partial = { [STACK_NAME]: { ApiUrl: '', Region: 'eu-west-1' } };
    assert.throws(
      () => envUpdatesFromOutputs(partial, STACK_NAME),
      (error: unknown) =>
        error instanceof StackOutputsError &&
        /ApiUrl, UserPoolId, UserPoolClientId: run `npm run deploy`/.test(error.message),
    );
  });

  test('refuses a file without the stack, or one that is not an object', () => {
    assert.throws(() => envUpdatesFromOutputs({ Other: {} }, STACK_NAME), /no stack named/);
    assert.throws(() => envUpdatesFromOutputs(null, STACK_NAME), /no stack named/);
  });

  test('reads the hosted UI URL as an optional, human-facing output', () => {
    assert.match(
      optionalOutput(outputs, STACK_NAME, 'HostedUiUrl') ?? '',
      /^https:\/\/hello-api-123\.auth\./,
    );
    assert.equal(optionalOutput({}, STACK_NAME, 'HostedUiUrl'), undefined);
  });
});
