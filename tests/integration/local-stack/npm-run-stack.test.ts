/**
 * End to end: `npm run stack` as a real process on free ports. It
 * prints the dotenv settings (never the password), keeps the password in a 0600 state file, answers
 * like API Gateway, and on SIGINT, SIGTERM or its parent's death stops leaving no listening port, no
 * state file and no data directory behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fillEnvironment } from '../../../token-helper/postman-environment.ts';
import { adminSignIn } from '../../support/cognito.ts';
import { assertGreeting, assertUnauthorized } from '../../support/gateway.ts';
import { getWithAuthorization, send } from '../../support/http.ts';
import { dataDirectoriesOf, eventually, isListening, portOf } from '../../support/lifecycle.ts';
import {
  exited,
  lockFile,
  preserveStateFile,
  qaEnvironmentFile,
  repoRoot,
  type StackProcess,
  spawnStack,
  stateFile,
} from '../../support/stack-process.ts';

/** A stack that does not refuse (or never starts) must fail its test, not hang the suite. */
const STACK_TEST_TIMEOUT_MS = 60_000;

const DOTENV_KEYS = [
  'API_URL',
  'AWS_REGION',
  'COGNITO_ENDPOINT',
  'COGNITO_USER_POOL_ID',
  'COGNITO_CLIENT_ID',
  'CONTRACT_USERNAME',
];

async function readState(): Promise<Record<string, string>> {
  return JSON.parse(await readFile(stateFile, 'utf8'));
}

/** Signs the seeded user in with the settings the stack printed and the password its state file holds. */
function signInAsTheTestUser(settings: Record<string, string>, state: Record<string, string>) {
  return adminSignIn(
    {
      endpoint: String(settings.COGNITO_ENDPOINT),
      region: String(settings.AWS_REGION),
      userPoolId: String(settings.COGNITO_USER_POOL_ID),
      clientId: String(settings.COGNITO_CLIENT_ID),
    },
    String(settings.CONTRACT_USERNAME),
    String(state.password),
  );
}

/** Asserts that the stopped stack left nothing behind. */
async function assertNothingLeft(stack: StackProcess, settings: Record<string, string>): Promise<void> {
  assert.equal(await isListening(portOf(String(settings.API_URL))), false, 'gateway port closed');
  assert.equal(await isListening(portOf(String(settings.COGNITO_ENDPOINT))), false, 'emulator port closed');
  await assert.rejects(stat(stateFile), { code: 'ENOENT' }, 'state file removed');
  await assert.rejects(stat(qaEnvironmentFile), { code: 'ENOENT' }, 'Postman environment removed');
  await assert.rejects(stat(lockFile), { code: 'ENOENT' }, 'lock removed');
  assert.deepEqual(await dataDirectoriesOf(stack.stackPid()), [], 'data directory removed');
}

describe('npm run stack', () => {
  let restoreStateFile: () => Promise<void>;
  const started: StackProcess[] = [];
  const run = (options: Parameters<typeof spawnStack>[0] = {}) => {
    const stack = spawnStack(options);
    started.push(stack);
    return stack;
  };
  /** One stack for the tests that only need one running (started by whichever of them runs first). */
  let running: StackProcess | undefined;
  const runningStack = () => {
    running ??= run();
    return running;
  };

  before(async () => {
    restoreStateFile = await preserveStateFile();
  });

  after(async () => {
    // The shared stack is still up if the SIGTERM test did not run (a name pattern): stop it cleanly.
    if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGINT');
      await Promise.race([exited(running.child), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    for (const stack of started) {
      const pid = stack.stackPid();
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    await restoreStateFile();
  });

  it('prints the dotenv settings, keeps the password out of its output and in a 0600 state file, and answers like API Gateway until Ctrl-C', async () => {
    const stack = run();
    const settings = await stack.ready;

    for (const key of DOTENV_KEYS) assert.ok(settings[key], `${key} is printed`);
    assert.match(String(settings.API_URL), /^http:\/\/127\.0\.0\.1:\d+\/dev$/);
    assert.match(String(settings.COGNITO_ENDPOINT), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(settings.AWS_REGION, 'us-east-1');
    assert.equal(
      Object.keys(settings).filter((key) => /PASSWORD/i.test(key)).length,
      0,
      'no password setting',
    );

    const mode = (await stat(stateFile)).mode & 0o777;
    assert.equal(mode.toString(8), '600', 'state file is private');
    const state = await readState();
    assert.ok(state.password && state.password.length >= 8, 'the state file holds the password');

    assertUnauthorized(await send(`${settings.API_URL}/hello`));
    const tokens = await signInAsTheTestUser(settings, state);
    assertGreeting(await getWithAuthorization(`${settings.API_URL}/hello`, tokens.idToken));

    stack.child.kill('SIGINT');
    assert.deepEqual(await exited(stack.child), { code: 130, signal: null });
    await stack.closed;
    assert.ok(!stack.output().includes(String(state.password)), 'the password never appears in the output');
    assert.ok(
      !stack.output().includes('AWS SDK for JavaScript (v2)'),
      "cognito-local's SDK v2 notice is kept out",
    );
    await assertNothingLeft(stack, settings);
  });

  it('serves an API Gateway export with --api-spec: its stage, its methods with stand-in answers, its authorizer and scopes', async () => {
    const stack = run({ args: ['--api-spec', 'tests/fixtures/api/shop.oas30.json'] });
    const settings = await stack.ready;
    const api = String(settings.API_URL);
    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/prod$/, "the export's stage");
    const state = await readState();
    const tokens = await signInAsTheTestUser(settings, state);
    assertUnauthorized(await send(`${api}/items`));
    const item = await getWithAuthorization(`${api}/items/abc`, tokens.idToken);
    assert.equal(item.status, 200);
    assert.deepEqual(JSON.parse(item.body.toString('utf8')), { standIn: true, route: 'GET /items/{itemId}' });
    // The scoped method takes the access token (which carries aws.cognito.signin.user.admin), not the ID token.
    assertUnauthorized(
      await send(`${api}/items/abc`, { method: 'DELETE', headers: [['Authorization', tokens.idToken]] }),
    );
    const deleted = await send(`${api}/items/abc`, {
      method: 'DELETE',
      headers: [['Authorization', tokens.accessToken]],
    });
    assert.equal(deleted.status, 200, deleted.body.toString('utf8'));
    // Without authorizer in the export, so without one here.
    assert.equal((await send(`${api}/health`)).status, 200);
    assert.equal((await send(`${api}/health`, { method: 'POST' })).status, 403);
    stack.child.kill('SIGINT');
    assert.deepEqual(await exited(stack.child), { code: 130, signal: null });
    await stack.closed;
    await assertNothingLeft(stack, settings);
  });

  it('gives its Postman environment a name and id of its own, unlike the template and npm run token', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    await runningStack().ready;
    const generated = JSON.parse(await readFile(qaEnvironmentFile, 'utf8')) as { id: string; name: string };
    const template = JSON.parse(
      await readFile(resolve(repoRoot, 'environments', 'local.postman_environment.json'), 'utf8'),
    ) as { id: string; name: string };
    const token = fillEnvironment(template as Parameters<typeof fillEnvironment>[0], {
      baseUrl: 'http://127.0.0.1:1/dev',
      idToken: 'x',
      idTokenExp: 0,
      cognito: {
        cognito_endpoint: '',
        aws_region: '',
        cognito_user_pool_id: '',
        cognito_client_id: '',
        username: '',
      },
      exportedAt: new Date(),
    });
    const identities = [template, token, generated].map(({ id, name }) => ({ id, name }));
    assert.equal(new Set(identities.map((i) => i.id)).size, 3, JSON.stringify(identities));
    assert.equal(new Set(identities.map((i) => i.name)).size, 3, JSON.stringify(identities));
    assert.equal(generated.name, 'hello-api local stack (generated by npm run stack)');
    // Left running: the SIGTERM test stops it.
  });

  it('stops on SIGTERM leaving no port, state file or data directory behind', async () => {
    // The stack the test before read its environment from, if it ran: any running stack will do.
    const stack = runningStack();
    const settings = await stack.ready;
    stack.child.kill('SIGTERM');
    assert.deepEqual(await exited(stack.child), { code: 143, signal: null });
    await assertNothingLeft(stack, settings);
  });

  it('stops on its own within a few seconds when its parent process dies', async () => {
    const stack = run({ viaShell: true });
    const settings = await stack.ready;
    const pid = stack.stackPid();
    assert.notEqual(pid, stack.child.pid, 'the stack runs under the shell');

    stack.child.kill('SIGKILL');
    await exited(stack.child);
    const stopped = await Promise.race([
      stack.closed.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    assert.ok(stopped, 'the orphaned stack exited within 5 s');
    assert.ok(await eventually(async () => !(await isListening(portOf(String(settings.API_URL)))), 1_000));
    await assertNothingLeft(stack, settings);
  });

  it('refuses a busy port with one sentence naming LOCAL_API_PORT, exit code 2 and nothing left behind', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    // Taken by another program, not by a stack of this checkout (that case is refused earlier, below).
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const busyPort = String((squatter.address() as AddressInfo).port);
    try {
      const second = run({ env: { LOCAL_API_PORT: busyPort } });
      const { code } = await exited(second.child);
      await second.closed;
      assert.equal(code, 2);
      const lines = second.output().trim().split('\n');
      assert.equal(lines.length, 1, `one line of output, got:\n${second.output()}`);
      assert.match(String(lines[0]), new RegExp(`${busyPort}.*LOCAL_API_PORT.*\\.$`));
      assert.deepEqual(await dataDirectoriesOf(second.stackPid()), [], 'no data directory left behind');
      await assert.rejects(stat(stateFile), { code: 'ENOENT' }, 'no state file left behind');
      await assert.rejects(stat(lockFile), { code: 'ENOENT' }, 'no lock left behind');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a port setting that is not a port, naming the setting and the range, exit code 2', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    const bad = run({ env: { LOCAL_COGNITO_PORT: '70000' } });
    const { code } = await exited(bad.child);
    await bad.closed;
    assert.equal(code, 2);
    assert.equal(
      bad.output(),
      'LOCAL_COGNITO_PORT must be a whole number from 0 to 65535 (0 picks a free port), not "70000".\n',
    );
  });

  it('refuses a --pool that names no pool of the API it serves, in one sentence with exit code 2 (it was ignored)', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    const bad = run({ args: ['--pool', 'us-east-1_NotThisOne'] });
    // A stack that starts (the setting ignored) fails the test at once, not by its timeout.
    const started = bad.ready.then(
      () => true,
      () => false,
    );
    assert.equal(await Promise.race([started, exited(bad.child).then(() => false)]), false, 'it started');
    const { code } = await exited(bad.child);
    await bad.closed;
    assert.equal(code, 2);
    assert.match(
      bad.output(),
      /^--pool is "us-east-1_NotThisOne", which names no user pool or Cognito authorizer of the API description: use one of "the user pool", "CognitoUserPoolAuthorizer"\.\n$/,
    );
  });

  it('says which REST API it serves when the template defines several (the notes npm run contract prints)', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npm-run-stack-notes-'));
    try {
      const template = join(dir, 'two-apis.cfn.yaml');
      const pets = await readFile(join(repoRoot, 'tests', 'fixtures', 'api', 'pets.cfn.yaml'), 'utf8');
      // A second REST API, without a Cognito authorizer: the reader takes the pets API and says so.
      await writeFile(
        template,
        pets.replace(
          '\nResources:\n',
          '\nResources:\n  StatusApi:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: status-api\n\n',
        ),
      );
      const stack = run({ args: ['--api-spec', template] });
      await stack.ready;
      assert.match(
        stack.output(),
        /^Read the REST API PetsApi, the only one of the template's 2 REST APIs \(StatusApi, PetsApi\) with a Cognito user pool authorizer; choose another with --api-id ID \(CONTRACT_API_ID\)\.$/m,
      );
      stack.child.kill('SIGINT');
      assert.deepEqual(await exited(stack.child), { code: 130, signal: null });
      await stack.closed;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a second stack of the same checkout, naming the first one's pid and ports, and leaves the first one's files alone", {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    const first = run();
    const settings = await first.ready;
    const before = await readFile(stateFile, 'utf8');
    const environmentBefore = await readFile(qaEnvironmentFile, 'utf8');

    const second = run({ env: { LOCAL_API_PORT: '0', LOCAL_COGNITO_PORT: '0' } });
    const { code } = await exited(second.child);
    await second.closed;
    assert.equal(code, 2);
    assert.equal(
      second.output(),
      `Another local stack of this checkout is running (pid ${first.stackPid()}: API ${settings.API_URL}, Cognito ${settings.COGNITO_ENDPOINT}): use that one, or stop it (Ctrl-C in its shell) before starting another, since both would use the files in environments/generated.\n`,
    );
    // The first stack's files are untouched and it still answers: `npm run token` keeps working.
    assert.equal(await readFile(stateFile, 'utf8'), before);
    assert.equal(await readFile(qaEnvironmentFile, 'utf8'), environmentBefore);
    assertUnauthorized(await send(`${settings.API_URL}/hello`));

    first.child.kill('SIGINT');
    await exited(first.child);
    await assertNothingLeft(first, settings);
  });

  it('takes over the lock a stack killed with SIGKILL left behind', {
    timeout: STACK_TEST_TIMEOUT_MS,
  }, async () => {
    const killed = run();
    await killed.ready;
    killed.child.kill('SIGKILL');
    await exited(killed.child);
    assert.ok((await stat(lockFile)).isFile(), 'SIGKILL leaves the lock (the precondition of this test)');

    const next = run();
    const settings = await next.ready;
    assert.equal(JSON.parse(await readFile(lockFile, 'utf8')).pid, next.stackPid());
    next.child.kill('SIGINT');
    await exited(next.child);
    await assertNothingLeft(next, settings);
  });
});
