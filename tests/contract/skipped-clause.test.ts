/**
 * A clause that cannot run on a target shows as skipped in every report, never as passed.
 * On AWS the genuinely signed expired token cannot be minted; here the same condition is made on the
 * local target by a copy of the collection whose expired-token clauses name a pool-key token the
 * runner never mints, so the sandbox finds none and skips them exactly as it would on AWS.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../../api/routes.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { formatContractSummary } from '../../contract-runner/console-summary.ts';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';
import { ATTACKS } from '../../security/catalogue.ts';
import { oneRowPerKind } from '../support/few-clauses.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TIMEOUT_MS = 180_000;
/**
 * The reports of a skipped clause are the subject, not the catalogue: the expired token's row (the one
 * made unavailable) and one row of each other kind, beside every clause that is not an attack row.
 */
const perKind = new Set(oneRowPerKind());
const rows = ATTACKS.filter((row) => row.id === 'expired' || perKind.has(row));
const clauses = generateClauses(helloApi, rows);
const allClauses = clauses.map((clause) => clause.name);
/** The clauses made unavailable: the expired token's, raw and Bearer. */
const expired = clauses.filter((clause) => clause.row === 'expired').map((clause) => clause.name);
const REASON = "needs the pool's private key: runs on the local target only";
const SKIP_MESSAGE = `SKIPPED: ${REASON}`;

function describeFailures(result: ContractResult): string {
  return result.clauses
    .filter((c) => c.outcome !== 'passed')
    .map(
      (c) => `${c.outcome} ${c.name}: ${c.assertions.map((a) => `${a.name} ${a.message ?? ''}`).join(' | ')}`,
    )
    .join('\n');
}

const TESTCASE = /<testcase\b[^>]*?\/>|<testcase\b[^>]*>[\s\S]*?<\/testcase>/g;

/** Attribute text as the JUnit writer (contract-runner/junit-report.ts) escapes it. */
function xmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The <testsuite> element of one clause (named "<folder> / <clause>"), or undefined when it is not listed. */
function junitSuite(junit: string, clauseName: string): string | undefined {
  const start = junit.indexOf(` / ${xmlAttribute(clauseName)}" id=`);
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
      const collection = renderCollection(helloApi, clauses);
      // The clause data is JSON inside a JSON string: its quotes are escaped once.
      const row = '\\"row\\":\\"expired\\"';
      assert.equal(
        collection.split(row).length - 1,
        2 * expired.length,
        'the expired clauses are not where expected',
      );
      const collectionPath = join(folder, 'hello-api.postman_collection.json');
      await writeFile(collectionPath, collection.replaceAll(row, '\\"row\\":\\"expired-unavailable\\"'));
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
      expired,
      describeFailures(result),
    );
    for (const clause of skipped) {
      assert.deepEqual(
        clause.assertions.map((a) => a.outcome),
        ['skipped'],
      );
      assert.ok(clause.assertions[0]?.name.startsWith(SKIP_MESSAGE), clause.assertions[0]?.name);
      assert.equal(clause.actualStatus, undefined, 'the skipped clause still sent its request');
    }
  });

  it('counts as skipped, not as passed and not as run (run + skipped = total), and does not fail the run', () => {
    const total = allClauses.length;
    const skipped = expired.length;
    assert.deepEqual(result.counts.clauses, {
      total,
      run: total - skipped,
      passed: total - skipped,
      failed: 0,
      skipped,
    });
    assert.equal(result.passed, true, describeFailures(result));
  });

  it('is named as skipped, with its reason, in the one-screen summary, and not counted as run', () => {
    const summary = formatContractSummary(result, repoRoot);
    const total = allClauses.length;
    const skipped = expired.length;
    const ran = total - skipped;
    assert.ok(
      summary.includes(`Clauses: ${total}: ${ran} run (${ran} passed, 0 failed), ${skipped} skipped`),
      summary,
    );
    for (const name of expired) assert.ok(summary.includes(`SKIPPED ${name}: ${REASON}`), summary);
    assert.ok(
      summary.includes(`Result: PASSED: ${ran} of ${total} clauses ran and passed, ${skipped} skipped`),
      summary,
    );
  });

  it('is never reported as passed in the JUnit file', async () => {
    assert.ok(result.files.junit, 'no JUnit file was written');
    const junit = await readFile(result.files.junit, 'utf8');
    // Newman writes a skipped test as a bare <testcase/>, which CI reads as passed (docs/reference.md §7).
    const inSuite = expired.flatMap((name) => junitSuite(junit, name)?.match(TESTCASE) ?? []);
    const named = (junit.match(TESTCASE) ?? []).filter((testcase) => testcase.includes(SKIP_MESSAGE));
    assert.ok(
      expired.length > 0 && inSuite.length >= expired.length,
      'the skipped clauses have no testcase in the JUnit file',
    );
    for (const testcase of [...inSuite, ...named]) {
      assert.match(testcase, /<skipped\b[^>]*\/>/, `reported as passed: ${testcase}`);
    }
  });

  it('is listed in the JUnit file with its test marked <skipped> and the reason', async () => {
    assert.ok(result.files.junit, 'no JUnit file was written');
    const junit = await readFile(result.files.junit, 'utf8');
    for (const name of expired) {
      const suite = junitSuite(junit, name);
      assert.ok(suite, `the JUnit file does not list ${name} at all`);
      assert.match(
        suite,
        /<testcase name="SKIPPED: needs the pool's private key[^"]*"[^>]*>\s*<skipped message="needs the pool's private key[^"]*"\s*\/>\s*<\/testcase>/,
      );
      assert.ok(!suite.includes('<failure'), suite);
    }
  });

  it('shows its skip reason in the HTML report', async () => {
    assert.ok(result.files.html, 'no HTML report was written');
    const html = await readFile(result.files.html, 'utf8');
    // Handlebars escapes the apostrophe.
    assert.ok(html.includes(SKIP_MESSAGE.replace("'", '&#x27;')), 'the HTML report does not show the skip');
  });
});
