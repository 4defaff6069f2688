/**
 * What the suite's own HTML pages (the report's run block, reports/index.html) share: escaping, and
 * the one way a run's time is shown, so a page and the folder name never show two different times.
 */

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** "2026-11-28T05:58:55.123Z" as "2026-11-28 05:58:55 UTC": the second the run folder is named by. */
export function displayTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

/** The first 12 hex digits of a SHA-256 or commit, enough to tell runs apart at a glance. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/**
 * The id of a clause's details in report.html: its position among the run's executions, 1-based
 * (`clause-1`, …). Newman's own cursor.ref is not in summary.json, a position is, so the run block's
 * rows, rendered from summary.json alone, link to the very sections htmlextra rendered.
 */
export function clauseAnchor(position: number): string {
  return `clause-${position + 1}`;
}
