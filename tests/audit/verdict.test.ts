/**
 * The one verdict (verdict.ts), case by case: what passes, what fails, and the sentence each failure
 * gets, since every artifact prints these words. The artifacts themselves are checked against it in
 * junit-report, run-summary and nothing-checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ClauseResult, countResults } from '../../contract-runner/results.ts';
import { decideVerdict, verdictLine } from '../../contract-runner/verdict.ts';
import { clause } from './summary-fixture.ts';

function verdictOf(clauses: ClauseResult[], runError?: string) {
  return decideVerdict({ clauses, counts: countResults(clauses), ...(runError ? { runError } : {}) });
}

describe('the verdict', () => {
  it('passes when every clause ran and passed', () => {
    const verdict = verdictOf([clause('A', 'passed'), clause('B', 'passed')]);
    assert.deepEqual(verdict, {
      result: 'PASSED',
      passed: true,
      summary: 'all 2 clauses ran and passed',
      reasons: [],
    });
    assert.equal(verdictLine(verdict), 'PASSED: all 2 clauses ran and passed');
  });

  it('passes with a skipped clause, and says how many ran', () => {
    const verdict = verdictOf([clause('A', 'passed'), clause('B', 'skipped')]);
    assert.equal(verdict.passed, true);
    assert.equal(verdict.summary, '1 of 2 clauses ran and passed, 1 skipped (each says why)');
  });

  it('fails a run with no clause, with its own sentence', () => {
    const verdict = verdictOf([]);
    assert.equal(verdict.passed, false);
    assert.equal(verdict.summary, 'no clause ran');
    assert.deepEqual(verdict.reasons, [
      'No clause ran: the collection has no request, and a run that checks nothing cannot pass; check --collection.',
    ]);
  });

  it('fails a run in which every clause was skipped, with its own sentence', () => {
    const verdict = verdictOf([clause('A', 'skipped'), clause('B', 'skipped')]);
    assert.equal(verdict.passed, false);
    assert.deepEqual(verdict.reasons, [
      'No clause ran: all 2 clauses were skipped, and a run that checks nothing cannot pass; see why each was skipped.',
    ]);
  });

  it('names failed checks, missing responses and clauses that proved nothing apart', () => {
    const verdict = verdictOf([
      clause('Broken', 'failed'),
      clause('Unreached', 'failed', {
        requestError: 'no response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)',
      }),
      clause('Untested', 'failed', { assertions: [], reason: 'it made no assertion' }),
      clause('Fine', 'passed'),
    ]);
    assert.equal(verdict.summary, '3 of 4 clauses failed');
    assert.deepEqual(verdict.reasons, [
      '1 clause failed a check: "Broken"; each failed check says what came back instead.',
      '1 clause got no response (no response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)): "Unreached"; this is about reaching the API, not about what it answers.',
      '1 clause proved nothing: "Untested" (it made no assertion).',
    ]);
  });

  it('names a clause that failed in several iterations once, and at most three names', () => {
    const failures = ['A', 'B', 'C', 'D'].flatMap((name) =>
      [0, 1].map((iteration) => clause(name, 'failed', { iteration })),
    );
    const verdict = verdictOf(failures);
    assert.equal(verdict.summary, '8 of 8 clauses failed');
    assert.equal(
      verdict.reasons[0],
      '8 clauses failed a check: "A", "B", "C", and 1 more; each failed check says what came back instead.',
    );
  });

  it('fails when Newman did not complete the run, whatever the clauses say', () => {
    const verdict = verdictOf([clause('A', 'passed')], 'the collection could not be loaded');
    assert.equal(verdict.passed, false);
    assert.equal(verdict.summary, 'Newman did not complete the run');
    assert.match(
      verdict.reasons[0] ?? '',
      /^Newman did not complete the run \(the collection could not be loaded\)/,
    );
  });
});
