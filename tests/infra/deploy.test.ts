import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UsageError } from '../../common/cli-error.ts';
import type { RunCdk } from '../../infra/cdk-cli.ts';
import { deploy } from '../../infra/deploy.ts';
import { STACK_NAME } from '../../infra/deployment-names.ts';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const outputs = {
  [STACK_NAME]: {
    ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
    Region: 'eu-west-1',
    UserPoolId: 'eu-west-1_AbCdEf123',
    UserPoolClientId: '1example23456789',
    HostedUiUrl: 'https://hello-api-1.auth.eu-west-1.amazoncognito.com/login',
  },
};

/** A stand-in for the CDK CLI that records its calls and writes outputs the way `--outputs-file` does. */
function fakeCdk() {
  const calls: { args: readonly string[]; env: NodeJS.ProcessEnv }[] = [];
  const runCdk: RunCdk = async (args, env) => {
    calls.push({ args, env });
    const file = args[args.indexOf('--outputs-file') + 1];
    if (args[0] === 'deploy' && file !== undefined) await writeFile(file, JSON.stringify(outputs));
  };
  return { calls, runCdk };
}

async function setUp(envText: string) {
  const dir = await mkdtemp(join(tmpdir(), 'deploy-'));
  dirs.push(dir);
  const envPath = join(dir, '.env');
  await writeFile(envPath, envText, { mode: 0o644 });
  return { envPath, outputsPath: join(dir, 'outputs.json') };
}

test('deploys the stack, then writes its outputs into .env and keeps the other keys', async () => {
  const { envPath, outputsPath } = await setUp('# mine\nCONTRACT_PASSWORD=secret\n');
  const cdk = fakeCdk();
  const lines: string[] = [];

  await deploy({
    ...cdk,
    envPath,
    outputsPath,
    bootstrap: false,
    processEnv: {},
    log: (line) => lines.push(line),
  });

  assert.deepEqual(cdk.calls[0]?.args, [
    'deploy',
    STACK_NAME,
    '--require-approval',
    'never',
    '--outputs-file',
    outputsPath,
  ]);
  assert.equal(
    await readFile(envPath, 'utf8'),
    '# mine\nCONTRACT_PASSWORD=secret\nAPI_URL=https://abc123.execute-api.eu-west-1.amazonaws.com/dev\nAWS_REGION=eu-west-1\nCOGNITO_USER_POOL_ID=eu-west-1_AbCdEf123\nCOGNITO_CLIENT_ID=1example23456789\n',
  );
  assert.equal((await stat(envPath)).mode & 0o777, 0o600);
  assert.ok(
    lines.every((line) => !line.includes('secret')),
    'nothing secret is printed',
  );
});

test('bootstraps first when asked, and passes the domain prefix and region from .env but not the password', async () => {
  const { envPath, outputsPath } = await setUp(
    'COGNITO_DOMAIN_PREFIX=qa-hello\nAWS_REGION=eu-west-1\nCONTRACT_PASSWORD=secret\n',
  );
  const cdk = fakeCdk();

  await deploy({ ...cdk, envPath, outputsPath, bootstrap: true, processEnv: {}, log: () => undefined });

  assert.deepEqual(
    cdk.calls.map((call) => call.args[0]),
    ['bootstrap', 'deploy'],
  );
  for (const call of cdk.calls) {
    assert.deepEqual(call.args.slice(-2), ['--context', 'domainPrefix=qa-hello']);
    assert.equal(call.env.AWS_REGION, 'eu-west-1');
    assert.equal(call.env.CONTRACT_PASSWORD, undefined);
  }
});

test('an invalid domain prefix stops before any AWS call, naming the key to fix', async () => {
  const { envPath, outputsPath } = await setUp('COGNITO_DOMAIN_PREFIX=My_Prefix\n');
  const cdk = fakeCdk();
  await assert.rejects(
    deploy({ ...cdk, envPath, outputsPath, bootstrap: false, processEnv: {}, log: () => undefined }),
    (error: unknown) =>
      error instanceof UsageError && /Fix COGNITO_DOMAIN_PREFIX in \.env/.test(error.message),
  );
  assert.equal(cdk.calls.length, 0);
});
