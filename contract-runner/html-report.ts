/**
 * report.html, the auditors' report: owned here (its name, how htmlextra is told to write it, and the run
 * block put into it afterwards). newman-reporter-htmlextra renders the per-clause details with the suite's
 * offline template; once the run's RunSummary exists, the verdict banner and provenance (run-block.ts)
 * are put at the top of the body, and the file is redacted and replaced atomically, so a reader sees
 * either htmlextra's file or the finished report, never a half-written one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomic-write.ts';
import type { Redactor } from './redaction.ts';
import { renderRunBlock } from './run-block.ts';
import type { RunSummary } from './run-summary.ts';

export const HTML_REPORT = 'report.html';

/** htmlextra's own template loads jQuery, Bootstrap and fonts from CDNs; this one needs nothing. */
export const OFFLINE_TEMPLATE = fileURLToPath(new URL('./templates/offline-report.hbs', import.meta.url));

/** Where the offline template wants the run block; other templates get it right after <body>. */
const RUN_BLOCK_MARKER = '<!-- contract-runner: run block -->';

export interface HtmlextraInput {
  readonly runFolder: string;
  readonly title: string;
  /** Environment keys holding secrets: never shown by htmlextra. */
  readonly secretKeys: readonly string[];
  /** Merged over the defaults (tests make the reporter leak on purpose to prove the redactor). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export function htmlextraOptions(input: HtmlextraInput): { path: string; options: Record<string, unknown> } {
  const path = join(input.runFolder, HTML_REPORT);
  return {
    path,
    options: {
      export: path,
      title: input.title,
      browserTitle: input.title,
      timezone: 'UTC',
      // htmlextra prints request headers, Authorization included, unless told not to (docs/reference.md §7).
      skipHeaders: ['Authorization'],
      template: OFFLINE_TEMPLATE,
      skipEnvironmentVars: [...input.secretKeys],
      showEnvironmentData: false,
      showGlobalData: false,
      logs: false,
      displayProgressBar: false,
      ...input.overrides,
    },
  };
}

/** The report's HTML with the run block in place of the marker (or right after <body>). */
function withRunBlock(html: string, summary: RunSummary): string {
  const block = renderRunBlock(summary);
  if (html.includes(RUN_BLOCK_MARKER)) return html.replace(RUN_BLOCK_MARKER, () => block);
  const body = /<body\b[^>]*>/i.exec(html);
  if (body === null) return `${block}\n${html}`;
  const end = body.index + body[0].length;
  return `${html.slice(0, end)}\n${block}${html.slice(end)}`;
}

/** Puts the run block into the written report.html, redacted, atomically. */
export async function insertRunBlock(path: string, summary: RunSummary, redact: Redactor): Promise<void> {
  const html = await readFile(path, 'utf8');
  await writeFileAtomic(path, redact(withRunBlock(html, summary)), { mode: 0o644 });
}
