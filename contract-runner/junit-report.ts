/**
 * junit.xml, for CI: written by the suite from the RunSummary (the data of summary.json), not by
 * Newman's JUnit reporter. That reporter keeps one result per assertion name, so with --iterations > 1
 * only the last iteration's outcome survives: a run that failed in iteration 1 of 3 exits 1 and yet shows
 * `failures="0"` (docs/reference.md §7). Here every clause of every iteration is its own <testsuite>, every
 * assertion its own <testcase>, and every count is computed from the testcases written, so they add up.
 *
 * The verdict is in the file twice over: the first suite, "Run", carries it and the provenance as
 * properties and fails when the run as a whole did (no clause ran, Newman did not complete), and every
 * failed clause has at least one failed or erroring testcase. So `failures + errors > 0` exactly when the
 * verdict is FAILED, whichever way a CI reads the file.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import type { Redactor } from './redaction.ts';
import type { RunSummary, SummaryClause } from './run-summary.ts';

export const JUNIT_REPORT = 'junit.xml';

type Problem =
  | { readonly kind: 'failure'; readonly type: string; readonly message: string }
  | { readonly kind: 'error'; readonly type: string; readonly message: string }
  | { readonly kind: 'skipped'; readonly message: string };

interface Testcase {
  readonly name: string;
  readonly problem?: Problem;
}

interface Testsuite {
  readonly name: string;
  readonly timestamp: string;
  readonly properties?: readonly (readonly [string, string])[];
  readonly testcases: readonly Testcase[];
}

/**
 * Attribute values, always in double quotes (so `'` stays as it is, and clause names read as written).
 * XML 1.0 cannot carry most control characters, even escaped: they are dropped.
 */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** The clause as CI tools group it: one class per clause, no dots (Jenkins splits class names on them). */
function className(clause: SummaryClause): string {
  return `${clause.folder ? `${clause.folder} / ` : ''}${clause.name}`.replace(/\./g, '_');
}

function clauseSuite(clause: SummaryClause, summary: RunSummary): Testsuite {
  const testcases: Testcase[] = [];
  if (clause.requestError !== null) {
    testcases.push({
      name: 'A response came back',
      problem: { kind: 'error', type: 'NoResponse', message: clause.requestError },
    });
  }
  if (clause.scriptError !== null) {
    testcases.push({
      name: "The clause's scripts ran without an error",
      problem: { kind: 'error', type: 'ScriptError', message: clause.scriptError },
    });
  }
  const assertionsExplain = clause.assertions.some((a) => a.outcome === 'failed') || clause.requestError;
  if (clause.outcome === 'failed' && !assertionsExplain && clause.scriptError === null) {
    testcases.push({
      name: 'The clause checked something',
      problem: {
        kind: 'failure',
        type: 'NothingChecked',
        message: clause.reason ?? 'the clause did not check anything',
      },
    });
  }
  for (const assertion of clause.assertions) {
    if (assertion.outcome === 'failed') {
      testcases.push({
        name: assertion.name,
        problem: { kind: 'failure', type: 'AssertionFailure', message: assertion.message ?? 'failed' },
      });
    } else if (assertion.outcome === 'skipped') {
      testcases.push({
        name: assertion.name,
        problem: { kind: 'skipped', message: clause.reason ?? 'skipped' },
      });
    } else {
      testcases.push({ name: assertion.name });
    }
  }
  const iteration = summary.iterations > 1 ? ` (iteration ${clause.iteration})` : '';
  return {
    name: `${clause.folder ? `${clause.folder} / ` : ''}${clause.name}${iteration}`,
    timestamp: summary.startedAt,
    properties: [
      ['request', clause.requestLine],
      ['expectedStatus', clause.expectedStatus ?? ''],
      ['actualStatus', clause.actualStatus === null ? '' : String(clause.actualStatus)],
      ['outcome', clause.outcome],
      // What a pass proves: each asserted check with the graded facts it rests on, and what was left open.
      ...(clause.clause?.assertions ?? []).map((assertion): [string, string] => [
        'asserted',
        `${assertion.name} [${assertion.grade}: ${assertion.facts.join(', ')}]`,
      ]),
      ...(clause.clause?.unasserted ?? []).map((assertion): [string, string] => [
        'notAsserted',
        `${assertion.name} [open: ${assertion.facts.join(', ')}; npm run contract -- --strict to assert]`,
      ]),
    ],
    testcases,
  };
}

function runSuite(summary: RunSummary): Testsuite {
  const { verdict, counts } = summary;
  const noClause = verdict.reasons.find((reason) => reason.startsWith('No clause ran'));
  const testcases: Testcase[] = [
    {
      name: 'At least one clause ran',
      ...(counts.clauses.run === 0
        ? {
            problem: {
              kind: 'failure' as const,
              type: 'NoClauseRan',
              message: noClause ?? 'no clause ran',
            },
          }
        : {}),
    },
    {
      name: 'Newman completed the run',
      ...(summary.runError === null
        ? {}
        : { problem: { kind: 'error' as const, type: 'RunError', message: summary.runError } }),
    },
  ];
  const git = summary.suite.git;
  return {
    name: 'Run',
    timestamp: summary.startedAt,
    properties: [
      ['verdict', verdict.result],
      ['verdict.summary', verdict.summary],
      ...verdict.reasons.map((reason, index) => [`verdict.reason.${index + 1}`, reason] as const),
      ['target', summary.target],
      ['apiUrl', summary.apiUrl],
      ['startedAt', summary.startedAt],
      ['iterations', String(summary.iterations)],
      ['git.commit', git?.commit ?? ''],
      ['git.dirty', git === null ? '' : String(git.dirty)],
      ['collection.path', summary.collection.path],
      ['collection.sha256', summary.collection.sha256],
      ['environmentTemplate.sha256', summary.environmentTemplate.sha256 ?? ''],
      ['tools.node', summary.tools.node],
      ['tools.newman', summary.tools.newman ?? ''],
      ['tools.newmanReporterHtmlextra', summary.tools.newmanReporterHtmlextra ?? ''],
      ['token.sub', summary.identity.sub],
      ['runId', summary.runId],
    ],
    testcases,
  };
}

function tally(testcases: readonly Testcase[]) {
  return {
    tests: testcases.length,
    failures: testcases.filter((t) => t.problem?.kind === 'failure').length,
    errors: testcases.filter((t) => t.problem?.kind === 'error').length,
    skipped: testcases.filter((t) => t.problem?.kind === 'skipped').length,
  };
}

function renderTestcase(testcase: Testcase, classname: string): string {
  const open = `    <testcase name="${escapeXml(testcase.name)}" classname="${escapeXml(classname)}"`;
  const problem = testcase.problem;
  if (problem === undefined) return `${open}/>`;
  const inner =
    problem.kind === 'skipped'
      ? `<skipped message="${escapeXml(problem.message)}"/>`
      : `<${problem.kind} type="${escapeXml(problem.type)}" message="${escapeXml(problem.message)}"/>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

function renderSuite(suite: Testsuite, id: number, classname: string): string {
  const counts = tally(suite.testcases);
  const properties =
    suite.properties && suite.properties.length > 0
      ? `    <properties>\n${suite.properties
          .map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
          .join('\n')}\n    </properties>\n`
      : '';
  return `  <testsuite name="${escapeXml(suite.name)}" id="${id}" timestamp="${escapeXml(suite.timestamp)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}">
${properties}${suite.testcases.map((testcase) => renderTestcase(testcase, classname)).join('\n')}
  </testsuite>`;
}

/** The whole file. A pure function of the RunSummary, so tests can read it without a run. */
export function renderJunit(summary: RunSummary, title: string): string {
  const suites: { suite: Testsuite; classname: string }[] = [
    { suite: runSuite(summary), classname: 'Run' },
    ...summary.clauses.map((clause) => ({
      suite: clauseSuite(clause, summary),
      classname: className(clause),
    })),
  ];
  const all = tally(suites.flatMap(({ suite }) => suite.testcases));
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${escapeXml(title)}" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${(summary.durationMs / 1000).toFixed(3)}" timestamp="${escapeXml(summary.startedAt)}">
${suites.map(({ suite, classname }, index) => renderSuite(suite, index, classname)).join('\n')}
</testsuites>
`;
}

/** Writes junit.xml into the run folder, redacted, atomically; returns its path. */
export async function writeJunitReport(
  summary: RunSummary,
  title: string,
  runFolder: string,
  redact: Redactor,
): Promise<string> {
  const path = junitPath(runFolder);
  await writeFileAtomic(path, redact(renderJunit(summary, title)), { mode: 0o644 });
  return path;
}

/** The path junit.xml will have in a run folder (summary.json names it before it is written). */
export function junitPath(runFolder: string): string {
  return join(runFolder, JUNIT_REPORT);
}
