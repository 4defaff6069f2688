/**
 * A report that cannot be written (here a file-size limit, RLIMIT_FSIZE through `ulimit -f`, which makes
 * the write fail with EFBIG as a full disk makes it fail with ENOSPC): the real `npm run contract` says so
 * in one sentence that carries the verdict and the fix, exits 1 as the README's table says, and keeps no
 * half-written file: no run folder, no index entry, no temporary file. Before, a truncated report.html
 * stayed and no verdict was printed.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { writeFewClauses } from '../support/few-clauses.ts';
import { filesUnder, runContractCli, STACK_TRACE, scratchRoot } from './support/contract-process.ts';

let root: string;
before(async () => {
  root = await scratchRoot('hardening-report-write-');
  // The reports' fate is the subject, not the clauses: a few of them make a report.html of about 20 KiB.
  await writeFewClauses(join(root, 'few.postman_collection.json'), helloApi);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** 16 KiB (`/bin/sh` counts 512-byte blocks): the stack's files, JUnit and summary.json fit, report.html does not. */
const LIMIT_BLOCKS = 32;
const FEW = ['--collection', 'few.postman_collection.json'];

describe('a report file that outgrows the file-size limit', () => {
  test('one sentence with the verdict and the fix, exit 1, and nothing of the run kept', async () => {
    const run = await runContractCli(['--reports-dir', 'reports', ...FEW], {
      cwd: root,
      fileSizeLimitBlocks: LIMIT_BLOCKS,
      killAfterMs: 120_000,
    });

    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^The run's reports could not be written to reports\/[\dT-]+Z-local \(EFBIG: a file outgrew the file-size limit\), so none of them was kept; the run itself was PASSED \(all \d+ clauses ran and passed\): raise the limit \(`ulimit -f unlimited`\) or run fewer --iterations, and run again\.\n$/,
    );
    assert.doesNotMatch(run.stderr, STACK_TRACE);
    assert.deepEqual(await readdir(join(root, 'reports')), [], 'no run folder, no index');
    const leftovers = (await filesUnder(root)).filter((path) => /\.tmp$|report\.html$/.test(path));
    assert.deepEqual(leftovers, [], 'no temporary file and no partial report');
  });

  test('an index written by an earlier run is left as it was', async () => {
    // The earlier run only has to leave an index and its folder.
    const first = await runContractCli(['--reports-dir', 'reports', '--reporters', 'junit', ...FEW], {
      cwd: root,
      killAfterMs: 120_000,
    });
    assert.equal(first.code, 0, first.stderr);
    const index = await readFile(join(root, 'reports', 'index.html'), 'utf8');
    const folders = (await readdir(join(root, 'reports'))).sort();

    const failed = await runContractCli(['--reports-dir', 'reports', ...FEW], {
      cwd: root,
      fileSizeLimitBlocks: LIMIT_BLOCKS,
      killAfterMs: 120_000,
    });

    assert.equal(failed.code, 1, failed.stderr);
    assert.deepEqual((await readdir(join(root, 'reports'))).sort(), folders);
    assert.equal(await readFile(join(root, 'reports', 'index.html'), 'utf8'), index);
  });
});
