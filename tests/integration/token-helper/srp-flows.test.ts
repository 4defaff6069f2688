/**
 * Every sign-in flow of the token helper against the real local stack over HTTP (cognito-local with
 * the SRP server side of local-stack/cognito/auth-router.ts, and the local gateway), plus AWS's own
 * client (amazon-cognito-identity-js, USER_SRP_AUTH) against the same server, so that our server is
 * checked by an implementation that is not ours. A counting proxy in front of the emulator shows which
 * Cognito operations each flow made.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  type ExplicitAuthFlowsType,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { type LocalStack, startStack } from '../../../local-stack/stack.ts';
import type { PasswordFlow } from '../../../token-helper/auth-flow.ts';
import type { TokenSettings } from '../../../token-helper/config.ts';
import { diagnosisOf } from '../../../token-helper/diagnosis.ts';
import { settingsFromLocalStack } from '../../../token-helper/local-stack-settings.ts';
import { obtainToken } from '../../../token-helper/obtain-token.ts';
import { clientRotatesRefreshTokens, refreshSignIn } from '../../../token-helper/sign-in.ts';
import { cognitoClient } from '../../support/cognito.ts';
import { type CountingProxy, startCountingProxy } from '../../support/counting-proxy.ts';
import { runTokenCli } from '../../support/token-cli.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TEMPLATE = join(repoRoot, 'environments', 'local.postman_environment.json');
const CONSOLE_FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const OPERATIONS = [
  'InitiateAuth',
  'RespondToAuthChallenge',
  'AdminInitiateAuth',
  'AdminRespondToAuthChallenge',
] as const;

let stack: LocalStack;
let proxy: CountingProxy;
let dir: string;
let base: TokenSettings;

before(async () => {
  stack = await startStack();
  proxy = await startCountingProxy(`${stack.cognito.endpoint}/`);
  dir = await mkdtemp(join(tmpdir(), 'srp-flows-test-'));
  base = { ...settingsFromLocalStack(stack), cognitoEndpoint: proxy.url.replace(/\/$/, '') };
});
after(async () => {
  await proxy?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

/** The settings `npm run token` reads, for the local pool behind the counting proxy. */
function tokenCliEnvironment(password: string): Record<string, string> {
  return {
    CONTRACT_TARGET: 'local',
    API_URL: base.apiUrl,
    AWS_REGION: base.region,
    COGNITO_USER_POOL_ID: base.userPoolId,
    COGNITO_CLIENT_ID: base.clientId,
    COGNITO_ENDPOINT: base.cognitoEndpoint ?? '',
    CONTRACT_USERNAME: base.username,
    CONTRACT_PASSWORD: password,
  };
}

function calls(): Record<string, number> {
  return proxy.calls(OPERATIONS);
}

async function hello(token: string): Promise<number> {
  const response = await fetch(`${stack.apiUrl}/hello`, {
    headers: { Authorization: token },
    signal: AbortSignal.timeout(5_000),
  });
  await response.text();
  return response.status;
}

async function diagnosisOfFailure(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return diagnosisOf(error);
  }
  assert.fail('the sign-in succeeded but a failure was expected');
}

/**
 * An app client of the stack's pool allowing `flows`; with `rotationGraceSeconds`, one that rotates
 * refresh tokens, the rotated-out one still accepted for that long.
 */
async function appClient(
  flows: ExplicitAuthFlowsType[],
  {
    generateSecret = false,
    rotationGraceSeconds,
  }: { generateSecret?: boolean; rotationGraceSeconds?: number } = {},
) {
  const sdk = cognitoClient(stack.cognito);
  try {
    const rotating = rotationGraceSeconds !== undefined;
    const answer = await sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: stack.cognito.userPoolId,
        ClientName: `client-${flows.length}-${generateSecret}${rotating ? `-rotating-${rotationGraceSeconds}` : ''}`,
        ExplicitAuthFlows: flows,
        GenerateSecret: generateSecret,
        ...(rotating
          ? { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: rotationGraceSeconds } }
          : {}),
      }),
    );
    const id = answer.UserPoolClient?.ClientId;
    assert.ok(id, 'the emulator created a client');
    if (rotating) assert.equal(answer.UserPoolClient?.RefreshTokenRotation?.Feature, 'ENABLED');
    return {
      clientId: id,
      ...(answer.UserPoolClient?.ClientSecret ? { secret: answer.UserPoolClient.ClientSecret } : {}),
    };
  } finally {
    sdk.destroy();
  }
}

/** A user an administrator created (FORCE_CHANGE_PASSWORD), as the tutorial's console step makes one. */
async function consoleCreatedUser(username: string, temporaryPassword: string): Promise<void> {
  const sdk = cognitoClient(stack.cognito);
  try {
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: stack.cognito.userPoolId,
        Username: username,
        TemporaryPassword: temporaryPassword,
        MessageAction: 'SUPPRESS',
      }),
    );
  } finally {
    sdk.destroy();
  }
}

/** AWS's CognitoUser.authenticateUser (USER_SRP_AUTH through InitiateAuth), pointed at the local Cognito. */
function awsClientSignIn(username: string, password: string): Promise<string> {
  const pool = new CognitoUserPool({
    UserPoolId: stack.cognito.userPoolId,
    ClientId: stack.cognito.clientId,
    endpoint: `${stack.cognito.endpoint}/`,
  });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolvePromise, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolvePromise(session.getIdToken().getJwtToken()),
      onFailure: reject,
    });
  });
}

describe("AWS's own SRP client against the local Cognito", () => {
  test('signs in with USER_SRP_AUTH, and its ID token reaches the Lambda', async () => {
    const idToken = await awsClientSignIn(stack.cognito.username, stack.cognito.password);
    assert.equal(await hello(idToken), 200);
  });

  test('a wrong password is refused as Cognito refuses it', async () => {
    await assert.rejects(awsClientSignIn(stack.cognito.username, 'Wrong-Pa55word!'), (error: unknown) => {
      const { code, message } = error as { code?: string; message?: string };
      return code === 'NotAuthorizedException' && message === 'Incorrect username or password.';
    });
  });
});

describe('each flow of the token helper signs in and its token reaches the Lambda', () => {
  const expected: Record<PasswordFlow | 'auto', { flow: string; calls: Record<string, number> }> = {
    srp: { flow: 'srp', calls: { InitiateAuth: 1, RespondToAuthChallenge: 1 } },
    'admin-srp': { flow: 'admin-srp', calls: { AdminInitiateAuth: 1, AdminRespondToAuthChallenge: 1 } },
    'admin-password': { flow: 'admin-password', calls: { AdminInitiateAuth: 1 } },
    password: { flow: 'password', calls: { InitiateAuth: 1 } },
    'user-auth-srp': { flow: 'user-auth-srp', calls: { InitiateAuth: 1, RespondToAuthChallenge: 1 } },
    'user-auth-password': { flow: 'user-auth-password', calls: { InitiateAuth: 1 } },
    // The seeded client allows the fast admin flow: auto uses it locally.
    auto: { flow: 'admin-password', calls: { AdminInitiateAuth: 1 } },
  };
  for (const [authFlow, { flow, calls: expectedCalls }] of Object.entries(expected)) {
    test(`${authFlow}: ${JSON.stringify(expectedCalls)}`, async () => {
      const result = await obtainToken(
        { ...base, authFlow: authFlow as PasswordFlow },
        { write: false, templatePath: TEMPLATE },
      );
      assert.equal(result.flow, flow);
      assert.deepEqual(calls(), expectedCalls);
      assert.equal(await hello(result.idToken), 200);
      assert.ok(result.accessToken && result.refreshToken, 'access and refresh tokens came back');
    });
  }
});

describe('an app client shaped like a console-created one (ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH)', () => {
  let clientId: string;
  before(async () => {
    ({ clientId } = await appClient(CONSOLE_FLOWS));
  });

  test('auto signs in with SRP after the admin flow is refused', async () => {
    const result = await obtainToken({ ...base, clientId }, { write: false, templatePath: TEMPLATE });
    assert.equal(result.flow, 'srp');
    assert.deepEqual(calls(), { AdminInitiateAuth: 1, InitiateAuth: 1, RespondToAuthChallenge: 1 });
    assert.equal(await hello(result.idToken), 200);
  });

  for (const authFlow of ['admin-password', 'password'] as const) {
    test(`${authFlow} is refused: flow-not-enabled`, async () => {
      const diagnosis = await diagnosisOfFailure(
        obtainToken({ ...base, clientId, authFlow }, { write: false, templatePath: TEMPLATE }),
      );
      assert.equal(diagnosis, 'flow-not-enabled');
    });
  }
});

describe('SECRET_HASH on the SRP calls of a client with a secret', () => {
  let client: { clientId: string; secret?: string };
  before(async () => {
    client = await appClient(CONSOLE_FLOWS, { generateSecret: true });
    assert.ok(client.secret);
  });

  test('the right secret signs in', async () => {
    const result = await obtainToken(
      { ...base, clientId: client.clientId, clientSecret: client.secret ?? '', authFlow: 'srp' },
      { write: false, templatePath: TEMPLATE },
    );
    assert.equal(await hello(result.idToken), 200);
  });

  test('no secret: secret-hash-missing; a wrong one: secret-hash-mismatch', async () => {
    const settings = { ...base, clientId: client.clientId, authFlow: 'srp' as const };
    assert.equal(
      await diagnosisOfFailure(obtainToken(settings, { write: false, templatePath: TEMPLATE })),
      'secret-hash-missing',
    );
    assert.equal(
      await diagnosisOfFailure(
        obtainToken(
          { ...settings, clientSecret: 'wrongsecret0123456789' },
          { write: false, templatePath: TEMPLATE },
        ),
      ),
      'secret-hash-mismatch',
    );
  });
});

describe('refusals under SRP', () => {
  test('a wrong password: wrong-credentials, for both the public and the admin API', async () => {
    for (const authFlow of ['srp', 'admin-srp'] as const) {
      const diagnosis = await diagnosisOfFailure(
        obtainToken(
          { ...base, authFlow, password: 'Wrong-Pa55word!' },
          { write: false, templatePath: TEMPLATE },
        ),
      );
      assert.equal(diagnosis, 'wrong-credentials', authFlow);
    }
  });

  test('a disabled user: user-disabled (cognito-local itself lets disabled users in)', async () => {
    const sdk = cognitoClient(stack.cognito);
    try {
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: stack.cognito.userPoolId,
          Username: 'disabled-user',
          MessageAction: 'SUPPRESS',
        }),
      );
      await sdk.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: stack.cognito.userPoolId,
          Username: 'disabled-user',
          Password: 'Disabled-Pa55word!',
          Permanent: true,
        }),
      );
      await sdk.send(
        new AdminDisableUserCommand({ UserPoolId: stack.cognito.userPoolId, Username: 'disabled-user' }),
      );
    } finally {
      sdk.destroy();
    }
    const diagnosis = await diagnosisOfFailure(
      obtainToken(
        { ...base, authFlow: 'srp', username: 'disabled-user', password: 'Disabled-Pa55word!' },
        { write: false, templatePath: TEMPLATE },
      ),
    );
    assert.equal(diagnosis, 'user-disabled');
  });
});

describe('NEW_PASSWORD_REQUIRED after SRP, for a user an administrator created', () => {
  for (const authFlow of ['srp', 'admin-srp'] as const) {
    test(`${authFlow}: asks for CONTRACT_NEW_PASSWORD, then answers the challenge and the new password works`, async () => {
      const username = `console-user-${authFlow}`;
      await consoleCreatedUser(username, 'Temp-Pa55word!1');
      const settings = { ...base, authFlow, username, password: 'Temp-Pa55word!1' };

      assert.equal(
        await diagnosisOfFailure(obtainToken(settings, { write: false, templatePath: TEMPLATE })),
        'new-password-required',
      );
      const changed = await obtainToken(
        { ...settings, newPassword: 'Perm-Pa55word!2' },
        { write: false, templatePath: TEMPLATE },
      );
      assert.equal(changed.passwordChanged, true);
      assert.equal(await hello(changed.idToken), 200);
      const again = await obtainToken(
        { ...settings, password: 'Perm-Pa55word!2' },
        { write: false, templatePath: TEMPLATE },
      );
      assert.equal(again.passwordChanged, false);
    });
  }
});

describe('refresh: an expired ID token with a valid refresh token signs in without the password', () => {
  test('in-process: only REFRESH_TOKEN_AUTH is called, and a wrong password does not matter', async () => {
    const out = join(dir, 'refresh.postman_environment.json');
    await obtainToken({ ...base, authFlow: 'srp' }, { templatePath: TEMPLATE, outPath: out });
    proxy.reset();

    // Two hours on, the saved ID token has expired; the password is wrong, so only the refresh
    // token can sign in.
    const later = new Date(Date.now() + 2 * 3_600_000);
    const result = await obtainToken(
      { ...base, authFlow: 'srp', password: 'Wrong-Pa55word-not-used!' },
      { templatePath: TEMPLATE, outPath: out, now: () => later },
    );

    assert.equal(result.flow, 'refresh');
    assert.deepEqual(calls(), { InitiateAuth: 1 });
    assert.equal(await hello(result.idToken), 200);
  });

  test('npm run token: the refresh path prints its headline and no token, with a wrong password set', async () => {
    const out = join(dir, 'cli-refresh.postman_environment.json');
    const env = tokenCliEnvironment(base.password);
    const first = await runTokenCli(['--out', out, '--auth-flow', 'srp'], { cwd: repoRoot, env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^Signed in through Cognito and got a fresh ID token\.\n {2}flow +srp \(USER_SRP_AUTH through InitiateAuth\)\n/,
    );

    // Make the saved ID token look expired (its signature no longer matters: the helper only reads
    // claims to decide, and the refreshed token is what the gateway checks).
    const saved = JSON.parse(await readFile(out, 'utf8')) as { values: { key: string; value: string }[] };
    const slot = saved.values.find((variable) => variable.key === 'id_token');
    assert.ok(slot);
    const [header, payload, signature] = slot.value.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims.exp = Math.floor(Date.now() / 1000) - 60;
    slot.value = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await writeFile(out, JSON.stringify(saved), { mode: 0o600 });
    proxy.reset();

    const wrong = 'Wrong-Pa55word-not-used!';
    const run = await runTokenCli(['--out', out, '--auth-flow', 'srp'], {
      cwd: repoRoot,
      env: { ...env, CONTRACT_PASSWORD: wrong },
    });

    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^Refreshed the tokens through Cognito with the saved refresh token \(no password sent\)\.\n/,
    );
    assert.deepEqual(calls(), { InitiateAuth: 1 });
    const written = JSON.parse(await readFile(out, 'utf8')) as { values: { key: string; value: string }[] };
    const fresh = written.values.find((variable) => variable.key === 'id_token')?.value ?? '';
    const refresh = written.values.find((variable) => variable.key === 'refresh_token')?.value ?? '';
    assert.equal(await hello(fresh), 200);
    for (const secret of [fresh, refresh, wrong, base.password]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'no secret printed');
    }
  });
});

test('npm run token -- --auth-flow srp with a wrong password: one sentence, exit 1, no secret', async () => {
  const wrong = 'Wrong-Srp-Pa55word-not-printed';
  const run = await runTokenCli(['--out', join(dir, 'wrong.json'), '--auth-flow', 'srp'], {
    cwd: repoRoot,
    env: tokenCliEnvironment(wrong),
  });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(
    run.stderr,
    /^Cognito rejected the password for user "contract-tester" in pool local_\w+ \(or the user does not exist\): check CONTRACT_USERNAME and CONTRACT_PASSWORD\.\n$/,
  );
  assert.ok(!run.stderr.includes(wrong) && !run.stderr.includes(base.password));
});

describe('refresh on an app client that rotates refresh tokens (GetTokensFromRefreshToken)', () => {
  const FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
  let rotatingClientId: string;
  let plainClientId: string;
  const signInOptions = { timeoutMs: 5_000 };

  before(async () => {
    ({ clientId: rotatingClientId } = await appClient(FLOWS, { rotationGraceSeconds: 0 }));
    ({ clientId: plainClientId } = await appClient(FLOWS));
  });

  async function signedIn(clientId: string) {
    const settings: TokenSettings = { ...base, clientId, authFlow: 'admin-password' };
    const first = await obtainToken(settings, { write: false, templatePath: TEMPLATE });
    assert.ok(first.refreshToken, 'a refresh token came back');
    return { settings, refreshToken: first.refreshToken, username: first.claims.username };
  }

  test('DescribeUserPoolClient, asked once Cognito refuses REFRESH_TOKEN_AUTH, tells the token helper the client rotates: it refreshes with GetTokensFromRefreshToken and keeps the new refresh token', async () => {
    const { settings, refreshToken, username } = await signedIn(rotatingClientId);
    const sdk = cognitoClient({ ...stack.cognito, endpoint: base.cognitoEndpoint ?? '' });
    try {
      assert.equal(await clientRotatesRefreshTokens(sdk, settings, signInOptions), true);
      proxy.reset();
      const refreshed = await refreshSignIn(
        sdk,
        settings,
        { refreshToken, cognitoUsername: username },
        signInOptions,
      );

      assert.deepEqual(proxy.calls(['InitiateAuth', 'DescribeUserPoolClient', 'GetTokensFromRefreshToken']), {
        InitiateAuth: 1,
        DescribeUserPoolClient: 1,
        GetTokensFromRefreshToken: 1,
      });
      assert.equal(refreshed.flow, 'refresh-rotating');
      assert.ok(refreshed.refreshToken && refreshed.refreshToken !== refreshToken, 'a new refresh token');
      assert.equal(await hello(refreshed.idToken), 200);
      // The rotated-out token is refused as AWS documents it, and so is the old flow.
      await assert.rejects(
        sdk.send(
          new GetTokensFromRefreshTokenCommand({ ClientId: rotatingClientId, RefreshToken: refreshToken }),
        ),
        (error: Error) => error.name === 'RefreshTokenReuseException',
      );
      await assert.rejects(
        sdk.send(
          new InitiateAuthCommand({
            ClientId: rotatingClientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshed.refreshToken ?? '' },
          }),
        ),
        (error: Error) => error.name === 'InvalidParameterException',
      );
      // The new one works in turn.
      const again = await refreshSignIn(
        sdk,
        settings,
        { refreshToken: refreshed.refreshToken ?? '', cognitoUsername: username },
        signInOptions,
      );
      assert.equal(again.flow, 'refresh-rotating');
    } finally {
      sdk.destroy();
    }
  });

  test('reusing a rotated-out refresh token within its grace period does not extend that period', async () => {
    const GRACE_MS = 2_000;
    const { clientId: ClientId } = await appClient(FLOWS, { rotationGraceSeconds: GRACE_MS / 1000 });
    const sdk = cognitoClient(stack.cognito);
    try {
      const { refreshToken } = await signedIn(ClientId);
      const refresh = () =>
        sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId, RefreshToken: refreshToken }));

      // The first rotation retires the token: its grace period ends by rotatedAt + GRACE_MS.
      await refresh();
      const rotatedAt = Date.now();
      // Reused halfway through the grace period: still accepted.
      await sleep(GRACE_MS / 2);
      assert.ok(
        Date.now() < rotatedAt + GRACE_MS - 200,
        'the test ran late: its reuse would fall past the period',
      );
      await refresh();
      // Past the original deadline, but within one counted again from the reuse: refused all the same.
      await sleep(rotatedAt + GRACE_MS + 200 - Date.now());
      await assert.rejects(refresh(), (error: Error) => error.name === 'RefreshTokenReuseException');
    } finally {
      sdk.destroy();
    }
  });

  test('a client without rotation keeps REFRESH_TOKEN_AUTH and its refresh token, and is not asked whether it rotates', async () => {
    const { settings, refreshToken, username } = await signedIn(plainClientId);
    const sdk = cognitoClient({ ...stack.cognito, endpoint: base.cognitoEndpoint ?? '' });
    try {
      assert.equal(await clientRotatesRefreshTokens(sdk, settings, signInOptions), false);
      proxy.reset();
      const refreshed = await refreshSignIn(
        sdk,
        settings,
        { refreshToken, cognitoUsername: username },
        signInOptions,
      );
      assert.equal(refreshed.flow, 'refresh');
      assert.equal(refreshed.refreshToken, refreshToken);
      // `auto` tries REFRESH_TOKEN_AUTH first: DescribeUserPoolClient needs AWS credentials on AWS.
      assert.deepEqual(proxy.calls(['InitiateAuth', 'DescribeUserPoolClient']), { InitiateAuth: 1 });
      assert.equal(await hello(refreshed.idToken), 200);
    } finally {
      sdk.destroy();
    }
  });

  test('COGNITO_REFRESH_ROTATION=enabled chooses GetTokensFromRefreshToken without asking', async () => {
    const { settings, refreshToken, username } = await signedIn(rotatingClientId);
    const sdk = cognitoClient({ ...stack.cognito, endpoint: base.cognitoEndpoint ?? '' });
    try {
      const chosen = { ...settings, refreshRotation: 'enabled' as const };
      proxy.reset();
      const refreshed = await refreshSignIn(
        sdk,
        chosen,
        { refreshToken, cognitoUsername: username },
        signInOptions,
      );
      assert.equal(refreshed.flow, 'refresh-rotating');
      assert.equal(proxy.calls(['DescribeUserPoolClient']).DescribeUserPoolClient ?? 0, 0);
    } finally {
      sdk.destroy();
    }
  });
});
