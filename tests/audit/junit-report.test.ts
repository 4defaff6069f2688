/**
 * junit.xml as junit-report.ts renders it from a RunSummary: every clause of every
 * iteration, every failed assertion, skipped tests marked with their reason, counts computed from what
 * is written, and `failures + errors > 0` exactly when the verdict is FAILED. The end-to-end proof with
 * a real run of several iterations is junit-iterations.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderJunit } from '../../contract-runner/junit-report.ts';
import type { ClauseResult } from '../../contract-runner/results.ts';
import { clause, FIXTURE_COLLECTION_SHA, FIXTURE_COMMIT, FIXTURE_SUB, summaryOf } from './summary-fixture.ts';

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function attributes(tag: string): Counts {
  const read = (name: string) => Number(new RegExp(`\\s${name}="(\\d+)"`).exec(tag)?.[1] ?? Number.NaN);
  return {
    tests: read('tests'),
    failures: read('failures'),
    errors: read('errors'),
    skipped: read('skipped'),
  };
}

/** The root's counts, each suite's counts, and each suite's counts recomputed from its testcases. */
function parse(xml: string) {
  const root = attributes(/<testsuites\b[^>]*>/.exec(xml)?.[0] ?? '');
  const suites = [...xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)].map((match) => {
    const body = match[2] ?? '';
    const testcases = [...body.matchAll(/<testcase\b[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g)].map((m) => m[0]);
    return {
      name: /\sname="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '',
      declared: attributes(match[1] ?? ''),
      counted: {
        tests: testcases.length,
        failures: testcases.filter((t) => t.includes('<failure')).length,
        errors: testcases.filter((t) => t.includes('<error')).length,
        skipped: testcases.filter((t) => t.includes('<skipped')).length,
      },
      testcases,
    };
  });
  return { root, suites };
}

function assertCountsAddUp(xml: string): Counts {
  const { root, suites } = parse(xml);
  for (const suite of suites) assert.deepEqual(suite.declared, suite.counted, `suite ${suite.name}`);
  const sum = (key: keyof Counts) => suites.reduce((total, suite) => total + suite.counted[key], 0);
  assert.deepEqual(root, {
    tests: sum('tests'),
    failures: sum('failures'),
    errors: sum('errors'),
    skipped: sum('skipped'),
  });
  return root;
}

const passing = (name: string, iteration = 0) => clause(name, 'passed', { iteration });

describe('junit.xml rendered from the run summary', () => {
  it('lists every clause of every iteration and every failed assertion, with counts that add up', () => {
    // Clause A fails in iteration 1 only: exactly what Newman's reporter loses (it keeps the last).
    const clauses: ClauseResult[] = [0, 1, 2].flatMap((iteration) => [
      iteration === 0 ? clause('A', 'failed', { iteration }) : passing('A', iteration),
      passing('B', iteration),
    ]);
    const xml = renderJunit(summaryOf(clauses, { iterations: 3 }), 'fixture');

    const root = assertCountsAddUp(xml);
    const { suites } = parse(xml);
    assert.deepEqual(
      suites.map((suite) => suite.name),
      [
        'Run',
        'Folder / A (iteration 1)',
        'Folder / B (iteration 1)',
        'Folder / A (iteration 2)',
        'Folder / B (iteration 2)',
        'Folder / A (iteration 3)',
        'Folder / B (iteration 3)',
      ],
    );
    assert.equal(root.failures, 1);
    assert.match(
      suites[1]?.testcases[0] ?? '',
      /<failure type="AssertionFailure" message="expected 401, the gateway answered 200"\/>/,
    );
    assert.equal(root.tests, 2 + clauses.length, 'two run checks and one testcase per assertion');
  });

  it('names a suite without "(iteration n)" when the run had one iteration', () => {
    const { suites } = parse(renderJunit(summaryOf([passing('Only')]), 'fixture'));
    assert.deepEqual(
      suites.map((suite) => suite.name),
      ['Run', 'Folder / Only'],
    );
  });

  it('marks a skipped clause <skipped> with its reason, and a skip does not fail the run', () => {
    const xml = renderJunit(summaryOf([passing('Runs'), clause('Cannot run here', 'skipped')]), 'fixture');
    const root = assertCountsAddUp(xml);
    assert.equal(root.skipped, 1);
    assert.equal(root.failures + root.errors, 0);
    assert.match(
      xml,
      /<testcase name="SKIPPED: attack_x is empty on this target" classname="Folder \/ Cannot run here">\s*<skipped message="attack_x is empty on this target"\/>/,
    );
  });

  const scenarios: [string, ClauseResult[], { runError?: string }][] = [
    ['every clause passed', [passing('A'), passing('B')], {}],
    ['one clause skipped', [passing('A'), clause('B', 'skipped')], {}],
    ['a check failed', [passing('A'), clause('B', 'failed')], {}],
    [
      'no response came back',
      [
        clause('A', 'failed', {
          requestError: 'no response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)',
          assertions: [
            {
              name: 'Status is 401',
              outcome: 'failed',
              message: 'not checked, no response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)',
            },
          ],
        }),
      ],
      {},
    ],
    [
      'a clause checked nothing',
      [clause('A', 'failed', { assertions: [], reason: 'it made no assertion: a request without tests' })],
      {},
    ],
    [
      'a script threw after its checks passed',
      [
        clause('A', 'failed', {
          assertions: [{ name: 'Status is 401', outcome: 'passed' }],
          scriptError: 'ReferenceError: x is not defined',
          reason: 'its script failed',
        }),
      ],
      {},
    ],
    ['no clause at all', [], {}],
    ['every clause skipped', [clause('A', 'skipped'), clause('B', 'skipped')], {}],
    ['Newman did not complete', [passing('A')], { runError: 'collection could not be loaded' }],
  ];
  for (const [what, clauses, options] of scenarios) {
    it(`has failures + errors > 0 exactly when the verdict is FAILED: ${what}`, () => {
      const summary = summaryOf(clauses, options);
      const xml = renderJunit(summary, 'fixture');
      const root = assertCountsAddUp(xml);
      assert.equal(root.failures + root.errors > 0, !summary.passed, `verdict ${summary.verdict.result}`);
      assert.match(xml, new RegExp(`<property name="verdict" value="${summary.verdict.result}"/>`));
    });
  }

  it('carries the verdict and the provenance as properties of the Run suite', () => {
    const xml = renderJunit(summaryOf([passing('A'), clause('B', 'failed')]), 'fixture');
    const run = parse(xml).suites[0];
    assert.equal(run?.name, 'Run');
    for (const [name, value] of [
      ['verdict', 'FAILED'],
      ['verdict.summary', '1 of 2 clauses failed'],
      ['git.commit', FIXTURE_COMMIT],
      ['collection.sha256', FIXTURE_COLLECTION_SHA],
      ['tools.newman', '6.2.2'],
      ['token.sub', FIXTURE_SUB],
      ['apiUrl', 'http://127.0.0.1:3000/dev'],
    ]) {
      assert.ok(xml.includes(`<property name="${name}" value="${value}"/>`), `${name}=${value}`);
    }
  });

  it('escapes what the clauses say, so a response quoted in a message cannot break the XML', () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0007bell';
    const xml = renderJunit(
      summaryOf([
        clause(nasty, 'failed', { assertions: [{ name: nasty, outcome: 'failed', message: nasty }] }),
      ]),
      'fixture',
    );
    assertCountsAddUp(xml);
    const attributeValues = [...xml.matchAll(/="([^"]*)"/g)].map((m) => m[1] ?? '');
    for (const value of attributeValues) {
      assert.doesNotMatch(value, /[<>]|&(?!amp;|lt;|gt;|quot;|#\d+;)/, value);
    }
    assert.ok(!xml.includes('\u0007'), 'a control character XML cannot carry is dropped');
    assert.ok(xml.includes(`a &lt;b&gt; &amp; &quot;c&quot; 'd' ]]&gt; bell`));
  });
});
