import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { UserError } from '../../../common/cli-error.ts';
import { type ObtainTokenOptions, obtainToken } from '../../../token-helper/obtain-token.ts';
import { parsePostmanEnvironment } from '../../../token-helper/postman-environment.ts';
import {
  AWS_SETTINGS,
  accessToken,
  idToken,
  NOW,
  NOW_SECONDS,
  TEMPLATE,
  type Workspace,
  workspace,
} from '../../support/token-helper-fixtures.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
let ws: Workspace;

beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  cognito.reset();
  await ws.remove();
});

function options(extra: Partial<ObtainTokenOptions> = {}): ObtainTokenOptions {
  return { client, templatePath: ws.template, outPath: ws.out, now: () => NOW, ...extra };
}

function signInAnswers(token: string = idToken()): void {
  cognito.on(AdminInitiateAuthCommand).resolves({
    AuthenticationResult: {
      IdToken: token,
      AccessToken: accessToken(),
      RefreshToken: 'refresh-token',
      ExpiresIn: 3600,
    },
  });
}

async function written(): Promise<ReturnType<typeof parsePostmanEnvironment>> {
  return parsePostmanEnvironment(JSON.parse(await readFile(ws.out, 'utf8')));
}

function value(environment: ReturnType<typeof parsePostmanEnvironment>, key: string) {
  return environment.values.find((variable) => variable.key === key);
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    return error;
  }
  assert.fail('expected a failure');
}

describe('a fresh sign-in', () => {
  test('writes the template filled with baseUrl, id_token (secret), its expiry and the declared Cognito settings', async () => {
    const token = idToken();
    signInAnswers(token);

    const result = await obtainToken(AWS_SETTINGS, options());

    const environment = await written();
    assert.equal(value(environment, 'baseUrl')?.value, AWS_SETTINGS.apiUrl);
    assert.deepEqual(value(environment, 'id_token'), {
      key: 'id_token',
      value: token,
      type: 'secret',
      enabled: true,
    });
    assert.equal(value(environment, 'id_token_exp')?.value, String(NOW_SECONDS + 3600));
    assert.equal(
      value(environment, 'cognito_endpoint')?.value,
      'https://cognito-idp.us-east-1.amazonaws.com/',
    );
    assert.equal(value(environment, 'aws_region')?.value, 'us-east-1');
    assert.equal(value(environment, 'cognito_client_id')?.value, AWS_SETTINGS.clientId);
    assert.equal(value(environment, 'username')?.value, 'contract-tester');
    assert.equal(
      value(environment, 'cognito_user_pool_id'),
      undefined,
      'not declared by the template, not added',
    );
    assert.equal(value(environment, 'max_response_ms')?.value, '10000', 'other template values kept');
    assert.equal(environment.id, TEMPLATE.id);
    assert.equal(environment.name, TEMPLATE.name);
    assert.equal(result.reused, false);
    assert.equal(result.path, ws.out);
    assert.deepEqual(result.claims, {
      sub: 'a1b2c3d4-0000-4000-8000-000000000001',
      username: 'contract-tester',
      iss: `https://cognito-idp.us-east-1.amazonaws.com/${AWS_SETTINGS.userPoolId}`,
      aud: AWS_SETTINGS.clientId,
      exp: NOW_SECONDS + 3600,
      email: 'contract-tester@example.com',
    });
  });

  test('the file is mode 0600 and the password is not in it', async () => {
    signInAnswers();
    await obtainToken(AWS_SETTINGS, options());
    assert.equal((await stat(ws.out)).mode & 0o777, 0o600);
    assert.ok(!(await readFile(ws.out, 'utf8')).includes(AWS_SETTINGS.password));
  });

  test('the committed template is not modified', async () => {
    const before = await readFile(ws.template, 'utf8');
    signInAnswers();
    await obtainToken(AWS_SETTINGS, options());
    assert.equal(await readFile(ws.template, 'utf8'), before);
  });

  test('extra values are merged in as secrets, replacing the template slot', async () => {
    signInAnswers();
    await obtainToken(
      AWS_SETTINGS,
      options({ extraValues: { attack_access_token: 'attack-1', attack_new: 'attack-2' } }),
    );
    const environment = await written();
    assert.deepEqual(value(environment, 'attack_access_token'), {
      key: 'attack_access_token',
      value: 'attack-1',
      type: 'secret',
      enabled: true,
    });
    assert.equal(value(environment, 'attack_new')?.type, 'secret');
  });

  test('extra values may not replace the variables the helper owns', async () => {
    signInAnswers();
    await assert.rejects(
      obtainToken(AWS_SETTINGS, options({ extraValues: { id_token: 'x' } })),
      /may not set "id_token"/,
    );
  });

  test('tokens are on the result but hidden from console.log and JSON.stringify', async () => {
    const token = idToken();
    signInAnswers(token);
    const result = await obtainToken(AWS_SETTINGS, options());
    assert.equal(result.idToken, token);
    assert.ok(result.accessToken?.startsWith('ey'));
    assert.equal(result.refreshToken, 'refresh-token');
    assert.equal(parsePostmanEnvironment(result.environment).values.length > 0, true);
    for (const shown of [inspect(result, { depth: 5 }), JSON.stringify(result)]) {
      assert.ok(!shown.includes(token), 'no id token');
      assert.ok(!shown.includes('refresh-token'), 'no refresh token');
    }
  });

  test('write: false returns the environment without reading or writing a file', async () => {
    signInAnswers();
    const result = await obtainToken(AWS_SETTINGS, options({ write: false }));
    assert.equal(result.path, undefined);
    assert.deepEqual(await readdir(ws.dir), ['template.postman_environment.json']);
    assert.equal(
      result.environment.values.find((variable) => variable.key === 'id_token')?.value,
      result.idToken,
    );
  });

  test('a token issued by another pool than configured is refused', async () => {
    signInAnswers(idToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }));
    const error = await rejection(obtainToken(AWS_SETTINGS, options()));
    assert.match(error.message, /not from pool us-east-1_AbCdEf123: check COGNITO_USER_POOL_ID/);
  });

  test('an ID token that is not a JWT is a clear failure', async () => {
    signInAnswers('not-a-jwt');
    const error = await rejection(obtainToken(AWS_SETTINGS, options()));
    assert.match(
      error.message,
      /ID token the helper cannot read \(it does not have three dot-separated parts\)/,
    );
  });
});

describe('reusing the saved token', () => {
  async function saveToken(token: string, baseUrl: string = AWS_SETTINGS.apiUrl): Promise<void> {
    signInAnswers(token);
    await obtainToken({ ...AWS_SETTINGS, apiUrl: baseUrl }, options());
    cognito.reset();
  }

  test('a token with more than 5 minutes left is reused without calling Cognito', async () => {
    const token = idToken({}, 301);
    await saveToken(token);

    const result = await obtainToken(AWS_SETTINGS, options());

    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 0);
    assert.equal(result.reused, true);
    assert.equal(result.idToken, token);
  });

  test('a token with 5 minutes or less left is replaced', async () => {
    await saveToken(idToken({}, 300));
    signInAnswers();
    const result = await obtainToken(AWS_SETTINGS, options());
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
    assert.equal(result.reused, false);
  });

  test('--force signs in even when the token is good', async () => {
    await saveToken(idToken());
    signInAnswers();
    await obtainToken(AWS_SETTINGS, options({ force: true }));
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
  });

  const mismatches = [
    ['the API URL changed', { apiUrl: 'https://other.execute-api.us-east-1.amazonaws.com/dev' }],
    ['the pool changed', { userPoolId: 'us-east-1_Different1' }],
    ['the app client changed', { clientId: 'anotherclient000000000000' }],
    ['the user changed', { username: 'someone-else' }],
  ] as const;
  for (const [title, change] of mismatches) {
    test(`the token is not reused when ${title}`, async () => {
      await saveToken(idToken());
      const changed = { ...AWS_SETTINGS, ...change };
      signInAnswers(
        idToken({
          iss: `https://cognito-idp.us-east-1.amazonaws.com/${changed.userPoolId}`,
          aud: changed.clientId,
          'cognito:username': changed.username,
        }),
      );
      const result = await obtainToken(changed, options());
      assert.equal(result.reused, false);
      assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
    });
  }

  test('a corrupt saved file is simply replaced', async () => {
    await writeFile(ws.out, '{"values": [', { mode: 0o600 });
    signInAnswers();
    const result = await obtainToken(AWS_SETTINGS, options());
    assert.equal(result.reused, false);
    assert.equal((await written()).values.length > 0, true);
  });

  test('the e-mail alias of the saved token counts as the same user', async () => {
    await saveToken(idToken());
    const result = await obtainToken({ ...AWS_SETTINGS, username: 'Contract-Tester@example.com' }, options());
    assert.equal(result.reused, true);
  });
});

describe('templates and output paths', () => {
  test('a missing template is one sentence naming it, before any Cognito call', async () => {
    signInAnswers();
    const error = await rejection(
      obtainToken(AWS_SETTINGS, options({ templatePath: join(ws.dir, 'nope.json') })),
    );
    assert.match(error.message, /template .*nope\.json is missing: restore it with `git checkout -- /);
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 0);
  });

  for (const [title, content, expected] of [
    ['not JSON', '{"values": [', /is not valid JSON/],
    [
      'not an environment',
      '{"info": {}, "item": []}',
      /is not a Postman environment \(it has no "values" array\)/,
    ],
    [
      'globals, not an environment',
      '{"values": [], "_postman_variable_scope": "globals"}',
      /_postman_variable_scope is "globals"/,
    ],
    ['a variable without a key', '{"values": [{"value": "x"}]}', /values\[0\] has no "key" string/],
    ['a duplicated key', '{"values": [{"key": "a"}, {"key": "a"}]}', /declares "a" twice/],
    [
      'a token committed in the template',
      JSON.stringify({ ...TEMPLATE, values: [{ key: 'id_token', value: 'eyJleaked', type: 'secret' }] }),
      /holds a value for id_token: committed templates must not hold tokens/,
    ],
  ] as const) {
    test(`a broken template (${title}) is one sentence`, async () => {
      await writeFile(ws.template, content);
      signInAnswers();
      const error = await rejection(obtainToken(AWS_SETTINGS, options()));
      assert.match(error.message, expected);
      assert.ok(!error.message.includes('eyJleaked'));
    });
  }

  test('an --out directory that does not exist is one sentence and leaves nothing behind', async () => {
    signInAnswers();
    const out = join(ws.dir, 'missing-dir', 'env.json');
    const error = await rejection(obtainToken(AWS_SETTINGS, options({ outPath: out })));
    assert.match(
      error.message,
      /Cannot write the Postman environment to .*env\.json \(ENOENT\): create its directory/,
    );
  });

  test('an --out that is a directory is one sentence and leaves no temporary file', async () => {
    signInAnswers();
    const error = await rejection(obtainToken(AWS_SETTINGS, options({ outPath: ws.dir })));
    assert.match(error.message, /\(EISDIR\): give --out a file name/);
    assert.deepEqual(await readdir(ws.dir), ['template.postman_environment.json']);
  });

  test('the default output goes to environments/generated/<target> under the root, created 0700', async () => {
    signInAnswers();
    const result = await obtainToken(AWS_SETTINGS, {
      client,
      rootDir: ws.dir,
      templatePath: ws.template,
      now: () => NOW,
    });
    assert.equal(result.path, join(ws.dir, 'environments', 'generated', 'aws.postman_environment.json'));
    assert.equal((await stat(join(ws.dir, 'environments', 'generated'))).mode & 0o777, 0o700);
  });
});

describe('everything the clauses need is saved, and a reuse that lacks something does not happen', () => {
  test('access_token and refresh_token are written beside id_token, as secrets', async () => {
    signInAnswers();
    const result = await obtainToken(AWS_SETTINGS, options());
    const environment = await written();
    assert.deepEqual(value(environment, 'access_token'), {
      key: 'access_token',
      value: result.accessToken,
      type: 'secret',
      enabled: true,
    });
    assert.deepEqual(value(environment, 'refresh_token'), {
      key: 'refresh_token',
      value: 'refresh-token',
      type: 'secret',
      enabled: true,
    });
  });

  test('a saved ID token without its access token is not reused (the access-token clause would be skipped)', async () => {
    signInAnswers();
    await obtainToken(AWS_SETTINGS, options());
    const saved = await written();
    saved.values = saved.values.filter((variable) => variable.key !== 'access_token');
    saved.values = saved.values.filter((variable) => variable.key !== 'refresh_token');
    await writeFile(ws.out, JSON.stringify(saved), { mode: 0o600 });
    cognito.reset();
    signInAnswers();

    const result = await obtainToken(AWS_SETTINGS, options());

    assert.equal(result.reused, false);
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
    assert.ok(value(await written(), 'access_token')?.value, 'the access token is back');
  });

  test('an expired ID token with a saved refresh token is refreshed, and the password is not sent', async () => {
    signInAnswers(idToken({}, 600));
    await obtainToken(AWS_SETTINGS, options());
    cognito.reset();
    const fresh = idToken({}, 7200 + 3600);
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: { IdToken: fresh, AccessToken: accessToken(7200 + 3600) },
    });

    const later = new Date(NOW.getTime() + 7_200_000);
    const result = await obtainToken(AWS_SETTINGS, options({ now: () => later }));

    assert.equal(result.flow, 'refresh');
    assert.equal(result.idToken, fresh);
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 0, 'no password sign-in');
    const call = cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input;
    assert.equal(call?.AuthFlow, 'REFRESH_TOKEN_AUTH');
    assert.ok(!JSON.stringify(call).includes(AWS_SETTINGS.password), 'the password is not in the request');
    assert.equal(
      value(await written(), 'refresh_token')?.value,
      'refresh-token',
      'the refresh token is kept',
    );
  });

  test('a refused refresh falls back to the password sign-in', async () => {
    signInAnswers(idToken({}, 600));
    await obtainToken(AWS_SETTINGS, options());
    cognito.reset();
    cognito.on(InitiateAuthCommand).rejects(
      new NotAuthorizedException({
        message: 'Refresh Token has expired',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    signInAnswers(idToken({}, 7200 + 3600));

    const later = new Date(NOW.getTime() + 7_200_000);
    const result = await obtainToken(AWS_SETTINGS, options({ now: () => later }));

    assert.equal(result.flow, 'admin-password');
    assert.equal(cognito.commandCalls(AdminInitiateAuthCommand).length, 1);
  });
});
