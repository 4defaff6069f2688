/**
 * The run's verdict, decided once, from the per-clause results and Newman's run error alone. Every
 * artifact shows this object and nothing else: the exit code (`passed`), the console summary's last line,
 * the JUnit file's run suite, the HTML report's banner, summary.json and reports/index.html. A CI job, a
 * QA engineer and an auditor therefore cannot read three different results from one run.
 *
 * A run passes only when it checked something and nothing it checked broke: at least one clause ran,
 * every clause that ran passed (a clause that made no assertion or got no response fails in results.ts),
 * and Newman completed the run. Skipped clauses do not fail a run (a clause whose token cannot exist on a
 * target is skipped there), but each says why, and a run in which every clause was skipped fails.
 */

import { plural } from '../common/plural.ts';
import type { ClauseResult, RunCounts } from './results.ts';

export type VerdictResult = 'PASSED' | 'FAILED';

export interface Verdict {
  readonly result: VerdictResult;
  readonly passed: boolean;
  /** The verdict in a few words, e.g. "all 18 clauses ran and passed" or "3 of 54 clauses failed". */
  readonly summary: string;
  /** One sentence per reason the run failed, each naming what to look at; empty when it passed. */
  readonly reasons: readonly string[];
}

export interface VerdictInput {
  readonly clauses: readonly ClauseResult[];
  readonly counts: RunCounts;
  /** Newman's own failure: the run did not complete, whatever the clauses say. */
  readonly runError?: string;
}

/** "the clause X" or "3 clauses (X, Y, ...)", each clause named once however many iterations it failed. */
function naming(clauses: readonly ClauseResult[]): string {
  const names = [...new Set(clauses.map((clause) => clause.name))];
  const shown = names.slice(0, 3).map((name) => `"${name}"`);
  const more = names.length > 3 ? `, and ${names.length - 3} more` : '';
  return `${shown.join(', ')}${more}`;
}

export function decideVerdict(input: VerdictInput): Verdict {
  const { clauses, counts } = input;
  const reasons: string[] = [];

  if (input.runError !== undefined) {
    reasons.push(
      `Newman did not complete the run (${input.runError}), so its results are not the contract's: fix the cause and run again.`,
    );
  }
  if (counts.clauses.total === 0) {
    reasons.push(
      'No clause ran: the collection has no request, and a run that checks nothing cannot pass; check --collection.',
    );
  } else if (counts.clauses.run === 0) {
    reasons.push(
      `No clause ran: all ${plural(counts.clauses.total, 'clause')} were skipped, and a run that checks nothing cannot pass; see why each was skipped.`,
    );
  }

  const failed = clauses.filter((clause) => clause.outcome === 'failed');
  const noResponse = failed.filter((clause) => clause.requestError !== undefined);
  const broken = failed.filter(
    (clause) => clause.requestError === undefined && clause.assertions.some((a) => a.outcome === 'failed'),
  );
  // Failed without a response to judge or a failed check: no assertion, a script error, not sent.
  const unproven = failed.filter((clause) => !noResponse.includes(clause) && !broken.includes(clause));
  if (broken.length > 0) {
    reasons.push(
      `${plural(broken.length, 'clause')} failed a check: ${naming(broken)}; each failed check says what came back instead.`,
    );
  }
  if (noResponse.length > 0) {
    const observed = [...new Set(noResponse.map((clause) => clause.requestError))];
    reasons.push(
      `${plural(noResponse.length, 'clause')} got no response (${observed.slice(0, 2).join('; ')}${observed.length > 2 ? '; …' : ''}): ${naming(noResponse)}; this is about reaching the API, not about what it answers.`,
    );
  }
  if (unproven.length > 0) {
    const why = [...new Set(unproven.map((clause) => clause.reason ?? 'it did not run its checks'))];
    reasons.push(
      `${plural(unproven.length, 'clause')} proved nothing: ${naming(unproven)} (${why.join('; ')}).`,
    );
  }

  const passed = reasons.length === 0;
  const { total, run, skipped } = counts.clauses;
  let summary: string;
  if (passed) {
    summary =
      skipped === 0
        ? `all ${plural(total, 'clause')} ran and passed`
        : `${run} of ${plural(total, 'clause')} ran and passed, ${skipped} skipped (each says why)`;
  } else if (failed.length > 0) {
    summary = `${failed.length} of ${plural(total, 'clause')} failed`;
  } else if (input.runError !== undefined) {
    summary = 'Newman did not complete the run';
  } else {
    summary = 'no clause ran';
  }
  return { result: passed ? 'PASSED' : 'FAILED', passed, summary, reasons };
}

/** The verdict as one line, the same in the console, the JUnit properties and the HTML banner. */
export function verdictLine(verdict: Verdict): string {
  return `${verdict.result}: ${verdict.summary}`;
}
