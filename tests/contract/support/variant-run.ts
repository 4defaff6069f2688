/**
 * Runs the whole contract in-process (`runContract`, what `npm run contract` calls) against a local
 * stack started for that run alone, and reads the verdict clause by clause. Every variant gets its
 * own stack, token and attack tokens: nothing is shared that could carry one variant's state into
 * another and hide a failure.
 */
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ContractResult, runContract } from '../../../contract-runner/run-contract.ts';
import type { LocalStackOptions } from '../../../local-stack/stack.ts';
import { allClauses } from './clauses.ts';

/**
 * Per-run bound for tests: a run takes 2–4 s, far more on a loaded machine; a run that never returns
 * (e.g. a reporter throwing inside Newman's callback) must fail its test instead of hanging the suite.
 */
export const RUN_TIMEOUT_MS = 120_000;

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** One contract run on the local target, no reporter (nothing written to disk). */
export function runVariant(stack: LocalStackOptions = {}): Promise<ContractResult> {
  return runContract({ target: 'local', rootDir: repoRoot, reporters: [], stack });
}

export function clausesWith(result: ContractResult, outcome: 'passed' | 'failed' | 'skipped'): string[] {
  return result.clauses.filter((c) => c.outcome === outcome).map((c) => c.name);
}

/** Failing clauses with their failing assertions, for messages that say what actually happened. */
export function describeFailures(result: ContractResult): string {
  const lines = result.clauses
    .filter((c) => c.outcome !== 'passed')
    .map(
      (c) =>
        `${c.outcome.toUpperCase()} ${c.name} [${c.actualStatus ?? 'no response'}]: ${c.assertions
          .filter((a) => a.outcome !== 'passed')
          .map((a) => a.name)
          .join(' | ')}${c.requestError ? ` request error: ${c.requestError}` : ''}`,
    );
  return lines.length > 0 ? lines.join('\n') : '(no clause failed or was skipped)';
}

export function failedAssertions(result: ContractResult, clauseName: string): string[] {
  const found = result.clauses.find((c) => c.name === clauseName);
  assert.ok(found, `no result for the clause "${clauseName}"`);
  return found.assertions.filter((a) => a.outcome === 'failed').map((a) => a.name);
}

/** Every one of the 18 clauses ran once, and none failed or was skipped. */
export function assertWholeContractPassed(result: ContractResult): void {
  assert.deepEqual(
    result.clauses.map((c) => c.name),
    allClauses,
    'the run did not consist of exactly the 18 clauses, in order',
  );
  assert.deepEqual(clausesWith(result, 'passed'), allClauses, describeFailures(result));
  assert.equal(result.runError, undefined, `Newman failed: ${result.runError}`);
  assert.equal(result.counts.requestErrors, 0);
  assert.equal(result.passed, true);
}

/**
 * The run failed, the clauses in `caughtBy` are exactly the ones that failed, and every other clause
 * still passed: the weakness was caught by the clause meant to catch it, not by collateral damage.
 */
export function assertCaughtExactlyBy(result: ContractResult, caughtBy: readonly string[]): void {
  assert.equal(result.passed, false, 'the contract passed against a gateway that is wrong');
  assert.equal(result.runError, undefined, `Newman failed: ${result.runError}`);
  assert.deepEqual(
    result.clauses.map((c) => c.name),
    allClauses,
    'the run did not consist of exactly the 18 clauses, in order',
  );
  const expected = allClauses.filter((name) => caughtBy.includes(name));
  assert.equal(expected.length, caughtBy.length, 'caughtBy names a clause the contract does not have');
  assert.deepEqual(clausesWith(result, 'failed'), expected, describeFailures(result));
  assert.deepEqual(
    clausesWith(result, 'passed'),
    allClauses.filter((name) => !caughtBy.includes(name)),
    describeFailures(result),
  );
}
