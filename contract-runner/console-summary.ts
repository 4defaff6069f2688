/**
 * The one-screen summary printed after the run: what was tested, what broke, where the reports are, and
 * the verdict (verdict.ts) as its last line, worded as every other artifact words it.
 */
import { relative } from 'node:path';
import { poolLines } from '../api/pools.ts';
import { COVERAGE_WORDS, isCognitoCovered } from '../api/surface.ts';
import { plural } from '../common/plural.ts';
import { openFactsAsserted } from './results.ts';
import type { ContractResult } from './run-contract.ts';
import { verdictLine } from './verdict.ts';

export function formatContractSummary(result: ContractResult, cwd: string = process.cwd()): string {
  const { counts, verdict } = result;
  const { clauses } = counts;
  const perIteration = result.iterations > 1 ? ` over ${result.iterations} iterations` : '';
  const lines: string[] = [
    '',
    `${result.collectionName ?? 'contract'}: target ${result.target}, ${result.apiUrl}`,
    `Token: ${result.token.claims.username} (issuer ${result.token.claims.iss}), ${
      result.token.reused ? 'saved token reused' : `fresh sign-in (${result.token.flow})`
    }`,
    `Clauses: ${clauses.total}${perIteration}: ${clauses.run} run (${clauses.passed} passed, ${clauses.failed} failed), ${clauses.skipped} skipped (assertions: ${counts.assertions.total}, ${counts.assertions.failed} failed)`,
  ];
  // A clause that fails in every iteration is listed once; its iterations are named.
  const listed = new Map<string, { line: string; details: string[]; iterations: number[] }>();
  // The methods left for a run of another user pool are named once, by poolLines, not clause by clause.
  const leftForAnotherPool = new Set((result.plan?.pool?.left ?? []).map((method) => method.reason));
  for (const clause of result.clauses) {
    if (clause.outcome === 'passed') continue;
    if (clause.outcome === 'skipped' && leftForAnotherPool.has(clause.reason ?? '')) continue;
    const key = `${clause.outcome}:${clause.folder}/${clause.name}`;
    const seen = listed.get(key);
    if (seen) {
      seen.iterations.push(clause.iteration + 1);
      continue;
    }
    if (clause.outcome === 'skipped') {
      listed.set(key, {
        line: `  SKIPPED ${clause.name}: ${clause.reason ?? 'skipped'}`,
        details: [],
        iterations: [clause.iteration + 1],
      });
      continue;
    }
    const details: string[] = [];
    if (clause.requestError) {
      const unchecked = clause.assertions.filter((a) => a.outcome === 'failed').length;
      details.push(
        `          ${clause.requestError}${unchecked > 0 ? `: ${unchecked} check${unchecked === 1 ? '' : 's'} could not be made` : ''}`,
      );
    } else {
      for (const assertion of clause.assertions.filter((a) => a.outcome === 'failed')) {
        details.push(`          - ${assertion.name}: ${assertion.message ?? 'failed'}`);
      }
    }
    if (clause.scriptError) details.push(`          script error: ${clause.scriptError}`);
    if (clause.reason && !clause.scriptError) details.push(`          ${clause.reason}`);
    listed.set(key, {
      line: `  FAILED  ${clause.name} [${clause.requestLine}]`,
      details,
      iterations: [clause.iteration + 1],
    });
  }
  // What a pass proves: open facts are asserted only where --strict named them (README, "What a pass proves").
  const openAsserted = openFactsAsserted(result.clauses);
  if (result.clauses.some((clause) => clause.clause?.assertions !== undefined)) {
    lines.push(
      openAsserted.length === 0
        ? 'Facts asserted: firm and likely ones of docs/reference.md; no open one (--strict names those)'
        : `Facts asserted: firm and likely ones of docs/reference.md, and the open ${openAsserted.join(', ')} (--strict)`,
    );
  }
  const unprotected = (result.coverage ?? []).filter((entry) => !isCognitoCovered(entry.protection));
  if (result.coverage !== undefined) {
    lines.push(
      `Authorizer coverage: ${plural(result.coverage.length, 'method')}, ${
        unprotected.length === 0
          ? 'every one behind the Cognito authorizer'
          : `not behind Cognito: ${unprotected.map((entry) => `${entry.route} (${entry.protection === 'none' ? 'no authorizer' : COVERAGE_WORDS[entry.protection as keyof typeof COVERAGE_WORDS]}${entry.allowListed ? ', allow-listed' : ', NOT allow-listed'})`).join(', ')}`
      }`,
    );
  }
  if (result.plan !== undefined) {
    const sampled = result.plan.methods.filter((method) => method.coverage === 'sample');
    lines.push(
      `Attack matrix: ${result.plan.why}${sampled.length > 0 ? ` (sampled: ${sampled.length <= 5 ? sampled.map((method) => method.route).join(', ') : `${sampled.length} methods, listed in summary.json`})` : ''}`,
    );
  }
  lines.push(...poolLines(result.plan?.pool));
  for (const note of result.notes ?? []) lines.push(`Not generated: ${note}`);
  // The list stays on one screen however many clauses fail; every report has them all.
  const MAX_LISTED = 25;
  const entries = [...listed.values()];
  for (const { line, details, iterations } of entries.slice(0, MAX_LISTED)) {
    const which =
      result.iterations > 1
        ? ` (iteration${iterations.length === 1 ? '' : 's'} ${iterations.join(', ')})`
        : '';
    lines.push(`${line}${which}`, ...details);
  }
  if (entries.length > MAX_LISTED) {
    lines.push(`  … and ${entries.length - MAX_LISTED} more clauses that did not pass: see the reports`);
  }
  for (const reason of verdict.reasons) lines.push(`  ${reason}`);
  const files = [result.files.html, result.files.junit, result.files.summary].filter(
    (f): f is string => f !== undefined,
  );
  if (files.length > 0) lines.push(`Reports: ${files.map((f) => relative(cwd, f)).join(', ')}`);
  else lines.push('Reports: none (no file reporter chosen, so no run folder, summary.json or index entry)');
  if (result.files.index) lines.push(`All runs: ${relative(cwd, result.files.index)}`);
  lines.push(`Result: ${verdictLine(verdict)}`, '');
  return lines.join('\n');
}
