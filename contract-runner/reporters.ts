/**
 * The reporters `npm run contract --reporters` accepts, once: the flag's parser, its usage text and the
 * runner all read this tuple. `cli` is Newman's console output; `htmlextra` writes report.html
 * (html-report.ts) and `junit` writes junit.xml (junit-report.ts), each into the run's folder, next to
 * summary.json. With `cli` alone no run folder is made: nothing is written and the index is not rebuilt.
 */
export const REPORTERS = ['cli', 'htmlextra', 'junit'] as const;

export type ReporterName = (typeof REPORTERS)[number];

/** Reporters that write a file, and so give the run a folder (with summary.json) and an index entry. */
export function writesRunFolder(reporters: readonly ReporterName[]): boolean {
  return reporters.some((name) => name !== 'cli');
}
