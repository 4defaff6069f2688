/**
 * Bad input to `npm run contract`: each mistake is one sentence on stderr that names the problem
 * and the fix, a non-zero exit, no stack trace, no half-written file and no stack left running. The token
 * helper's own bad-input cases live in tests/unit/token-helper and tests/integration/token-helper.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readApiDescription } from '../../api/read-description.ts';
import { helloApi } from '../../api/routes.ts';
import { collectionRoutes } from '../../collections/clause.ts';
import { renderCollection } from '../../collections/collection.ts';
import { FEW_KINDS, writeFewClauses } from '../support/few-clauses.ts';
import { dataDirectoriesOf } from '../support/lifecycle.ts';
import {
  type ContractRun,
  filesUnder,
  repoRoot,
  runContractCli,
  STACK_TRACE,
  scratchRoot,
} from './support/contract-process.ts';

let root: string;

before(async () => {
  root = await scratchRoot('hardening-bad-input-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const GOOD_AWS = {
  CONTRACT_TARGET: 'aws',
  API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
  AWS_REGION: 'us-east-1',
  COGNITO_USER_POOL_ID: 'us-east-1_AbCdEf123',
  COGNITO_CLIENT_ID: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
  CONTRACT_USERNAME: 'contract-tester',
  CONTRACT_PASSWORD: 'Bad-Input-Pa55word!',
};

/** One line on stderr matching `expected`, nothing on stdout, the exit code, and nothing left over. */
async function assertOneSentence(run: ContractRun, exitCode: number, expected: RegExp): Promise<void> {
  assert.equal(run.code, exitCode, `exit code (stderr: ${run.stderr})`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  assert.match(run.stderr, /^[^\n]+\n$/, `exactly one line on stderr, got: ${run.stderr}`);
  assert.match(run.stderr, /: [^:]+\.\n$|\.\n$/, 'ends as a sentence');
  assert.doesNotMatch(run.stderr, STACK_TRACE, 'no stack trace');
  assert.doesNotMatch(run.stderr, /Unexpected failure/, 'an expected mistake, not a crash');
  assert.ok(!run.stderr.includes(GOOD_AWS.CONTRACT_PASSWORD), 'the password is never echoed');
  assert.match(run.stderr, expected);
  assert.deepEqual(await dataDirectoriesOf(run.pid), [], 'no emulator data directory left');
  const leftovers = (await filesUnder(root)).filter((path) => /\.tmp$|reports\//.test(path));
  assert.deepEqual(leftovers, [], 'no temporary or report file written');
}

describe('the command line', { concurrency: 3 }, () => {
  test('an unknown target names the two targets', async () => {
    const run = await runContractCli(['--target', 'prod'], { cwd: root });
    await assertOneSentence(run, 2, /^Unknown target "prod" in --target: use local .* or aws/);
  });

  test('an unknown target in CONTRACT_TARGET names the variable', async () => {
    const run = await runContractCli([], { cwd: root, env: { CONTRACT_TARGET: 'staging' } });
    await assertOneSentence(run, 2, /^Unknown target "staging" in CONTRACT_TARGET/);
  });

  test('an unknown CONTRACT_AUTH_FLOW is refused on the local target too, before anything starts', async () => {
    const run = await runContractCli([], { cwd: root, env: { CONTRACT_AUTH_FLOW: 'magic' } });
    await assertOneSentence(
      run,
      2,
      /^CONTRACT_AUTH_FLOW must be one of auto, srp, admin-srp, admin-password, password, user-auth-srp, user-auth-password, not "magic"\.$/m,
    );
  });

  test('CONTRACT_AUTH_FLOW chooses how the embedded stack is signed in to', async () => {
    // The sign-in is the subject: a few clauses (the greeting among them, which needs the token the
    // flow got) pass as the whole contract would.
    await writeFewClauses(join(root, 'srp.postman_collection.json'), helloApi);
    const run = await runContractCli(['--reporters', 'cli', '--collection', 'srp.postman_collection.json'], {
      cwd: root,
      env: { CONTRACT_AUTH_FLOW: 'srp' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Token: .*, fresh sign-in \(srp\)$/m);
  });

  test('an unknown flag suggests the flag that was meant', async () => {
    const run = await runContractCli(['--iteration', '3'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Unknown flag --iteration \(did you mean --iterations\?\): run `npm run/,
    );
  });

  test('a flag without its value says how to give one', async () => {
    const run = await runContractCli(['--reports-dir'], { cwd: root });
    await assertOneSentence(run, 2, /^Flag --reports-dir needs a value, as in --reports-dir VALUE/);
  });

  for (const value of ['0', 'three', '1.5', '10001', '-2']) {
    test(`--iterations=${value} asks for a whole number in range`, async () => {
      const run = await runContractCli([`--iterations=${value}`], { cwd: root });
      await assertOneSentence(
        run,
        2,
        /^Flag --iterations must be a whole number from 1 to 10000, not "[^"]*"\.$/m,
      );
    });
  }

  test('--iterations -1 (a negative number as its own argument) names the range, not a missing value', async () => {
    const run = await runContractCli(['--iterations', '-1'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Flag --iterations must be a whole number from 1 to 10000, not "-1"\.$/m,
    );
  });

  test('--timeout-request that is not a number asks for milliseconds', async () => {
    const run = await runContractCli(['--timeout-request', '5s'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Flag --timeout-request must be a whole number from 1 to 600000, not "5s"/,
    );
  });

  test('an unknown reporter lists the reporters there are', async () => {
    const run = await runContractCli(['--reporters', 'cli,pdf'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Flag --reporters must be a comma-separated list of cli, htmlextra, junit, not "cli,pdf" \(pdf is not one of them\)\.$/m,
    );
  });
});

describe('the aws configuration, every problem in one message', { concurrency: 3 }, () => {
  test('every required key missing is listed, without suggesting flags the command does not have', async () => {
    const run = await runContractCli(['--target', 'aws'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The aws configuration has 6 problems: API_URL is missing.*; AWS_REGION is missing.*; COGNITO_USER_POOL_ID is missing.*; COGNITO_CLIENT_ID is missing.*; CONTRACT_USERNAME is missing.*; CONTRACT_PASSWORD is missing/,
    );
    assert.doesNotMatch(run.stderr, /--api-url|--region|--user-pool-id|--client-id|--username/);
  });

  test('every required key set but empty is listed as empty', async () => {
    const empty = Object.fromEntries(Object.keys(GOOD_AWS).map((key) => [key, '']));
    const run = await runContractCli(['--target', 'aws'], { cwd: root, env: empty });
    await assertOneSentence(run, 2, /^The aws configuration has 6 problems: API_URL is empty/);
    assert.equal(run.stderr.match(/ is empty: set it to /g)?.length, 6);
  });

  test('a malformed URL, region, pool id, client id and endpoint are each named with what a good value looks like', async () => {
    const run = await runContractCli([], {
      cwd: root,
      env: {
        ...GOOD_AWS,
        API_URL: 'abc123.execute-api.us-east-1.amazonaws.com/dev',
        AWS_REGION: 'US-EAST-1',
        COGNITO_USER_POOL_ID: 'us-east-1-AbCdEf123',
        COGNITO_CLIENT_ID: 'client id',
        COGNITO_ENDPOINT: 'ftp://127.0.0.1:9229',
      },
    });
    await assertOneSentence(
      run,
      2,
      /^The aws configuration has 5 problems: API_URL is not a URL: set it to the stage invoke URL, e\.g\. https:.*; AWS_REGION \("US-EAST-1"\) is not a region like us-east-1.*; COGNITO_USER_POOL_ID \("us-east-1-AbCdEf123"\) is not a user pool id.*; COGNITO_CLIENT_ID \("client id"\) is not an app client id.*; COGNITO_ENDPOINT is not an http\(s\) URL/,
    );
  });

  test('a pool id from another region than AWS_REGION is named', async () => {
    const run = await runContractCli([], {
      cwd: root,
      env: { ...GOOD_AWS, COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123' },
    });
    await assertOneSentence(
      run,
      2,
      /COGNITO_USER_POOL_ID belongs to region eu-west-1 but the region is us-east-1: make the region and the pool id agree/,
    );
  });

  test('a value from .env is named as coming from .env', async () => {
    const withDotenv = join(root, 'dotenv-project');
    await mkdir(withDotenv);
    try {
      await writeFile(join(withDotenv, '.env'), 'CONTRACT_TARGET=aws\nAWS_REGION=useast1\n');
      const { AWS_REGION: _fromDotenv, CONTRACT_TARGET: _alsoFromDotenv, ...shell } = GOOD_AWS;
      const run = await runContractCli([], { cwd: withDotenv, env: shell });
      await assertOneSentence(run, 2, /has a problem: AWS_REGION \(in \.env\) \("useast1"\) is not a region/);
    } finally {
      await rm(withDotenv, { recursive: true, force: true });
    }
  });
});

describe('files the run reads or writes', () => {
  test('a missing collection inside the project is named, with how to restore it from git', async () => {
    const run = await runContractCli(['--collection', 'collections/missing.json'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The collection collections\/missing\.json does not exist: restore it with `git checkout -- collections\/missing\.json`\.$/m,
    );
  });

  test('a missing collection outside the project is named by its path, without a git hint', async () => {
    const outside = join(tmpdir(), 'no-such-dir-for-contract', 'missing.json');
    const run = await runContractCli(['--collection', outside], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The collection \/.*missing\.json does not exist: check the path given to --collection\.$/m,
    );
  });

  test('a collection that is not JSON is named, with how to restore it', async () => {
    await writeFile(join(root, 'broken.json'), '{"info": {"name": "half');
    const run = await runContractCli(['--collection', 'broken.json'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The collection broken\.json is not valid JSON: .*re-export it from Postman/,
    );
  });

  test('JSON that is not a Postman collection is named as such', async () => {
    await writeFile(join(root, 'environment.json'), '{"values": []}');
    const run = await runContractCli(['--collection', 'environment.json'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /is not a Postman v2\.1 collection .*re-export it from Postman as Collection v2\.1/,
    );
  });

  test('a reports folder under a file cannot be made: named, with --reports-dir as the fix', async () => {
    await writeFile(join(root, 'a-file'), 'x');
    const run = await runContractCli(['--reports-dir', 'a-file/reports'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Cannot write reports to .*a-file\/reports \(ENOTDIR: .*\): choose a writable folder with --reports-dir\.$/m,
    );
  });

  test('a reports folder in /proc fails in bounded time instead of spinning', async () => {
    const run = await runContractCli(['--reports-dir', '/proc/contract-reports'], {
      cwd: root,
      killAfterMs: 20_000,
    });
    await assertOneSentence(
      run,
      2,
      /^Cannot write reports to \/proc\/contract-reports \(ENOENT: .*--reports-dir\.$/m,
    );
  });

  test('a collection made for another API is refused before anything starts, naming the methods that are not served', async () => {
    const shop = await readApiDescription(join(repoRoot, 'tests/fixtures/api/shop.oas30.json'));
    await writeFile(join(root, 'shop.postman_collection.json'), renderCollection(shop));
    const started = Date.now();
    const run = await runContractCli(['--collection', 'shop.postman_collection.json'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The collection shop\.postman_collection\.json was made for another API: it tests [A-Z]+ \/\S+(, [A-Z]+ \/\S+)*( and \d+ more)?, which hello-api \(served by the local stack, with GET \/hello\) does not have: give --collection the collection made for hello-api, or --api-spec the description the collection was made from\.$/m,
    );
    assert.ok(Date.now() - started < 30_000, 'refused up front, not after running every clause');
  });

  test('the same collection with the description it was made from runs', async () => {
    const shop = await readApiDescription(join(repoRoot, 'tests/fixtures/api/shop.oas30.json'));
    // What is proven is that the CLI takes a collection made from --api-spec and runs it on the stack
    // serving that description, not the shop contract's 410 clauses (tests/contract/api-export.test.ts
    // runs them all): the clauses of every protected method (no header, the greeting, the scope
    // refusals) and the coverage checks of the public ones, which pass only with the allow-list below.
    const few = join(root, 'shop-few.postman_collection.json');
    await writeFewClauses(few, shop, [...FEW_KINDS, 'coverage', 'scope-id-token', 'scope-without-scope']);
    assert.deepEqual(
      collectionRoutes(JSON.parse(await readFile(few, 'utf8'))),
      collectionRoutes(JSON.parse(renderCollection(shop))),
      'the collection tests every method the whole one tests (what the CLI compares with the API served)',
    );
    const run = await runContractCli(
      [
        '--collection',
        'shop-few.postman_collection.json',
        '--api-spec',
        join(repoRoot, 'tests/fixtures/api/shop.oas30.json'),
        '--reporters',
        'cli',
      ],
      { cwd: root, env: { CONTRACT_ALLOW_UNPROTECTED: 'GET /health, OPTIONS /items' } },
    );
    assert.doesNotMatch(run.stderr, /was made for another API/);
    assert.match(run.stdout, /^Result: PASSED/m, run.stdout.slice(-2000));
  });

  test('a collection that is a folder is named as one', async () => {
    const run = await runContractCli(['--collection', 'collections'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^The collection collections is a folder: give --collection the collection file inside it\.$/m,
    );
  });

  test('a read-only or forbidden reports folder is named as not writable (exit 2)', async () => {
    // /sys refuses new folders to everyone, root included (EPERM for root, EACCES for others); a chmod
    // 0555 folder would not stop root, who runs this suite in CI's container.
    const run = await runContractCli(['--reports-dir', '/sys/contract-reports'], { cwd: root });
    await assertOneSentence(
      run,
      2,
      /^Cannot write reports to \/sys\/contract-reports \((EPERM|EACCES|EROFS): the folder is not writable\): choose a writable folder with --reports-dir\.$/m,
    );
  });

  test('a reports folder that is an existing file is named as a file in the way', async () => {
    const run = await runContractCli(['--reports-dir', 'a-file'], { cwd: root });
    await assertOneSentence(run, 2, /a-file \(EEXIST: a file is in the way of that folder\)/);
  });
});

describe('the environment template (read relative to the project root)', () => {
  const template = () => join(root, 'environments', 'local.postman_environment.json');
  let original: string;
  before(async () => {
    original = await readFile(template(), 'utf8');
  });
  after(async () => {
    await writeFile(template(), original);
  });

  test('a missing template is named, with how to restore it, before a stack starts', async () => {
    await rm(template());
    const run = await runContractCli(['--reporters', 'cli'], { cwd: root });
    await assertOneSentence(
      run,
      1,
      /^The Postman environment template environments\/local\.postman_environment\.json is missing: restore it with `git checkout -- environments\/local\.postman_environment\.json`\.$/m,
    );
    assert.doesNotMatch(run.stderr, /--template/, 'no flag the contract does not have');
  });

  test('a run that fails before writing any report leaves no empty run folder behind', async () => {
    await rm(template(), { force: true });
    const run = await runContractCli(['--reports-dir', 'failed-run-reports'], { cwd: root });
    assert.equal(run.code, 1);
    assert.deepEqual(await readdir(join(root, 'failed-run-reports')), []);
    await writeFile(template(), original);
  });

  test('a template that is not JSON is named', async () => {
    await writeFile(template(), '{"id": "x", "values": [');
    const run = await runContractCli(['--reporters', 'cli'], { cwd: root });
    await assertOneSentence(
      run,
      1,
      /template environments\/local\.postman_environment\.json is not valid JSON/,
    );
  });

  test('a template holding a token is refused, and the token is not echoed', async () => {
    const leaked = JSON.parse(original) as { values: { key: string; value: string }[] };
    for (const variable of leaked.values)
      if (variable.key === 'id_token') variable.value = 'eyJcommitted.leak.x';
    await writeFile(template(), JSON.stringify(leaked));
    const run = await runContractCli(['--reporters', 'cli'], { cwd: root });
    await assertOneSentence(run, 1, /holds a value for id_token: committed templates must not hold tokens/);
    assert.ok(!run.stderr.includes('eyJcommitted'));
  });

  test('nothing was ever written under environments/', async () => {
    assert.deepEqual(await readdir(join(root, 'environments')), [
      'aws.postman_environment.json',
      'local.postman_environment.json',
    ]);
  });
});
