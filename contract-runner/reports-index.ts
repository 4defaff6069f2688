/**
 * reports/index.html: every run in the reports folder, newest first, rebuilt from the run folders'
 * summary.json files after each run (so it never disagrees with them, and deleting a folder removes its
 * row at the next rebuild). A folder whose summary is missing or unreadable still gets a row that says
 * so: an interrupted run is part of the record too. The page is self-contained like the reports: inline
 * CSS, no script, links relative to the index only.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { HTML_REPORT, JUNIT_REPORT } from './newman-run.ts';
import type { Redactor } from './redaction.ts';
import { SUMMARY_FILE } from './run-summary.ts';

export const INDEX_FILE = 'index.html';

const RUN_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[a-z]+(?:-\d+)?$/;

export type IndexRow =
  | {
      readonly folder: string;
      readonly state: 'summary';
      readonly startedAt: string;
      readonly target: string;
      readonly apiUrl: string;
      readonly passed: boolean;
      readonly clauses: { total: number; passed: number; failed: number; skipped: number };
      readonly links: readonly { readonly label: string; readonly file: string }[];
    }
  | {
      readonly folder: string;
      readonly state: 'missing' | 'unreadable';
      readonly links: readonly { readonly label: string; readonly file: string }[];
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Only the fields the index shows are checked; the schema test covers the rest. */
function readRow(folder: string, json: unknown, links: IndexRow['links']): IndexRow {
  const clauses = isRecord(json) && isRecord(json.counts) ? json.counts.clauses : undefined;
  if (
    !isRecord(json) ||
    typeof json.startedAt !== 'string' ||
    typeof json.target !== 'string' ||
    typeof json.apiUrl !== 'string' ||
    typeof json.passed !== 'boolean' ||
    !isRecord(clauses)
  ) {
    return { folder, state: 'unreadable', links };
  }
  const [total, passed, failed, skipped] = [
    clauses.total,
    clauses.passed,
    clauses.failed,
    clauses.skipped,
  ].map(count);
  if (total === undefined || passed === undefined || failed === undefined || skipped === undefined) {
    return { folder, state: 'unreadable', links };
  }
  return {
    folder,
    state: 'summary',
    startedAt: json.startedAt,
    target: json.target,
    apiUrl: json.apiUrl,
    passed: json.passed,
    clauses: { total, passed, failed, skipped },
    links,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function readIndexRows(reportsDir: string): Promise<IndexRow[]> {
  const entries = await readdir(reportsDir, { withFileTypes: true });
  const folders = entries
    // Only run folders (report-folder.ts names them): other tools keep their own folders here too.
    .filter((entry) => entry.isDirectory() && RUN_FOLDER.test(entry.name))
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
      let text: string;
      try {
        text = await readFile(join(reportsDir, folder, SUMMARY_FILE), 'utf8');
      } catch {
        return { folder, state: 'missing', links };
      }
      try {
        return readRow(folder, JSON.parse(text), links);
      } catch {
        return { folder, state: 'unreadable', links };
      }
    }),
  );
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** A relative link that cannot be read as a scheme or leave the reports folder. */
function href(folder: string, file: string): string {
  return `./${encodeURIComponent(folder)}/${encodeURIComponent(file)}`;
}

function renderRow(row: IndexRow): string {
  const links = row.links.map(
    (link) => `<a href="${href(row.folder, link.file)}">${escapeHtml(link.label)}</a>`,
  );
  const linkCell = links.length > 0 ? links.join(' &middot; ') : '<span class="muted">no files</span>';
  if (row.state !== 'summary') {
    const why = row.state === 'missing' ? 'no summary.json (run interrupted?)' : 'summary.json unreadable';
    return `<tr class="unknown"><td>${escapeHtml(row.folder)}</td><td></td><td><span class="badge unknown">unknown</span> <span class="muted">${why}</span></td><td></td><td>${linkCell}</td></tr>`;
  }
  const { clauses } = row;
  const result = row.passed ? 'passed' : 'failed';
  const time = row.startedAt.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  return `<tr class="${result}"><td>${escapeHtml(time)}</td><td>${escapeHtml(row.target)}</td><td><span class="badge ${result}">${result}</span></td><td>${clauses.passed} passed, ${clauses.failed} failed, ${clauses.skipped} skipped of ${clauses.total}<br><span class="muted">${escapeHtml(row.apiUrl)}</span></td><td>${linkCell}</td></tr>`;
}

export function renderIndex(rows: readonly IndexRow[], generatedAt: Date): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hello-api contract runs</title>
<style>
  body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  .muted { color: #57606a; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; }
  .badge { display: inline-block; min-width: 5rem; padding: .05rem .45rem; border-radius: .25rem; font-weight: 700; font-size: .8rem; text-transform: uppercase; text-align: center; color: #fff; }
  .badge.passed { background: #1e7b34; }
  .badge.failed { background: #b3261e; }
  .badge.unknown { background: #fff; color: #57606a; border: 2px dashed #57606a; }
  tr.failed td { background: #fff1f0; }
</style>
</head>
<body>
<h1>hello-api contract runs</h1>
<p class="muted">${rows.length} run${rows.length === 1 ? '' : 's'}, newest first. Rebuilt ${escapeHtml(generatedAt.toISOString())} from each run folder's summary.json.</p>
<table>
<tr><th>Started (UTC)</th><th>Target</th><th>Result</th><th>Clauses</th><th>Files</th></tr>
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
