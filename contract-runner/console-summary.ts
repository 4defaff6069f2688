/** The one-screen summary printed after the run: what was tested, what broke, where the reports are. */
import { relative } from 'node:path';
import type { ContractResult } from './run-contract.ts';

export function formatContractSummary(result: ContractResult, cwd: string = process.cwd()): string {
  const { counts } = result;
  const lines: string[] = [
    '',
    `hello-api contract: target ${result.target}, ${result.apiUrl}`,
    `Token: ${result.token.claims.username} (issuer ${result.token.claims.iss}), ${
      result.token.reused ? 'saved token reused' : 'fresh sign-in'
    }`,
    `Clauses: ${counts.clauses.total} run, ${counts.clauses.passed} passed, ${counts.clauses.failed} failed, ${counts.clauses.skipped} skipped (assertions: ${counts.assertions.total}, ${counts.assertions.failed} failed)`,
  ];
  const seen = new Set<string>();
  for (const clause of result.clauses) {
    const key = `${clause.outcome}:${clause.folder}/${clause.name}`;
    if (clause.outcome === 'passed' || seen.has(key)) continue;
    seen.add(key);
    if (clause.outcome === 'skipped') {
      const reason = clause.assertions[0]?.name.replace(/^SKIPPED: /, '') ?? 'skipped';
      lines.push(`  SKIPPED ${clause.name}: ${reason}`);
      continue;
    }
    lines.push(`  FAILED  ${clause.name} [${clause.requestLine}]`);
    if (clause.requestError) lines.push(`          request error: ${clause.requestError}`);
    for (const assertion of clause.assertions.filter((a) => a.outcome === 'failed')) {
      lines.push(`          - ${assertion.name}: ${assertion.message ?? 'failed'}`);
    }
  }
  if (result.runError) lines.push(`Newman failed: ${result.runError}`);
  const files = [result.files.html, result.files.junit, result.files.summary].filter(
    (f): f is string => f !== undefined,
  );
  if (files.length > 0) lines.push(`Reports: ${files.map((f) => relative(cwd, f)).join(', ')}`);
  if (result.files.index) lines.push(`All runs: ${relative(cwd, result.files.index)}`);
  lines.push(result.passed ? 'Result: PASSED' : 'Result: FAILED', '');
  return lines.join('\n');
}
