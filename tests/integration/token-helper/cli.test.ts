/**
 * `npm run token` end to end as a new user meets it: a real process, real exit codes and output, a
 * fake Cognito on loopback for the answers. Every failure must be one line on stderr, without a
 * stack trace and without any secret; success prints a summary without the token.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { type FakeCognito, startFakeCognito } from '../../support/fake-cognito.ts';
import { awsCliEnv, type CliRun, runTokenCli } from '../../support/token-cli.ts';
import { accessToken, idToken, TEMPLATE } from '../../support/token-helper-fixtures.ts';

const PASSWORD = 'Cli-Pa55word!-never-printed';
const SECRET = 'clientsecretneverprinted0123456789abcdefghijklmn';
let cognito: FakeCognito;
let dir: string;

function freshToken(): string {
  return idToken({ exp: Math.floor(Date.now() / 1000) + 3600 });
}

/** The access token Cognito returns beside the ID token; a saved token without it is not reused. */
function freshAccessToken(): string {
  return accessToken(3600, Math.floor(Date.now() / 1000));
}

function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return awsCliEnv(cognito.endpoint, PASSWORD, extra);
}

const OUT = () => join(dir, 'environments', 'generated', 'aws.postman_environment.json');

function assertCleanFailure(run: CliRun, exitCode: number, expected: RegExp, ...secrets: string[]): void {
  assert.equal(run.code, exitCode, `exit code (stderr: ${run.stderr})`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  assert.match(run.stderr, /^[^\n]+\n$/, 'exactly one line on stderr');
  assert.doesNotMatch(run.stderr, /\bat .*:\d+:\d+/, 'no stack trace');
  assert.match(run.stderr, expected);
  for (const secret of [PASSWORD, SECRET, ...secrets]) {
    assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), 'no secret in the output');
  }
}

before(async () => {
  cognito = await startFakeCognito();
  dir = await mkdtemp(join(tmpdir(), 'token-cli-test-'));
  await mkdir(join(dir, 'environments'));
  for (const target of ['local', 'aws']) {
    await writeFile(
      join(dir, 'environments', `${target}.postman_environment.json`),
      JSON.stringify(TEMPLATE),
    );
  }
});
after(async () => {
  await cognito.close();
  await rm(dir, { recursive: true, force: true });
});

describe('successful runs', () => {
  const token = freshToken();

  test('signs in, writes the environment 0600 and prints a summary without the token or password', async () => {
    cognito.answer('AdminInitiateAuth', {
      status: 200,
      body: { AuthenticationResult: { IdToken: token, AccessToken: freshAccessToken() } },
    });

    const run = await runTokenCli([], { cwd: dir, env: awsEnv() });

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^Signed in through Cognito and got a fresh ID token\.\n/);
    assert.match(run.stdout, /cognito:username +contract-tester\n/);
    assert.match(run.stdout, /sub +a1b2c3d4-0000-4000-8000-000000000001\n/);
    assert.match(
      run.stdout,
      /issuer +https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_AbCdEf123\n/,
    );
    assert.match(run.stdout, /audience +4gp8i9qbc1ebh2e3r0d5vnbu1k\n/);
    assert.match(run.stdout, /expires +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 60 min\)\n/);
    assert.match(run.stdout, /file +environments\/generated\/aws\.postman_environment\.json\n/);
    for (const secret of [token, token.split('.')[2] ?? '', PASSWORD])
      assert.ok(!run.stdout.includes(secret));
    assert.equal((await stat(OUT())).mode & 0o777, 0o600);
    assert.ok((await readFile(OUT(), 'utf8')).includes(token));
    assert.equal(cognito.count('AdminInitiateAuth'), 1);
  });

  test('a second run reuses the saved token without calling Cognito', async () => {
    const run = await runTokenCli([], { cwd: dir, env: awsEnv() });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Reused the saved ID token/);
    assert.equal(cognito.count('AdminInitiateAuth'), 1);
  });

  test('--force signs in again', async () => {
    const run = await runTokenCli(['--force'], { cwd: dir, env: awsEnv() });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(cognito.count('AdminInitiateAuth'), 2);
  });

  test('--decode prints header and claims, never the token or its signature, and calls nothing', async () => {
    const run = await runTokenCli(['--decode', '--target', 'aws'], { cwd: dir, env: {} });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /"alg": "RS256"/);
    assert.match(run.stdout, /"cognito:username": "contract-tester"/);
    assert.match(run.stdout, /nothing was sent anywhere/);
    assert.ok(!run.stdout.includes(token) && !run.stdout.includes(token.split('.')[2] ?? 'x'));
    assert.equal(cognito.count('AdminInitiateAuth'), 2);
  });

  test('--help prints the flags and exits 0', async () => {
    const run = await runTokenCli(['--help'], { cwd: dir });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--target local\|aws/);
  });
});

describe('failures: one line, the fix, non-zero exit, no secret', () => {
  afterEach(() =>
    cognito.answer('AdminInitiateAuth', {
      status: 200,
      body: { AuthenticationResult: { IdToken: freshToken() } },
    }),
  );

  test('wrong password', async () => {
    cognito.answer('AdminInitiateAuth', {
      status: 400,
      type: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    const run = await runTokenCli(['--force'], { cwd: dir, env: awsEnv() });
    assertCleanFailure(
      run,
      1,
      /rejected the password for user "contract-tester".*check CONTRACT_USERNAME and CONTRACT_PASSWORD\.$/m,
    );
  });

  test('a client secret that does not match', async () => {
    cognito.answer('AdminInitiateAuth', {
      status: 400,
      type: 'NotAuthorizedException',
      message: 'Unable to verify secret hash for client 4gp8i9qbc1ebh2e3r0d5vnbu1k',
    });
    const run = await runTokenCli(['--force'], { cwd: dir, env: awsEnv({ COGNITO_CLIENT_SECRET: SECRET }) });
    assertCleanFailure(run, 1, /COGNITO_CLIENT_SECRET does not match/);
  });

  test('a client without the admin auth flow', async () => {
    cognito.answer('AdminInitiateAuth', {
      status: 400,
      type: 'InvalidParameterException',
      message: 'Auth flow not enabled for this client',
    });
    // Chosen explicitly: auto would go on to SRP, which this fake does not script.
    const run = await runTokenCli(['--force'], {
      cwd: dir,
      env: awsEnv({ CONTRACT_AUTH_FLOW: 'admin-password' }),
    });
    assertCleanFailure(run, 1, /enable ALLOW_ADMIN_USER_PASSWORD_AUTH/);
  });

  test('an unreachable endpoint fails fast', async () => {
    const run = await runTokenCli(['--force'], {
      cwd: dir,
      env: awsEnv({ COGNITO_ENDPOINT: 'http://127.0.0.1:1' }),
    });
    assertCleanFailure(run, 1, /Cannot reach Cognito at http:\/\/127\.0\.0\.1:1 \(connection refused\)/);
  });

  test('a silent endpoint fails within the timeout (two attempts)', async () => {
    cognito.answer('AdminInitiateAuth', { hang: true });
    const run = await runTokenCli(['--force', '--timeout', '0.5'], { cwd: dir, env: awsEnv() });
    assertCleanFailure(run, 1, /did not answer within 0\.5 s/);
    assert.ok(run.ms < 8_000, `bounded in time (took ${run.ms} ms)`);
  });

  test('no AWS credentials for real Cognito', async () => {
    // Pinned to the admin flow: auto would try SRP first against real Cognito, and tests reach only loopback.
    const env = awsEnv({ CONTRACT_AUTH_FLOW: 'admin-password' });
    delete env.COGNITO_ENDPOINT;
    const run = await runTokenCli(['--force'], { cwd: dir, env });
    assertCleanFailure(run, 1, /No AWS credentials found/);
  });

  test('every missing key in one message, exit 2', async () => {
    const run = await runTokenCli(['--target', 'aws'], { cwd: dir, env: {} });
    assertCleanFailure(
      run,
      2,
      /has 6 problems: API_URL is missing.*AWS_REGION.*COGNITO_USER_POOL_ID.*COGNITO_CLIENT_ID.*CONTRACT_USERNAME.*CONTRACT_PASSWORD is missing/,
    );
  });

  test('malformed values, exit 2', async () => {
    const run = await runTokenCli([], {
      cwd: dir,
      env: awsEnv({ API_URL: 'https://x.example/dev?x', AWS_REGION: 'mars-1', COGNITO_USER_POOL_ID: 'pool' }),
    });
    assertCleanFailure(
      run,
      2,
      /has 3 problems: API_URL has a query.*AWS_REGION \("mars-1"\).*COGNITO_USER_POOL_ID \("pool"\)/,
    );
  });

  test('values from .env are used and named as such; the shell wins over .env', async () => {
    const withDotenv = await mkdtemp(join(tmpdir(), 'token-cli-dotenv-'));
    try {
      await writeFile(join(withDotenv, '.env'), 'CONTRACT_TARGET=aws\nAWS_REGION=bad-region\nAPI_URL=nope\n');
      const {
        AWS_REGION: _fromDotenv,
        CONTRACT_TARGET: _alsoFromDotenv,
        ...shell
      } = awsEnv({ API_URL: 'https://x.example/dev' });
      const run = await runTokenCli([], { cwd: withDotenv, env: shell });
      assertCleanFailure(run, 2, /has a problem: AWS_REGION \(in \.env\) \("bad-region"\) is not a region/);
    } finally {
      await rm(withDotenv, { recursive: true, force: true });
    }
  });

  test('target local with no running stack says to start it', async () => {
    const run = await runTokenCli([], { cwd: dir, env: {} });
    assertCleanFailure(
      run,
      2,
      /^No local stack is running \(environments\/generated\/local\.stack\.json does not exist\): start the local stack with `npm run stack` in another shell\.$/m,
    );
  });

  test('an unknown flag, exit 2', async () => {
    const run = await runTokenCli(['--froce'], { cwd: dir, env: awsEnv() });
    assertCleanFailure(run, 2, /Unknown flag --froce \(did you mean --force\?\)/);
  });

  test('an unknown target, exit 2', async () => {
    const run = await runTokenCli(['--target', 'prod'], { cwd: dir, env: awsEnv() });
    assertCleanFailure(run, 2, /Unknown target "prod" in --target/);
  });

  test('--out somewhere unwritable, and nothing half-written', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const run = await runTokenCli(['--force', '--out', join(blocker, 'env.json')], {
      cwd: dir,
      env: awsEnv(),
    });
    assertCleanFailure(run, 2, /Cannot write the Postman environment to .*a-file\/env\.json \(ENOTDIR\)/);
  });

  test('--out in a read-only folder is a usage mistake: exit 2, as the README says for a flag', async () => {
    // /sys refuses new files to everyone, root included (a chmod 0555 folder would not stop root).
    const run = await runTokenCli(['--force', '--out', '/sys/contract-env.json'], {
      cwd: dir,
      env: awsEnv(),
    });
    assertCleanFailure(
      run,
      2,
      /^Cannot write the Postman environment to \/sys\/contract-env\.json \((EACCES|EPERM|EROFS)\): choose a writable path with --out\.$/m,
    );
  });

  test('a --template that does not exist names the flag, not a git command that cannot restore it', async () => {
    for (const path of ['environments/nope.json', '/nonexistent']) {
      const run = await runTokenCli(['--template', path], { cwd: dir, env: awsEnv() });
      assertCleanFailure(
        run,
        2,
        /^The Postman environment template \S+ does not exist: check the path given to --template\.$/m,
      );
      assert.doesNotMatch(run.stderr, /git checkout/);
    }
  });

  test('--decode without a saved token', async () => {
    const run = await runTokenCli(['--decode', '--out', 'none.json'], { cwd: dir, env: awsEnv() });
    assertCleanFailure(
      run,
      1,
      /There is no saved token at none\.json: run `npm run token -- --target aws` first\./,
    );
  });
});

test('git ignores the generated files and .env, but not .env.example', () => {
  const ignored = (path: string): boolean => {
    try {
      execFileSync('git', ['check-ignore', '-q', path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(ignored('environments/generated/local.postman_environment.json'), true);
  assert.equal(ignored('environments/generated/aws.postman_environment.json'), true);
  assert.equal(ignored('environments/generated/local.stack.json'), true);
  assert.equal(ignored('.env'), true);
  assert.equal(ignored('.env.example'), false);
  assert.equal(ignored('environments/local.postman_environment.json'), false);
});
