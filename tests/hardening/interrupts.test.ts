/**
 * Interrupts: SIGINT or SIGTERM at several moments of `npm run contract` and `npm run stack`
 * leaves no process, no listening port, no emulator data directory and no temporary or partial file.
 * What the process owned (descendants, listening ports) is read from /proc just before the signal.
 */
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { helloApi } from '../../api/routes.ts';
import { type FakeCognito, startFakeCognito } from '../support/fake-cognito.ts';
import { writeFewClauses } from '../support/few-clauses.ts';
import { dataDirectoriesOf, eventually, isListening } from '../support/lifecycle.ts';
import { preserveStateFile } from '../support/stack-process.ts';
import {
  type ContractProcess,
  type ContractRun,
  filesUnder,
  scratchRoot,
  spawnContract,
} from './support/contract-process.ts';
import { descendantsOf, isAlive, listeningPortsOf } from './support/process-probe.ts';

let root: string;
before(async () => {
  root = await scratchRoot('hardening-interrupts-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Owned {
  readonly pid: number;
  readonly descendants: readonly number[];
  readonly ports: readonly number[];
}

async function snapshot(run: ContractProcess): Promise<Owned> {
  const [descendants, ports] = await Promise.all([descendantsOf(run.pid), listeningPortsOf(run.pid)]);
  return { pid: run.pid, descendants, ports };
}

/** Resolves once the process has created its emulator data directory (the stack is starting). */
async function untilStackStarting(run: ContractProcess): Promise<void> {
  const seen = await eventually(async () => (await dataDirectoriesOf(run.pid)).length > 0, 15_000);
  assert.ok(seen, `the stack never started; stdout: ${run.stdout()}`);
}

async function assertNothingLeft(owned: Owned, run: ContractProcess, signal: NodeJS.Signals): Promise<void> {
  const result = await run.done;
  const expectedCode = signal === 'SIGINT' ? 130 : 143;
  assert.ok(
    result.code === expectedCode || result.signal === signal,
    `exit ${expectedCode} or killed by ${signal}, got code ${result.code} signal ${result.signal}; stderr: ${result.stderr}`,
  );
  assert.equal(result.signal === 'SIGKILL', false, 'ended on its own, not by the test watchdog');
  assert.equal(isAlive(owned.pid), false, 'the process is gone');
  // esbuild's service (the launcher's rebuild of .build/ after an edit, on Node 20) is a child; it exits
  // on its own once its parent's pipe closes.
  const orphans = async () => owned.descendants.filter(isAlive);
  assert.ok(
    await eventually(async () => (await orphans()).length === 0, 3_000),
    `descendants gone: ${await orphans()}`,
  );
  for (const port of owned.ports) assert.equal(await isListening(port), false, `port ${port} is closed`);
  assert.deepEqual(await dataDirectoriesOf(owned.pid), [], 'no emulator data directory');
  const partial = (await filesUnder(root)).filter((path) =>
    /\.tmp$|\/\.[^/]+\.\d+\.[0-9a-f]+\.tmp$/.test(path),
  );
  assert.deepEqual(partial, [], 'no temporary file in the project');
  assert.doesNotMatch(result.stderr, /\bat .*:\d+:\d+/, 'no stack trace');
}

describe('npm run contract', () => {
  const contract = (args: readonly string[] = []) =>
    spawnContract(['--reports-dir', 'reports', ...args], { cwd: root, killAfterMs: 60_000 });

  test('SIGINT while the module loads (nothing started yet) leaves nothing', async () => {
    const run = contract();
    await sleep(150);
    const owned = await snapshot(run);
    run.child.kill('SIGINT');
    await assertNothingLeft(owned, run, 'SIGINT');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} while the local stack is starting leaves no port and no data directory`, async () => {
      const run = contract();
      await untilStackStarting(run);
      const owned = await snapshot(run);
      run.child.kill(signal);
      await assertNothingLeft(owned, run, signal);
    });
  }

  /**
   * One SIGINT while Newman runs with every reporter serves three tests: what the process owned is gone,
   * what it printed, and what it left in the reports folder. Each was a run of its own (two with cli and
   * junit only); every reporter makes the interrupted run the one with the most to clean up.
   */
  describe('SIGINT while Newman runs with every reporter', () => {
    let owned: Owned;
    let run: ContractProcess;
    let result: ContractRun;
    before(async () => {
      run = spawnContract(
        ['--reports-dir', 'interrupted-reports', '--reporters', 'cli,htmlextra,junit', '--iterations', '40'],
        { cwd: root, killAfterMs: 60_000 },
      );
      await run.waitFor(/↳ .*\n.*GET http:\/\/127\.0\.0\.1:\d+\/dev\/hello \[/);
      owned = await snapshot(run);
      run.child.kill('SIGINT');
      result = await run.done;
    });

    test('SIGINT while Newman runs stops the stack: no port, no data directory, no process', async () => {
      assert.ok(owned.ports.length >= 2, `gateway and emulator listen (${owned.ports.join(', ')})`);
      await assertNothingLeft(owned, run, 'SIGINT');
    });

    test('SIGINT while Newman runs prints one line saying so, and no failure of the requests the stop cut off', () => {
      assert.equal(result.code, 130, result.stderr);
      assert.match(
        result.stderr,
        /^\nInterrupted \(SIGINT\): stopping and cleaning up\.\nThe interrupted run left no report: its folder interrupted-reports\/[\dT-]+Z-local was removed\.\n$/,
      );
      // The stack stops while requests are in flight: their refusals are not the API's, so none is printed,
      // nor Newman's closing table, nor a verdict on a run that did not finish.
      assert.doesNotMatch(result.stdout, /ECONNREFUSED|connection refused|AssertionError|not checked/);
      assert.doesNotMatch(result.stdout, /│\s+iterations\s+│|#\s+failure\s+detail/);
      assert.doesNotMatch(result.stdout, /^Result: /m);
      assert.doesNotMatch(result.stdout, /^\s+\d+\. /m, 'a numbered Newman failure');
    });

    test('SIGINT while Newman runs with every reporter leaves no report that could pass for a finished run', async () => {
      assert.deepEqual(await readdir(join(root, 'interrupted-reports')), [], 'no run folder, no index');
    });
  });

  test('SIGTERM while Newman runs with every reporter leaves no report that could pass for a finished run', async () => {
    await rm(join(root, 'interrupted-reports'), { recursive: true, force: true });
    const run = spawnContract(
      ['--reports-dir', 'interrupted-reports', '--reporters', 'cli,htmlextra,junit', '--iterations', '20'],
      { cwd: root, killAfterMs: 60_000 },
    );
    await run.waitFor(/↳ .*\n.*GET http:\/\/127\.0\.0\.1:\d+\/dev\/hello \[/);
    run.child.kill('SIGTERM');
    const result = await run.done;

    assert.equal(result.code, 143, result.stderr);
    assert.match(
      result.stderr,
      /^\nInterrupted \(SIGTERM\): stopping and cleaning up\.\nThe interrupted run left no report: its folder interrupted-reports\/[\dT-]+Z-local was removed\.\n$/,
    );
    assert.doesNotMatch(result.stdout, /^Result: /m, 'no verdict on a run that did not finish');
    assert.deepEqual(await readdir(join(root, 'interrupted-reports')), [], 'no run folder, no index');
  });

  test('SIGTERM while the reports are written (after the run table) leaves no temporary file', async () => {
    // One iteration of the whole contract: its reports (htmlextra, JUnit, summary and index) take a few
    // hundred milliseconds at quiet, seconds under load, after the table; the signal follows the table at
    // once (it was three iterations, about 6 s more CPU, when /proc was still read after the table). The
    // run gets more than the default watchdog's 60 s on a heavily loaded machine.
    const run = spawnContract(
      ['--reports-dir', 'reports', '--iterations', '1', '--reporters', 'cli,htmlextra,junit'],
      {
        cwd: root,
        killAfterMs: 180_000,
      },
    );
    // What the process owns is read while Newman runs (the stack is up until the reports are written):
    // reading /proc takes longer than the few hundred milliseconds the reports take once the table is
    // out, so the signal follows the table at once.
    await run.waitFor(/↳ .*\n.*GET http:\/\/127\.0\.0\.1:\d+\/dev\/hello \[/);
    const owned = await snapshot(run);
    // The cli reporter prints its table once the run is over; htmlextra, JUnit, summary and index follow.
    await run.waitFor(/│\s+iterations\s+│/, 120_000);
    run.child.kill('SIGTERM');
    await assertNothingLeft(owned, run, 'SIGTERM');
    // The verdict follows the reports: none printed, so the signal did not come after them.
    assert.doesNotMatch((await run.done).stdout, /^Result: /m, 'the signal came before the verdict');
  });

  test('a run after the interrupted ones still passes (nothing stale gets in its way)', async () => {
    // What is stale would be in the project (a lock, a state file, a report folder): the stack, the
    // sign-in and Newman meet it with a few clauses as with the whole contract.
    await writeFewClauses(join(root, 'few.postman_collection.json'), helloApi);
    const run = contract(['--reporters', 'cli', '--collection', 'few.postman_collection.json']);
    const result = await run.done;
    assert.equal(result.code, 0, result.stdout.slice(-2_000) + result.stderr);
    // Nothing on stderr, also on Node 24, which deprecates what Newman reads while it loads (DEP0176).
    assert.equal(result.stderr, '');
  });
});

describe('npm run stack', () => {
  let restoreStateFile: () => Promise<void>;
  before(async () => {
    restoreStateFile = await preserveStateFile();
  });
  after(async () => {
    await restoreStateFile();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during start-up leaves no port, no data directory and no state file`, async () => {
      const run = spawnContract([], { script: 'scripts/stack.ts', cwd: root, killAfterMs: 30_000 });
      await untilStackStarting(run);
      const owned = await snapshot(run);
      run.child.kill(signal);
      await assertNothingLeft(owned, run, signal);
      // The stack's files belong to the checkout it runs in (its working directory, as under npm run).
      const generated = await readdir(join(root, 'environments', 'generated')).catch(() => [] as string[]);
      assert.deepEqual(generated, [], 'no state file, lock or temporary file left');
    });
  }
});

describe('npm run token', () => {
  let fake: FakeCognito;
  before(async () => {
    fake = await startFakeCognito();
  });
  after(async () => {
    await fake.close();
  });

  test('SIGINT while waiting for Cognito writes no environment file, whole or partial', async () => {
    fake.answer('AdminInitiateAuth', { hang: true });
    const run = spawnContract(['--force'], {
      script: 'scripts/token.ts',
      cwd: root,
      env: {
        CONTRACT_TARGET: 'aws',
        API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
        AWS_REGION: 'us-east-1',
        COGNITO_USER_POOL_ID: 'us-east-1_AbCdEf123',
        COGNITO_CLIENT_ID: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
        COGNITO_ENDPOINT: fake.endpoint,
        CONTRACT_USERNAME: 'contract-tester',
        CONTRACT_PASSWORD: 'Interrupt-Pa55word!',
      },
    });
    assert.ok(await eventually(() => fake.count('AdminInitiateAuth') > 0, 15_000), 'sign-in started');
    const owned = await snapshot(run);
    run.child.kill('SIGINT');
    await assertNothingLeft(owned, run, 'SIGINT');
    assert.deepEqual(await filesUnder(join(root, 'environments', 'generated')), []);
  });
});
