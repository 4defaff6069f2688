/**
 * A run that checked nothing is red everywhere. A collection with no request, and one
 * whose request makes no assertion, used to give `Result: PASSED`, exit 0 and a PASSED row in the index
 * (a request without tests counted as a passed clause). Each now fails with its own sentence, in the
 * console, summary.json, junit.xml, report.html and reports/index.html alike.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from '../../contract-runner/run-summary.ts';
import { type ContractRun, runContractCli, scratchRoot } from '../hardening/support/contract-process.ts';

const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

let root: string;
before(async () => {
  root = await scratchRoot('audit-nothing-checked-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Artifacts {
  readonly run: ContractRun;
  readonly summary: RunSummary;
  readonly junit: string;
  readonly html: string;
  readonly index: string;
}

async function runWith(name: string, collection: object): Promise<Artifacts> {
  await writeFile(join(root, `${name}.postman_collection.json`), JSON.stringify(collection));
  const run = await runContractCli(
    ['--collection', `${name}.postman_collection.json`, '--reports-dir', `reports-${name}`],
    { cwd: root, killAfterMs: 90_000 },
  );
  const folder = /^Reports: .*?(\S+)\/summary\.json/m.exec(run.stdout)?.[1];
  assert.ok(folder, `no run folder named: ${run.stdout.slice(-2_000)}${run.stderr}`);
  const read = (file: string) => readFile(join(root, folder, file), 'utf8');
  return {
    run,
    summary: JSON.parse(await read('summary.json')) as RunSummary,
    junit: await read('junit.xml'),
    html: await read('report.html'),
    index: await readFile(join(root, `reports-${name}`, 'index.html'), 'utf8'),
  };
}

function assertRedEverywhere(artifacts: Artifacts, sentence: RegExp): void {
  const { run, summary, junit, html, index } = artifacts;
  assert.equal(run.code, 1, `exit code; stdout: ${run.stdout.slice(-2_000)}`);
  assert.equal(summary.passed, false);
  assert.equal(summary.verdict.result, 'FAILED');
  assert.ok(
    summary.verdict.reasons.some((reason) => sentence.test(reason)),
    JSON.stringify(summary.verdict.reasons),
  );
  const last = run.stdout.trimEnd().split('\n').at(-1);
  assert.equal(last, `Result: FAILED: ${summary.verdict.summary}`);
  assert.match(run.stdout, sentence);
  assert.match(junit, /<property name="verdict" value="FAILED"\/>/);
  const root = /<testsuites\b[^>]*>/.exec(junit)?.[0] ?? '';
  const failures = Number(/\sfailures="(\d+)"/.exec(root)?.[1]) + Number(/\serrors="(\d+)"/.exec(root)?.[1]);
  assert.ok(failures > 0, `JUnit shows no failure: ${root}`);
  assert.match(html, /<div class="run-verdict failed" id="verdict"><span class="run-result">FAILED<\/span>/);
  const text = html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  assert.match(text, sentence, 'report.html does not give the reason');
  assert.ok(index.includes(`<span class="badge failed">FAILED</span> ${summary.verdict.summary}</td>`));
  assert.doesNotMatch(index, /badge passed/);
}

describe('a run that checked nothing', () => {
  it('fails when the collection has no request, saying that no clause ran', {
    timeout: 120_000,
  }, async () => {
    const artifacts = await runWith('empty', { info: { name: 'empty', schema: SCHEMA }, item: [] });
    assertRedEverywhere(artifacts, /No clause ran: the collection has no request/);
    assert.equal(artifacts.summary.counts.clauses.total, 0);
    assert.match(
      artifacts.junit,
      /<testcase name="At least one clause ran" classname="Run">\s*<failure type="NoClauseRan" message="No clause ran/,
    );
  });

  it('fails a request that makes no assertion, saying it proved nothing', { timeout: 120_000 }, async () => {
    const artifacts = await runWith('untested', {
      info: { name: 'untested', schema: SCHEMA },
      item: [{ name: 'A request without tests', request: { method: 'GET', url: '{{baseUrl}}/hello' } }],
    });
    assertRedEverywhere(
      artifacts,
      /1 clause proved nothing: "A request without tests" \(it made no assertion/,
    );
    const [only] = artifacts.summary.clauses;
    assert.equal(only?.outcome, 'failed');
    assert.match(only?.reason ?? '', /^it made no assertion: a request without tests proves nothing/);
    assert.deepEqual(artifacts.summary.counts.clauses, {
      total: 1,
      run: 1,
      passed: 0,
      failed: 1,
      skipped: 0,
    });
    assert.match(
      artifacts.junit,
      /<testcase name="The clause checked something"[^>]*>\s*<failure type="NothingChecked"/,
    );
  });
});
