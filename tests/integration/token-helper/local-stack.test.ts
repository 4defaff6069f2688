/**
 * The token helper against the real embedded stack (cognito-local + local gateway, port 0): the token
 * it writes is accepted by the gateway, and a second run makes no Cognito call. A counting proxy in
 * front of the emulator proves the number of sign-ins.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LocalStack, startStack } from '../../../local-stack/stack.ts';
import type { TokenSettings } from '../../../token-helper/config.ts';
import { settingsFromLocalStack } from '../../../token-helper/local-stack-settings.ts';
import { obtainToken } from '../../../token-helper/obtain-token.ts';
import { type CountingProxy, startCountingProxy } from '../../support/counting-proxy.ts';
import { runTokenCli } from '../../support/token-cli.ts';

const SIGN_IN = 'AWSCognitoIdentityProviderService.AdminInitiateAuth';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TEMPLATE = join(repoRoot, 'environments', 'local.postman_environment.json');

let running: LocalStack | undefined;
const stack = {
  get(): LocalStack {
    if (running === undefined) throw new Error('the local stack did not start');
    return running;
  },
};
let proxy: CountingProxy;
let dir: string;
let settings: TokenSettings;

// One hook, in order: node:test may run several top-level before hooks without waiting for each other.
before(async () => {
  running = await startStack();
  proxy = await startCountingProxy(stack.get().cognito.endpoint);
  dir = await mkdtemp(join(tmpdir(), 'token-stack-test-'));
  // Through the proxy; the issuer stays the emulator's own, as settingsFromLocalStack reports it.
  settings = { ...settingsFromLocalStack(stack.get()), cognitoEndpoint: proxy.url };
});
after(async () => {
  await proxy?.close();
  await running?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function hello(token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${stack.get().apiUrl}/hello`, {
    headers: { Authorization: token },
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONTRACT_TARGET: 'local',
    API_URL: settings.apiUrl,
    AWS_REGION: settings.region,
    COGNITO_USER_POOL_ID: settings.userPoolId,
    COGNITO_CLIENT_ID: settings.clientId,
    COGNITO_ENDPOINT: proxy.url,
    CONTRACT_USERNAME: settings.username,
    CONTRACT_PASSWORD: settings.password,
    ...extra,
  };
}

const out = () => join(dir, 'local.postman_environment.json');

test('the written id_token is accepted by the local gateway: 200 "Hello from Lambda!"', async () => {
  const result = await obtainToken(settings, { templatePath: TEMPLATE, outPath: out() });

  assert.equal(result.reused, false);
  assert.equal(proxy.count(SIGN_IN), 1);
  assert.equal((await stat(out())).mode & 0o777, 0o600);
  const saved: unknown = JSON.parse(await readFile(out(), 'utf8'));
  const values = (saved as { values: { key: string; value: string }[] }).values;
  const token = values.find((variable) => variable.key === 'id_token')?.value ?? '';
  assert.equal(token, result.idToken);
  assert.equal(values.find((variable) => variable.key === 'baseUrl')?.value, stack.get().apiUrl);
  assert.deepEqual(await hello(token), { status: 200, body: '"Hello from Lambda!"' });
});

test('a second run reuses the saved token and makes no Cognito call', async () => {
  const result = await obtainToken(settings, { templatePath: TEMPLATE, outPath: out() });
  assert.equal(result.reused, true);
  assert.equal(proxy.count(SIGN_IN), 1);
});

test('npm run token reuses the same file without a Cognito call, and --force signs in again', async () => {
  const reused = await runTokenCli(['--out', out()], { cwd: repoRoot, env: cliEnv() });
  assert.equal(reused.code, 0, reused.stderr);
  assert.match(reused.stdout, /^Reused the saved ID token/);
  assert.equal(proxy.count(SIGN_IN), 1);

  const forced = await runTokenCli(['--out', out(), '--force'], { cwd: repoRoot, env: cliEnv() });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /^Signed in through Cognito/);
  assert.ok(!forced.stdout.includes(settings.password));
  assert.equal(proxy.count(SIGN_IN), 2);
  const saved = JSON.parse(await readFile(out(), 'utf8')) as { values: { key: string; value: string }[] };
  const token = saved.values.find((variable) => variable.key === 'id_token')?.value ?? '';
  assert.ok(!forced.stdout.includes(token), 'the token is not printed');
  assert.deepEqual(await hello(token), { status: 200, body: '"Hello from Lambda!"' });
});

test('a wrong password against the emulator is one sentence, exit 1, and the password is not printed', async () => {
  const wrong = 'Wrong-Pa55word-not-printed';
  const run = await runTokenCli(['--out', join(dir, 'other.json')], {
    cwd: repoRoot,
    env: cliEnv({ CONTRACT_PASSWORD: wrong }),
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^Cognito rejected the password for user "contract-tester" in pool local_\w+ \(or the user does not exist\): check CONTRACT_USERNAME and CONTRACT_PASSWORD\.\n$/,
  );
  assert.ok(!run.stderr.includes(wrong) && !run.stdout.includes(wrong));
});

test('in memory only (the contract runner): nothing is written, the token still works', async () => {
  const result = await obtainToken(settingsFromLocalStack(stack.get()), {
    write: false,
    templatePath: TEMPLATE,
  });
  assert.equal(result.path, undefined);
  assert.equal(result.claims.iss, stack.get().cognito.issuer);
  assert.deepEqual(await hello(result.idToken), { status: 200, body: '"Hello from Lambda!"' });
});
