/**
 * The collection's own sign-in (collections/sandbox/sign-in.ts) in bare Newman against the local stack:
 * SRP by default and USER_PASSWORD_AUTH on request, the refresh token before the password, a token of
 * another pool replaced, and a refused sign-in tried once per run (not once per request) while every
 * request still fails by name with the same sentence. A counting proxy between Newman and the local
 * Cognito counts every call.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { adminSignIn, cognitoClient, createOtherPool } from '../support/cognito.ts';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy.ts';
import { type CollectionRun, type EnvironmentEntry, runCollection } from '../support/run-collection.ts';
import { cognitoTarget, useStack } from '../support/stack.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GREETING = 'GET /hello with the raw ID token as the Authorization header reaches the Lambda';
const NO_HEADER = 'GET /hello without an Authorization header is refused with 401 Unauthorized';
/** Two requests of the contract (Newman's `folder` takes request names too): enough to count sign-ins. */
const SELECTED = [NO_HEADER, GREETING];
const SIGN_IN_TEST = 'Sign-in to Cognito succeeded';
const REQUESTS_IN_TUTORIAL = SELECTED.length;
const OPERATIONS = ['InitiateAuth', 'RespondToAuthChallenge', 'AdminInitiateAuth'] as const;

describe('the collection signs in by itself in bare Newman', () => {
  const stack = useStack();
  let proxy: CountingProxy;
  let collection: object;
  let template: { key: string; value: string; type?: string }[];

  before(async () => {
    proxy = await startCountingProxy(`${stack.get().cognito.endpoint}/`);
    collection = JSON.parse(
      await readFile(join(repoRoot, 'collections', 'hello-api.postman_collection.json'), 'utf8'),
    ) as object;
    template = (
      JSON.parse(
        await readFile(join(repoRoot, 'environments', 'local.postman_environment.json'), 'utf8'),
      ) as {
        values: { key: string; value: string; type?: string }[];
      }
    ).values;
  });
  after(async () => {
    await proxy?.close();
  });
  beforeEach(() => proxy.reset());

  /** The local template filled in as QA fills it, with no token: the collection must sign in. */
  function environment(overrides: Record<string, string> = {}): EnvironmentEntry[] {
    const { apiUrl, cognito } = stack.get();
    const filled: Record<string, string> = {
      baseUrl: apiUrl,
      cognito_endpoint: proxy.url,
      aws_region: cognito.region,
      cognito_user_pool_id: cognito.userPoolId,
      cognito_client_id: cognito.clientId,
      username: cognito.username,
      password: cognito.password,
      ...overrides,
    };
    return template.map((variable) => ({
      key: variable.key,
      value: filled[variable.key] ?? variable.value,
      type: variable.type === 'secret' ? 'secret' : 'default',
    }));
  }

  function run(env: EnvironmentEntry[], iterations = 1): Promise<CollectionRun> {
    return runCollection(collection, env, { folder: SELECTED, iterationCount: iterations });
  }

  function calls(): Record<string, number> {
    return proxy.calls(OPERATIONS);
  }

  function variable(result: CollectionRun, key: string): string {
    const scope = result.summary.environment as unknown as { get(name: string): unknown };
    return String(scope.get(key) ?? '');
  }

  function signInFailures(result: CollectionRun): string[] {
    return [...result.clauses.values()].flatMap((clause) =>
      clause.failed.filter((failure) => failure.test === SIGN_IN_TEST).map((failure) => failure.message),
    );
  }

  function assertGreeted(result: CollectionRun): void {
    assert.deepEqual(result.errors, []);
    assert.deepEqual(signInFailures(result), []);
    assert.ok((result.clauses.get(GREETING)?.passed.length ?? 0) > 0, 'the greeting clause passed');
    assert.deepEqual(result.clauses.get(GREETING)?.failed, []);
  }

  test('SRP (the default): one sign-in for two iterations, and id_token, access_token, refresh_token are kept', async () => {
    const result = await run(environment(), 2);

    assertGreeted(result);
    assert.deepEqual(calls(), { InitiateAuth: 1, RespondToAuthChallenge: 1 });
    // Newman counts the sign-in's two pm.sendRequest calls as requests too.
    assert.equal(result.summary.run.stats.requests.total, 2 * REQUESTS_IN_TUTORIAL + 2);
    for (const key of ['id_token', 'access_token', 'refresh_token']) {
      assert.match(variable(result, key), /^eyJ|^[\w-]{20,}/, `${key} is set`);
    }
  });

  test('auth_flow password: USER_PASSWORD_AUTH, one call', async () => {
    const result = await run(environment({ auth_flow: 'password' }));
    assertGreeted(result);
    assert.deepEqual(calls(), { InitiateAuth: 1 });
  });

  test('a wrong password under SRP is tried once per run, and every request fails by name with the same sentence', async () => {
    const wrong = 'Wrong-Pa55word-never-shown!';
    const result = await run(environment({ password: wrong }), 2);

    assert.deepEqual(calls(), { InitiateAuth: 1, RespondToAuthChallenge: 1 }, 'one attempt, not 10');
    const failures = signInFailures(result);
    assert.equal(failures.length, 2 * REQUESTS_IN_TUTORIAL, 'each request reports the refused sign-in');
    assert.equal(new Set(failures).size, 1, 'with one and the same sentence');
    assert.match(
      failures[0] ?? '',
      /NotAuthorizedException: Incorrect username or password\. Check .*\[diagnosis: wrong-credentials\]$/,
    );
    for (const message of failures) assert.ok(!message.includes(wrong), 'no password in the failure');
  });

  test('an id_token of another pool (a stack restarted since) is replaced instead of failing with 401', async () => {
    const other = await createOtherPool(cognitoTarget(stack.get()), 'other-user', 'Other-pool-pw-1!');
    const stale = await adminSignIn(other, 'other-user', 'Other-pool-pw-1!');
    const result = await run(
      environment({ id_token: stale.idToken, id_token_exp: '', access_token: stale.accessToken }),
    );
    assertGreeted(result);
    assert.deepEqual(calls(), { InitiateAuth: 1, RespondToAuthChallenge: 1 });
    assert.notEqual(variable(result, 'id_token'), stale.idToken);
  });

  test('an expired id_token with a valid refresh token is refreshed, and the (wrong) password is not used', async () => {
    const { cognito } = stack.get();
    const live = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
    assert.ok(live.refreshToken);
    // The same claims with exp in the past: the sandbox only reads claims to decide.
    const [header, payload, signature] = live.idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims.exp = Math.floor(Date.now() / 1000) - 60;
    const expired = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;

    const result = await run(
      environment({
        id_token: expired,
        id_token_exp: String(claims.exp),
        access_token: live.accessToken,
        refresh_token: live.refreshToken,
        password: 'Wrong-Pa55word-not-used!',
      }),
    );

    assertGreeted(result);
    assert.deepEqual(calls(), { InitiateAuth: 1 }, 'REFRESH_TOKEN_AUTH only');
    assert.equal(variable(result, 'refresh_token'), live.refreshToken, 'the refresh token is kept');
  });

  test('an app client like a console-created one: SRP works, auth_flow password names the flag to enable', async () => {
    const sdk = cognitoClient(stack.get().cognito);
    let clientId: string;
    try {
      const answer = await sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId: stack.get().cognito.userPoolId,
          ClientName: 'console-like',
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      clientId = answer.UserPoolClient?.ClientId ?? '';
    } finally {
      sdk.destroy();
    }
    assertGreeted(await run(environment({ cognito_client_id: clientId })));

    const refused = await run(environment({ cognito_client_id: clientId, auth_flow: 'password' }));
    const [failure] = signInFailures(refused);
    assert.match(
      failure ?? '',
      /Enable ALLOW_USER_PASSWORD_AUTH in the app client's authentication flows \(console: App clients, Edit\).*\[diagnosis: flow-not-enabled\]$/,
    );
  });

  test('auth_flow srp without cognito_user_pool_id says what to fill, and calls nothing', async () => {
    const result = await run(environment({ cognito_user_pool_id: '' }));
    const [failure] = signInFailures(result);
    assert.match(
      failure ?? '',
      /Missing in the environment: cognito_user_pool_id \(auth_flow srp needs it\)\..*\[diagnosis: settings-missing\]$/,
    );
    assert.deepEqual(calls(), {});
  });
});
