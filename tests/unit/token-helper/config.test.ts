import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../common/cli-error.ts';
import {
  resolveSettings,
  resolveTarget,
  type TokenSettings,
  validateSettings,
} from '../../../token-helper/config.ts';
import type { LocalStackFile } from '../../../token-helper/local-stack-file.ts';

const GOOD_ENV = {
  API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
  AWS_REGION: 'us-east-1',
  COGNITO_USER_POOL_ID: 'us-east-1_AbCdEf123',
  COGNITO_CLIENT_ID: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
  CONTRACT_USERNAME: 'contract-tester',
  CONTRACT_PASSWORD: 'Pa55word!-never-printed',
} as const;

const REQUIRED = Object.keys(GOOD_ENV);

const STACK: LocalStackFile = {
  apiUrl: 'http://127.0.0.1:41000/dev',
  cognitoEndpoint: 'http://127.0.0.1:41001',
  region: 'us-east-1',
  userPoolId: 'local_5Zq1x2Yw',
  clientId: '8kv903dnxpq99ke6cbzzkbe0j',
  username: 'contract-tester',
  password: 'generated-Stack-password-1',
};

function configError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error;
  }
  assert.fail('the configuration was accepted but should not be');
}

describe('the target', () => {
  test('defaults to local, also when CONTRACT_TARGET is empty', () => {
    assert.equal(resolveTarget(undefined, {}), 'local');
    assert.equal(resolveTarget(undefined, { CONTRACT_TARGET: '' }), 'local');
  });

  test('the flag wins over CONTRACT_TARGET', () => {
    assert.equal(resolveTarget('aws', { CONTRACT_TARGET: 'local' }), 'aws');
  });

  test('an unknown target names where it came from and the two choices', () => {
    assert.match(
      configError(() => resolveTarget(undefined, { CONTRACT_TARGET: 'prod' })).message,
      /"prod" in CONTRACT_TARGET: use local .* or aws/,
    );
    assert.match(configError(() => resolveTarget('staging', {})).message, /"staging" in --target/);
  });
});

describe('target aws', () => {
  test('a complete environment gives settings, with a trailing slash removed from API_URL', () => {
    const settings = resolveSettings('aws', { env: { ...GOOD_ENV, API_URL: `${GOOD_ENV.API_URL}/` } });
    assert.deepEqual(settings, {
      target: 'aws',
      apiUrl: GOOD_ENV.API_URL,
      region: 'us-east-1',
      userPoolId: 'us-east-1_AbCdEf123',
      clientId: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
      username: 'contract-tester',
      password: GOOD_ENV.CONTRACT_PASSWORD,
    });
  });

  test('optional keys left empty (as copied from .env.example) count as unset', () => {
    const settings = resolveSettings('aws', {
      env: { ...GOOD_ENV, COGNITO_CLIENT_SECRET: '', COGNITO_ENDPOINT: '', CONTRACT_NEW_PASSWORD: '' },
    });
    assert.equal('clientSecret' in settings, false);
    assert.equal('cognitoEndpoint' in settings, false);
    assert.equal('newPassword' in settings, false);
  });

  test('flags win over the environment', () => {
    const settings = resolveSettings('aws', {
      env: GOOD_ENV,
      flags: { region: 'eu-west-1', 'user-pool-id': 'eu-west-1_Zz9', username: 'other-user' },
    });
    assert.equal(settings.region, 'eu-west-1');
    assert.equal(settings.userPoolId, 'eu-west-1_Zz9');
    assert.equal(settings.username, 'other-user');
  });

  for (const key of REQUIRED) {
    test(`${key} missing is named, with the place to set it`, () => {
      const env: Record<string, string> = { ...GOOD_ENV };
      delete env[key];
      const { message } = configError(() => resolveSettings('aws', { env }));
      assert.match(message, new RegExp(`${key} is missing: set it \\(in \\.env, see \\.env\\.example`));
      assert.match(message, /has a problem:/);
    });

    test(`${key} empty is named as empty`, () => {
      const { message } = configError(() => resolveSettings('aws', { env: { ...GOOD_ENV, [key]: '' } }));
      assert.match(message, new RegExp(`${key} is empty: set it to`));
    });
  }

  test('every missing key is listed in the one message', () => {
    const { message } = configError(() => resolveSettings('aws', { env: {} }));
    assert.match(message, /has 6 problems/);
    for (const key of REQUIRED) assert.ok(message.includes(key), `${key} is listed`);
  });

  const malformed: readonly (readonly [string, string, RegExp])[] = [
    ['API_URL', 'ftp://example.com/dev', /API_URL is not an http\(s\) URL: set it to the stage invoke URL/],
    ['API_URL', 'abc123.execute-api.us-east-1.amazonaws.com/dev', /API_URL is not a URL/],
    ['API_URL', 'https://abc123.execute-api.us-east-1.amazonaws.com/dev\n', /API_URL contains whitespace/],
    [
      'API_URL',
      'https://abc123.execute-api.us-east-1.amazonaws.com/dev?stage=1',
      /API_URL has a query or fragment/,
    ],
    [
      'API_URL',
      'https://abc123.execute-api.us-east-1.amazonaws.com/dev#x',
      /API_URL has a query or fragment/,
    ],
    [
      'API_URL',
      'https://user:pw@abc123.execute-api.us-east-1.amazonaws.com/dev',
      /API_URL contains a user name or password/,
    ],
    ['AWS_REGION', 'us-east', /AWS_REGION \("us-east"\) is not a region like us-east-1/],
    ['AWS_REGION', 'US-EAST-1', /AWS_REGION \("US-EAST-1"\) is not a region/],
    [
      'COGNITO_USER_POOL_ID',
      'AbCdEf123',
      /COGNITO_USER_POOL_ID \("AbCdEf123"\) is not a user pool id like us-east-1_AbCdEf123/,
    ],
    ['COGNITO_USER_POOL_ID', 'local_abc123', /COGNITO_USER_POOL_ID \("local_abc123"\) is not a user pool id/],
    [
      'COGNITO_USER_POOL_ID',
      'eu-west-1_AbCdEf123',
      /belongs to region eu-west-1 but the region is us-east-1/,
    ],
    ['COGNITO_CLIENT_ID', 'not a client', /COGNITO_CLIENT_ID \("not a client"\) is not an app client id/],
    ['COGNITO_CLIENT_SECRET', 'secret with spaces', /COGNITO_CLIENT_SECRET is not a client secret/],
    ['COGNITO_ENDPOINT', 'localhost:9229', /COGNITO_ENDPOINT is not an http\(s\) URL/],
    [
      'COGNITO_ENDPOINT',
      'http://127.0.0.1:9229/local_abc/.well-known/jwks.json',
      /COGNITO_ENDPOINT has a path/,
    ],
    ['CONTRACT_USERNAME', 'contract tester', /CONTRACT_USERNAME contains whitespace/],
    ['CONTRACT_PASSWORD', ' padded-Password1 ', /CONTRACT_PASSWORD starts or ends with whitespace/],
    ['CONTRACT_NEW_PASSWORD', 'line\nbreak', /CONTRACT_NEW_PASSWORD contains a line break/],
  ];
  for (const [key, value, expected] of malformed) {
    test(`${key}=${JSON.stringify(value)} is reported as malformed`, () => {
      const { message } = configError(() => resolveSettings('aws', { env: { ...GOOD_ENV, [key]: value } }));
      assert.match(message, expected);
    });
  }

  test('secrets are never echoed, even when malformed', () => {
    const secret = ' Very-secret-value ';
    const { message } = configError(() =>
      resolveSettings('aws', {
        env: {
          ...GOOD_ENV,
          CONTRACT_PASSWORD: secret,
          CONTRACT_NEW_PASSWORD: secret,
          COGNITO_CLIENT_SECRET: secret,
        },
      }),
    );
    assert.match(message, /has 3 problems/);
    assert.ok(!message.includes(secret.trim()));
  });

  test('a value from .env or a flag is labelled with where it came from', () => {
    const fromDotenv = configError(() =>
      resolveSettings('aws', {
        env: { ...GOOD_ENV, AWS_REGION: 'nowhere' },
        dotenvKeys: new Set(['AWS_REGION']),
      }),
    );
    assert.match(fromDotenv.message, /AWS_REGION \(in \.env\) \("nowhere"\)/);
    const fromFlag = configError(() =>
      resolveSettings('aws', { env: GOOD_ENV, flags: { 'api-url': 'nope' } }),
    );
    assert.match(fromFlag.message, /--api-url is not a URL: pass the stage invoke URL/);
  });

  test('with an emulator endpoint, the emulator pool id shape local_… is accepted', () => {
    const settings = resolveSettings('aws', {
      env: { ...GOOD_ENV, COGNITO_ENDPOINT: 'http://127.0.0.1:9229/', COGNITO_USER_POOL_ID: 'local_abc123' },
    });
    assert.equal(settings.userPoolId, 'local_abc123');
    assert.equal(settings.cognitoEndpoint, 'http://127.0.0.1:9229');
  });
});

describe('target local', () => {
  test('takes every setting from the running stack', () => {
    const settings = resolveSettings('local', { env: {}, stack: STACK });
    assert.deepEqual(settings, {
      target: 'local',
      apiUrl: STACK.apiUrl,
      region: STACK.region,
      userPoolId: STACK.userPoolId,
      clientId: STACK.clientId,
      cognitoEndpoint: STACK.cognitoEndpoint,
      username: STACK.username,
      password: STACK.password,
    });
  });

  test('the shell environment and flags override the stack, .env does not', () => {
    const settings = resolveSettings('local', {
      env: {
        CONTRACT_USERNAME: 'shell-user',
        COGNITO_USER_POOL_ID: 'us-east-1_FromDotenv',
        API_URL: 'http://127.0.0.1:1/dev',
      },
      dotenvKeys: new Set(['COGNITO_USER_POOL_ID']),
      flags: { 'api-url': 'http://127.0.0.1:2/dev' },
      stack: STACK,
    });
    assert.equal(settings.username, 'shell-user');
    assert.equal(settings.userPoolId, STACK.userPoolId);
    assert.equal(settings.apiUrl, 'http://127.0.0.1:2/dev');
  });

  test('without a running stack or settings, says to start the stack in one sentence', () => {
    const { message } = configError(() =>
      resolveSettings('local', {
        env: { CONTRACT_TARGET: 'local', API_URL: '' },
        stackFileLabel: 'environments/generated/local.stack.json',
      }),
    );
    assert.equal(
      message,
      'No local stack is running (environments/generated/local.stack.json does not exist): start the local stack with `npm run stack` in another shell.',
    );
  });

  test('without a stack but with some settings, lists what is missing and mentions the stack', () => {
    const { message } = configError(() =>
      resolveSettings('local', { env: { API_URL: 'http://127.0.0.1:3000/dev' } }),
    );
    assert.match(message, /\(or start the local stack with `npm run stack` in another shell\)/);
    assert.match(message, /COGNITO_USER_POOL_ID is missing/);
  });
});

describe('settings handed over in-process', () => {
  const settings: TokenSettings = {
    target: 'local',
    apiUrl: 'http://127.0.0.1:41000/dev/',
    region: 'us-east-1',
    userPoolId: 'local_abc',
    clientId: 'client1',
    cognitoEndpoint: 'http://127.0.0.1:41001',
    username: 'u',
    password: 'p',
    issuer: 'http://127.0.0.1:41001/local_abc',
  };

  test('are checked with the same rules and normalised', () => {
    assert.deepEqual(validateSettings(settings), { ...settings, apiUrl: 'http://127.0.0.1:41000/dev' });
  });

  test('name the settings field that is wrong', () => {
    const { message } = configError(() => validateSettings({ ...settings, region: 'moon', apiUrl: '' }));
    assert.match(message, /settings\.apiUrl is empty/);
    assert.match(message, /settings\.region \("moon"\) is not a region/);
  });
});

describe('the sign-in flow (CONTRACT_AUTH_FLOW)', () => {
  test('an unknown flow is named once, with the list of flows said once', () => {
    const message = configError(() =>
      resolveSettings('aws', { env: { ...GOOD_ENV, CONTRACT_AUTH_FLOW: 'magic' } }),
    ).message;

    assert.match(
      message,
      /CONTRACT_AUTH_FLOW \("magic"\) is not a sign-in flow: set it to one of auto, srp, admin-srp, admin-password, password, user-auth-srp, user-auth-password \(auto when empty\)\.$/,
    );
    assert.equal(message.split('admin-password').length - 1, 1, `the list appears once: ${message}`);
  });
});
