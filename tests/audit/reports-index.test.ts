import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createRedactor } from '../../contract-runner/redaction.ts';
import { rebuildReportsIndex } from '../../contract-runner/reports-index.ts';
import { assertSelfContained } from './html-references.ts';
import {
  clause,
  FIXTURE_COLLECTION_SHA,
  FIXTURE_COMMIT,
  FIXTURE_SUB,
  FIXTURE_TEMPLATE_SHA,
  summaryOf,
} from './summary-fixture.ts';

function summary(overrides: Record<string, unknown>) {
  return {
    startedAt: '2026-11-28T05:58:55.123Z',
    target: 'local',
    apiUrl: 'http://127.0.0.1:3000/dev',
    passed: true,
    counts: { clauses: { total: 18, passed: 17, failed: 0, skipped: 1 } },
    ...overrides,
  };
}

async function runFolder(reports: string, name: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(reports, name));
  for (const [file, content] of Object.entries(files)) await writeFile(join(reports, name, file), content);
}

/** The table rows, as [first cell, result badge] pairs, in page order. */
function rows(html: string): string[][] {
  return [
    ...html.matchAll(/<tr class="[^"]*"><td>([^<]*)<\/td><td>[^<]*<\/td><td><span class="badge (\w+)">/g),
  ].map((m) => [m[1] ?? '', m[2] ?? '']);
}

/** The row of the run folder named `folder` (its first cell is the start time, so found by its links). */
function rowOf(html: string, folder: string): string {
  const row = html.split('\n').find((line) => line.startsWith('<tr') && line.includes(`./${folder}/`));
  assert.ok(row, `no row links ${folder}`);
  return row;
}

describe('reports/index.html', () => {
  let reports: string;
  beforeEach(async () => {
    reports = await mkdtemp(join(tmpdir(), 'audit-index-'));
  });
  afterEach(async () => {
    await rm(reports, { recursive: true, force: true });
  });

  it('lists every run folder newest first with time, target, result and links to the files it has', async () => {
    await runFolder(reports, '2026-11-28T05-58-55Z-local', {
      'summary.json': JSON.stringify(summary({})),
      'report.html': '<html></html>',
      'junit.xml': '<testsuites/>',
    });
    await runFolder(reports, '2026-11-29T10-00-00Z-aws', {
      'summary.json': JSON.stringify(
        summary({
          startedAt: '2026-11-29T10:00:00.000Z',
          target: 'aws',
          apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
          passed: false,
          counts: { clauses: { total: 18, passed: 16, failed: 2, skipped: 0 } },
        }),
      ),
      'report.html': '<html></html>',
    });

    const path = await rebuildReportsIndex(reports);
    const html = await readFile(path, 'utf8');

    assert.equal(path, join(reports, 'index.html'));
    assert.deepEqual(rows(html), [
      ['2026-11-29 10:00:00 UTC', 'failed'],
      ['2026-11-28 05:58:55 UTC', 'passed'],
    ]);
    assert.match(
      html,
      /<td>aws<\/td><td><span class="badge failed">FAILED<\/span> 16 passed, 2 failed, 0 skipped of 18<\/td><td>16 passed, 2 failed, 0 skipped of 18/,
    );
    assert.match(
      html,
      /<td>local<\/td><td><span class="badge passed">PASSED<\/span> [^<]*<\/td><td>17 passed, 0 failed, 1 skipped of 18/,
    );
    assert.match(html, /href="\.\/2026-11-28T05-58-55Z-local\/report\.html">report<\/a>/);
    assert.match(html, /href="\.\/2026-11-28T05-58-55Z-local\/junit\.xml">JUnit<\/a>/);
    assert.doesNotMatch(html, /2026-11-29T10-00-00Z-aws\/junit\.xml/, 'links a file that does not exist');
    assertSelfContained(
      html,
      ['http://127.0.0.1:3000/dev', 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev'],
      'index.html',
    );
  });

  it('shows each run with the verdict and the provenance its summary.json records (schema version 2)', async () => {
    const failed = summaryOf([clause('A', 'passed'), clause('B', 'failed')]);
    await runFolder(reports, failed.runFolder, { 'summary.json': JSON.stringify(failed) });

    const html = await readFile(await rebuildReportsIndex(reports), 'utf8');
    const row = rowOf(html, failed.runFolder);

    assert.equal(failed.verdict.result, 'FAILED');
    assert.ok(
      row.includes(`<span class="badge failed">FAILED</span> ${failed.verdict.summary}</td>`),
      `the verdict as summary.json words it: ${row}`,
    );
    // The same start time as the folder name and the report, to the second.
    assert.match(row, /^<tr class="failed"><td>2026-11-28 05:58:55 UTC<\/td>/);
    for (const [what, value] of [
      ['commit', FIXTURE_COMMIT],
      ['collection', FIXTURE_COLLECTION_SHA],
      ['template', FIXTURE_TEMPLATE_SHA],
    ] as const) {
      assert.ok(
        row.includes(`${what} <code title="${value}">${value.slice(0, 12)}</code>`),
        `${what} in: ${row}`,
      );
    }
    assert.ok(row.includes('tools Node.js v20.20.2, newman 6.2.2, htmlextra 1.23.1'), row);
    assert.ok(row.includes(`token subject <code>${FIXTURE_SUB}</code>`), row);
    assert.ok(row.includes('http://127.0.0.1:3000/dev'), row);
  });

  it('reads a summary whose verdict contradicts its passed flag as unreadable, never as either', async () => {
    const summary = summaryOf([clause('A', 'failed')]);
    const lying = { ...summary, passed: true };
    await runFolder(reports, summary.runFolder, { 'summary.json': JSON.stringify(lying) });
    const html = await readFile(await rebuildReportsIndex(reports), 'utf8');
    assert.match(rowOf(html, summary.runFolder), /badge unknown/);
  });

  it('keeps a row for a run folder whose summary is missing, not JSON, or the wrong shape, and ignores files and other folders', async () => {
    await runFolder(reports, '2026-11-28T01-00-00Z-local', { 'report.html': '<html></html>' });
    await runFolder(reports, '2026-11-28T02-00-00Z-local', { 'summary.json': '{"startedAt": "2026-11-28T0' });
    await runFolder(reports, '2026-11-28T03-00-00Z-local', {
      'summary.json': JSON.stringify(summary({ passed: 'yes' })),
    });
    await runFolder(reports, '2026-11-28T04-00-00Z-local', { 'summary.json': JSON.stringify(summary({})) });
    await writeFile(join(reports, '.gitkeep'), '');
    await mkdir(join(reports, 'bench'));
    await writeFile(join(reports, 'index.html'), 'stale');

    const html = await readFile(await rebuildReportsIndex(reports), 'utf8');

    assert.deepEqual(rows(html), [
      ['2026-11-28 05:58:55 UTC', 'passed'],
      ['2026-11-28T03-00-00Z-local', 'unknown'],
      ['2026-11-28T02-00-00Z-local', 'unknown'],
      ['2026-11-28T01-00-00Z-local', 'unknown'],
    ]);
    assert.match(
      html,
      /2026-11-28T01-00-00Z-local<\/td><td><\/td><td><span class="badge unknown">unknown<\/span> <span class="muted">no summary\.json/,
    );
    assert.match(
      html,
      /2026-11-28T02-00-00Z-local<\/td><td><\/td><td><span class="badge unknown">unknown<\/span> <span class="muted">summary\.json unreadable/,
    );
    assert.match(html, /href="\.\/2026-11-28T01-00-00Z-local\/report\.html"/);
    assert.match(html, /4 runs, newest first/);
  });

  it('escapes what a summary says and redacts before writing, leaving no temporary file', async () => {
    const secret = 'a-password-that-must-not-appear';
    await runFolder(reports, '2026-11-28T05-58-55Z-local', {
      'summary.json': JSON.stringify(
        summary({ target: '<script>alert(1)</script>', apiUrl: `http://127.0.0.1/${secret}` }),
      ),
    });

    await rebuildReportsIndex(reports, createRedactor([secret]));
    const html = await readFile(join(reports, 'index.html'), 'utf8');

    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.doesNotMatch(html, /<script/);
    assert.ok(!html.includes(secret));
    assert.ok(html.includes('http://127.0.0.1/[REDACTED]'));
    assert.deepEqual((await readdir(reports)).sort(), ['2026-11-28T05-58-55Z-local', 'index.html']);
  });
});
