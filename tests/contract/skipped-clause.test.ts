/**
 * A clause that cannot run on a target shows as skipped in every report, never as passed (issue 5).
 * On AWS the genuinely signed expired token cannot be minted; here the same condition is made on the
 * local target by a copy of the collection whose expired-token clause reads a variable the runner
 * never sets, so its pre-request finds it empty and skips the clause exactly as it would on AWS.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatContractSummary } from '../../contract-runner/console-summary.ts';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';
import { allClauses, clause } from './support/clauses.ts';
import { describeFailures, RUN_TIMEOUT_MS, repoRoot } from './support/variant-run.ts';

const MINTED = 'attack_expired_id_token';
const UNAVAILABLE = 'attack_expired_id_token_unavailable';
const SKIP_MESSAGE = `SKIPPED: ${UNAVAILABLE} is empty on this target`;

const TESTCASE = /<testcase\b[^>]*?\/>|<testcase\b[^>]*>[\s\S]*?<\/testcase>/g;

/** Attribute text as newman's JUnit reporter (xmlbuilder) escapes it. */
function xmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The <testsuite> element newman writes for one clause, or undefined when the clause is not listed. */
function junitSuite(junit: string, clauseName: string): string | undefined {
  const start = junit.indexOf(
    `<testsuite name="Security: tokens that must be refused / ${xmlAttribute(clauseName)}"`,
  );
  if (start < 0) return undefined;
  const end = junit.indexOf('</testsuite>', start);
  return junit.slice(start, end < 0 ? undefined : end);
}

describe('a clause whose token is unavailable on the target', () => {
  let folder: string;
  let result: ContractResult;

  before(
    async () => {
      folder = await mkdtemp(join(tmpdir(), 'contract-skipped-'));
      const committed = await readFile(
        join(repoRoot, 'collections/hello-api.postman_collection.json'),
        'utf8',
      );
      assert.ok(committed.includes(`\\"${MINTED}\\"`), `the collection no longer reads ${MINTED}`);
      const collectionPath = join(folder, 'hello-api.postman_collection.json');
      await writeFile(collectionPath, committed.replaceAll(`\\"${MINTED}\\"`, `\\"${UNAVAILABLE}\\"`));
      result = await runContract({
        target: 'local',
        rootDir: repoRoot,
        collectionPath,
        reportsDir: join(folder, 'reports'),
        reporters: ['junit', 'htmlextra'],
      });
    },
    { timeout: RUN_TIMEOUT_MS },
  );
  after(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('is in the results as skipped, with its skip reason, and nothing else is skipped or failed', () => {
    assert.deepEqual(
      result.clauses.map((c) => c.name),
      allClauses,
      'the skipped clause is missing from the results',
    );
    const skipped = result.clauses.filter((c) => c.outcome === 'skipped');
    assert.deepEqual(
      skipped.map((c) => c.name),
      [clause.expired],
      describeFailures(result),
    );
    assert.deepEqual(
      skipped[0]?.assertions.map((a) => a.outcome),
      ['skipped'],
    );
    assert.match(skipped[0]?.assertions[0]?.name ?? '', new RegExp(`^${SKIP_MESSAGE}`));
    assert.equal(skipped[0]?.actualStatus, undefined, 'the skipped clause still sent its request');
  });

  it('counts as skipped, not as passed and not as run (run + skipped = total), and does not fail the run', () => {
    const total = allClauses.length;
    assert.deepEqual(result.counts.clauses, {
      total,
      run: total - 1,
      passed: total - 1,
      failed: 0,
      skipped: 1,
    });
    assert.equal(result.passed, true, describeFailures(result));
  });

  it('is named as skipped, with its reason, in the one-screen summary, and not counted as run', () => {
    const summary = formatContractSummary(result, repoRoot);
    const total = allClauses.length;
    assert.ok(
      summary.includes(`Clauses: ${total}: ${total - 1} run (${total - 1} passed, 0 failed), 1 skipped`),
      summary,
    );
    assert.ok(summary.includes(`SKIPPED ${clause.expired}: ${UNAVAILABLE} is empty on this target`), summary);
    assert.ok(
      summary.includes(`Result: PASSED: ${total - 1} of ${total} clauses ran and passed, 1 skipped`),
      summary,
    );
  });

  it('is never reported as passed in the JUnit file', async () => {
    assert.ok(result.files.junit, 'no JUnit file was written');
    const junit = await readFile(result.files.junit, 'utf8');
    // Newman writes a skipped test as a bare <testcase/>, which CI reads as passed (docs/reference.md §7).
    const inSuite = junitSuite(junit, clause.expired)?.match(TESTCASE) ?? [];
    const named = (junit.match(TESTCASE) ?? []).filter((testcase) => testcase.includes(SKIP_MESSAGE));
    for (const testcase of [...inSuite, ...named]) {
      assert.match(testcase, /<skipped\b[^>]*\/>/, `reported as passed: ${testcase}`);
    }
  });

  it('is listed in the JUnit file with its test marked <skipped> and the reason', async () => {
    assert.ok(result.files.junit, 'no JUnit file was written');
    const junit = await readFile(result.files.junit, 'utf8');
    const suite = junitSuite(junit, clause.expired);
    assert.ok(suite, 'the JUnit file does not list the skipped clause at all');
    assert.match(
      suite,
      new RegExp(
        `<testcase name="${SKIP_MESSAGE}[^"]*"[^>]*>\\s*<skipped message="${UNAVAILABLE} is empty on this target[^"]*"\\s*/>\\s*</testcase>`,
      ),
    );
    assert.ok(!suite.includes('<failure'), suite);
  });

  it('shows its skip reason in the HTML report', async () => {
    assert.ok(result.files.html, 'no HTML report was written');
    const html = await readFile(result.files.html, 'utf8');
    assert.ok(html.includes(SKIP_MESSAGE), 'the HTML report does not show the skip');
  });
});
