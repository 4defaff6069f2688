/**
 * Bad credentials and app-client settings as real commands meet them: Cognito's refusals
 * (scripted over real HTTP by the fake) come out of `npm run token` and `npm run contract --target aws`
 * as one sentence with the fix, a non-zero exit, no stack trace, no secret and no file written.
 * Wrong password, a mismatched secret and the missing auth flow through `npm run token` are already in
 * tests/integration/token-helper/cli.test.ts; this file covers the remaining cases and the contract.
 */
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type FakeAnswer, type FakeCognito, startFakeCognito } from '../support/fake-cognito.ts';
import { awsCliEnv, runTokenCli } from '../support/token-cli.ts';
import { filesUnder, runContractCli, STACK_TRACE, scratchRoot } from './support/contract-process.ts';

const PASSWORD = 'Refusal-Pa55word!-never-printed';
const SECRET = 'refusalclientsecret0123456789abcdefghijklmnopq';
let cognito: FakeCognito;
let root: string;

function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return awsCliEnv(cognito.endpoint, PASSWORD, extra);
}

before(async () => {
  cognito = await startFakeCognito();
  root = await scratchRoot('hardening-refusals-');
});
after(async () => {
  await cognito.close();
  await rm(root, { recursive: true, force: true });
});

function assertRefused(
  run: { code: number | null; stdout: string; stderr: string },
  expected: RegExp,
  stdoutMustBeEmpty = true,
  exitCode = 1,
): void {
  assert.equal(run.code, exitCode, `exit code (stderr: ${run.stderr})`);
  if (stdoutMustBeEmpty) assert.equal(run.stdout, '', 'nothing on stdout');
  assert.match(run.stderr, /^[^\n]+\n$/, `exactly one line on stderr, got: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, STACK_TRACE, 'no stack trace');
  assert.match(run.stderr, expected);
  for (const secret of [PASSWORD, SECRET]) {
    assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), 'no secret in the output');
  }
}

async function assertNothingWritten(): Promise<void> {
  const written = (await filesUnder(root)).filter((path) => /generated|reports\/.+|\.tmp$/.test(path));
  assert.deepEqual(written, [], 'no environment, report or temporary file');
}

const cases: readonly {
  readonly title: string;
  readonly answer: FakeAnswer;
  readonly env?: Record<string, string>;
  readonly expected: RegExp;
}[] = [
  {
    title: 'an unknown user (pool with user existence errors on) names the user and how to create it',
    answer: { status: 400, type: 'UserNotFoundException', message: 'User does not exist.' },
    expected:
      /^There is no user "contract-tester" in pool us-east-1_AbCdEf123: check CONTRACT_USERNAME, or create the user/,
  },
  {
    title: 'an unknown user (pool hiding user existence) reads as wrong credentials',
    answer: { status: 400, type: 'NotAuthorizedException', message: 'Incorrect username or password.' },
    expected:
      /rejected the password for user "contract-tester" .*\(or the user does not exist\): check CONTRACT_USERNAME and CONTRACT_PASSWORD\./,
  },
  {
    title: 'a disabled user gives the command that enables it',
    answer: { status: 400, type: 'NotAuthorizedException', message: 'User is disabled.' },
    expected:
      /^The user "contract-tester" is disabled in pool us-east-1_AbCdEf123: enable it with `aws cognito-idp admin-enable-user /,
  },
  {
    title: 'a client secret that is required but not configured names COGNITO_CLIENT_SECRET',
    answer: {
      status: 400,
      type: 'NotAuthorizedException',
      message: 'Client 4gp8i9qbc1ebh2e3r0d5vnbu1k is configured for secret but secret was not received',
    },
    expected: /^The app client 4gp8i9qbc1ebh2e3r0d5vnbu1k has a client secret: set COGNITO_CLIENT_SECRET/,
  },
  {
    title: 'a wrong client secret says to copy it again',
    answer: {
      status: 400,
      type: 'NotAuthorizedException',
      message: 'Unable to verify secret hash for client 4gp8i9qbc1ebh2e3r0d5vnbu1k',
    },
    env: { COGNITO_CLIENT_SECRET: SECRET },
    expected:
      /^COGNITO_CLIENT_SECRET does not match app client 4gp8i9qbc1ebh2e3r0d5vnbu1k: copy the secret again/,
  },
  {
    title: 'a client without the admin password flow names the flag to enable',
    answer: {
      status: 400,
      type: 'InvalidParameterException',
      message: 'Auth flow not enabled for this client',
    },
    // Chosen explicitly: auto would go on to SRP, which this fake does not script.
    env: { CONTRACT_AUTH_FLOW: 'admin-password' },
    expected: /enable ALLOW_ADMIN_USER_PASSWORD_AUTH in its authentication flows/,
  },
];

describe('npm run token', () => {
  for (const { title, answer, env, expected } of cases.filter(
    (c) => !/wrong client secret|admin password flow/.test(c.title),
  )) {
    test(title, async () => {
      cognito.answer('AdminInitiateAuth', answer);
      const run = await runTokenCli(['--force'], { cwd: root, env: awsEnv(env) });
      assertRefused(run, expected);
      await assertNothingWritten();
    });
  }

  test('--out naming an existing directory says to give a file name', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { idToken } = await import('../support/token-helper-fixtures.ts');
    cognito.answer('AdminInitiateAuth', {
      status: 200,
      body: { AuthenticationResult: { IdToken: idToken({ exp: now + 3600 }) } },
    });
    await mkdir(join(root, 'a-directory'));
    const run = await runTokenCli(['--force', '--out', 'a-directory'], { cwd: root, env: awsEnv() });
    // A path the user gave with --out: a usage mistake, exit 2 (token-helper/README.md).
    assertRefused(
      run,
      /^Cannot write the Postman environment to a-directory \(EISDIR\): give --out a file name/,
      true,
      2,
    );
    assert.deepEqual(await filesUnder(join(root, 'a-directory')), [], 'no temporary file left in it');
    await rm(join(root, 'a-directory'), { recursive: true });
  });
});

describe('npm run contract --target aws', () => {
  for (const { title, answer, env, expected } of cases) {
    test(title, async () => {
      cognito.answer('AdminInitiateAuth', answer);
      const run = await runContractCli(['--force'], { cwd: root, env: awsEnv(env) });
      assertRefused(run, expected);
      await assertNothingWritten();
    });
  }
});
