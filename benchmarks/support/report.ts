/**
 * The bench's output: one table on the terminal and in Markdown, the same figures (with every sample)
 * as JSON. Each row shows the median and the spread (min–max and the interquartile range), so a reader
 * can tell a real difference from the noise of a loaded machine.
 */
import type { Spread } from './stats.ts';

export interface Row {
  readonly measure: string;
  readonly median: string;
  readonly spread: string;
  readonly target?: string;
  readonly verdict?: string;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const ratio = (value: number) => value.toFixed(2);
const rps = (value: number) => `${Math.round(value)} req/s`;
const ms1 = (value: number) => `${value.toFixed(1)} ms`;
const us = (value: number) => `${value.toFixed(1)} µs`;
const us2 = (value: number) => `${value.toFixed(2)} µs`;
const mib = (value: number) => `${(value / 2 ** 20).toFixed(1)} MiB`;

export const formats = { ms, ms1, ratio, rps, us, us2, mib };

export function spreadRow(
  measure: string,
  s: Spread,
  format: (value: number) => string,
  check?: { readonly target: string; readonly ok: (median: number) => boolean },
): Row {
  return {
    measure,
    median: format(s.median),
    spread: `${format(s.min)} – ${format(s.max)} (IQR ${format(s.q1)} – ${format(s.q3)}, n=${s.n})`,
    ...(check ? { target: check.target, verdict: check.ok(s.median) ? 'met' : 'NOT met' } : {}),
  };
}

const headers = ['Measure', 'Median', 'Spread: min – max (IQR, n)', 'Target', ''] as const;

function cells(row: Row): string[] {
  return [row.measure, row.median, row.spread, row.target ?? '', row.verdict ?? ''];
}

export function textTable(rows: readonly Row[]): string {
  const all = [headers.slice(), ...rows.map(cells)];
  const widths = headers.map((_, i) => Math.max(...all.map((line) => (line[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join(
    '\n',
  );
}

export function markdownTable(rows: readonly Row[]): string {
  const escapePipes = (value: string) => value.replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escapePipes).join(' | ')} |`),
  ].join('\n');
}
