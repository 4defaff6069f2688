/**
 * reports/index.html: every run in the reports folder, newest first, rebuilt from the run folders'
 * summary.json files after each run (so it never disagrees with them, and deleting a folder removes its
 * row at the next rebuild). Each row shows the run's verdict as summary.json words it and its provenance
 * (commit, collection and template SHA-256, tools, token subject). A folder whose summary is missing or
 * unreadable still gets a row that says so: an interrupted run is part of the record too. The page is
 * self-contained like the reports: inline CSS, no script, links relative to the index only.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { displayTime, escapeHtml, shortHash } from './html.ts';
import { HTML_REPORT } from './html-report.ts';
import { JUNIT_REPORT } from './junit-report.ts';
import type { Redactor } from './redaction.ts';
import { isRunFolderName } from './report-folder.ts';
import { type RunRecord, readRunRecord, SUMMARY_FILE } from './run-summary.ts';

const INDEX_FILE = 'index.html';

type Links = readonly { readonly label: string; readonly file: string }[];

export type IndexRow =
  | { readonly folder: string; readonly state: 'summary'; readonly record: RunRecord; readonly links: Links }
  | { readonly folder: string; readonly state: 'missing' | 'unreadable'; readonly links: Links };

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readIndexRows(reportsDir: string): Promise<IndexRow[]> {
  const entries = await readdir(reportsDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory() && isRunFolderName(entry.name))
    .map((entry) => entry.name)
    // Folder names start with the UTC start time, so name order is time order.
    .sort()
    .reverse();
  return Promise.all(
    folders.map(async (folder): Promise<IndexRow> => {
      const links: { label: string; file: string }[] = [];
      for (const [label, file] of [
        ['report', HTML_REPORT],
        ['JUnit', JUNIT_REPORT],
        ['summary', SUMMARY_FILE],
      ] as const) {
        if (await exists(join(reportsDir, folder, file))) links.push({ label, file });
      }
      const read = await readRunRecord(join(reportsDir, folder));
      return read.state === 'summary'
        ? { folder, state: 'summary', record: read.record, links }
        : { folder, state: read.state, links };
    }),
  );
}

/** A relative link that cannot be read as a scheme or leave the reports folder. */
function href(folder: string, file: string): string {
  return `./${encodeURIComponent(folder)}/${encodeURIComponent(file)}`;
}

function hash(value: string | null): string {
  return value === null
    ? '<span class="muted">unknown</span>'
    : `<code title="${escapeHtml(value)}">${escapeHtml(shortHash(value))}</code>`;
}

function provenanceCell(record: RunRecord): string {
  const commit =
    record.commit === null
      ? '<span class="muted">no commit</span>'
      : `${hash(record.commit)}${record.dirty ? ' <strong>(uncommitted changes)</strong>' : ''}`;
  const tools =
    record.tools === null
      ? '<span class="muted">unknown</span>'
      : escapeHtml(
          `Node.js ${record.tools.node}, newman ${record.tools.newman ?? '?'}, htmlextra ${record.tools.newmanReporterHtmlextra ?? '?'}`,
        );
  return [
    `commit ${commit}`,
    `collection ${hash(record.collectionSha256)}`,
    `template ${hash(record.environmentTemplateSha256)}`,
    `tools ${tools}`,
    `token subject ${record.subject === null ? '<span class="muted">unknown</span>' : `<code>${escapeHtml(record.subject)}</code>`}`,
  ].join('<br>');
}

function renderRow(row: IndexRow): string {
  const links = row.links.map(
    (link) => `<a href="${href(row.folder, link.file)}">${escapeHtml(link.label)}</a>`,
  );
  const linkCell = links.length > 0 ? links.join(' &middot; ') : '<span class="muted">no files</span>';
  if (row.state !== 'summary') {
    const why = row.state === 'missing' ? 'no summary.json (run interrupted?)' : 'summary.json unreadable';
    return `<tr class="unknown"><td>${escapeHtml(row.folder)}</td><td></td><td><span class="badge unknown">unknown</span> <span class="muted">${why}</span></td><td></td><td></td><td>${linkCell}</td></tr>`;
  }
  const { record } = row;
  const { clauses } = record;
  const result = record.verdict.result === 'PASSED' ? 'passed' : 'failed';
  return `<tr class="${result}"><td>${escapeHtml(displayTime(record.startedAt))}</td><td>${escapeHtml(record.target)}</td><td><span class="badge ${result}">${record.verdict.result}</span> ${escapeHtml(record.verdict.summary)}</td><td>${clauses.passed} passed, ${clauses.failed} failed, ${clauses.skipped} skipped of ${clauses.total}<br><span class="muted">${escapeHtml(record.apiUrl)}</span></td><td class="provenance">${provenanceCell(record)}</td><td>${linkCell}</td></tr>`;
}

function renderIndex(rows: readonly IndexRow[], generatedAt: Date): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hello-api contract runs</title>
<style>
  body { margin: 0 auto; max-width: 90rem; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  .muted { color: #57606a; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; }
  td.provenance { font-size: .85rem; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
  .badge { display: inline-block; min-width: 5rem; padding: .05rem .45rem; border-radius: .25rem; font-weight: 700; font-size: .8rem; text-transform: uppercase; text-align: center; color: #fff; }
  .badge.passed { background: #1e7b34; }
  .badge.failed { background: #b3261e; }
  .badge.unknown { background: #fff; color: #57606a; border: 2px dashed #57606a; }
  tr.failed td { background: #fff1f0; }
</style>
</head>
<body>
<h1>hello-api contract runs</h1>
<p class="muted">${rows.length} run${rows.length === 1 ? '' : 's'}, newest first. Rebuilt ${escapeHtml(generatedAt.toISOString())} from each run folder's summary.json; each run's time is its start, as in its folder name and report.</p>
<table>
<tr><th>Started (UTC)</th><th>Target</th><th>Result</th><th>Clauses</th><th>Provenance</th><th>Files</th></tr>
${rows.map(renderRow).join('\n')}
</table>
</body>
</html>
`;
}

/** Rebuilds reports/index.html from the run folders; returns its path. */
export async function rebuildReportsIndex(
  reportsDir: string,
  redact: Redactor = (text) => text,
  now: Date = new Date(),
): Promise<string> {
  const path = join(reportsDir, INDEX_FILE);
  const rows = await readIndexRows(reportsDir);
  await writeFileAtomic(path, redact(renderIndex(rows, now)), { mode: 0o644 });
  return path;
}
