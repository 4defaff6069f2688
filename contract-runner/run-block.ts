/**
 * The top of report.html: the verdict banner, the run's provenance and its totals, rendered from the
 * RunSummary (the very object written as summary.json) rather than from htmlextra's template context,
 * whose timestamps, counts and outcomes are Newman's and not the suite's. html-report.ts puts it into
 * the rendered report after Newman finishes.
 *
 * The block is a list of sections, each a function of the RunSummary: a new section (e.g. which API
 * methods have no authorizer) is one more function in RUN_BLOCK_SECTIONS. Everything a section prints
 * goes through escapeHtml; the file is redacted as a whole afterwards.
 */
import { COVERAGE_WORDS, isCognitoCovered } from '../api/surface.ts';
import { plural } from '../common/plural.ts';
import { clauseAnchor, displayTime, escapeHtml } from './html.ts';
import type { RunSummary, SummaryClause } from './run-summary.ts';

export type RunBlockSection = (summary: RunSummary) => string;

const STYLE = `<style>
  .run-block { margin: 0 0 1.5rem; }
  .run-verdict { border: 2px solid #1e7b34; background: #eef8f0; border-radius: .35rem; padding: .75rem 1rem; margin: 0 0 1rem; }
  .run-verdict.failed { border-color: #b3261e; background: #fff1f0; }
  .run-verdict .run-result { font-size: 1.4rem; font-weight: 800; letter-spacing: .04em; margin-right: .5rem; }
  .run-verdict.passed .run-result { color: #1e7b34; }
  .run-verdict.failed .run-result { color: #b3261e; }
  .run-verdict ul { margin: .5rem 0 0; }
  .run-block table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  .run-block th, .run-block td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  .run-block th { background: #f6f8fa; width: 14rem; }
  .run-block td.num { text-align: right; }
  .run-block code { word-break: break-all; }
</style>`;

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function orUnknown(value: string | null, render: (text: string) => string = escapeHtml): string {
  return value === null ? '<span class="muted">unknown</span>' : render(value);
}

const verdictBanner: RunBlockSection = (summary) => {
  const { verdict } = summary;
  const result = verdict.result === 'PASSED' ? 'passed' : 'failed';
  const reasons =
    verdict.reasons.length === 0
      ? ''
      : `\n  <ul class="run-reasons">${verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>`;
  return `<div class="run-verdict ${result}" id="verdict"><span class="run-result">${verdict.result}</span><strong>${escapeHtml(verdict.summary)}</strong>${reasons}
</div>`;
};

const provenance: RunBlockSection = (summary) => {
  const { suite, collection, environmentTemplate, tools, identity } = summary;
  const git =
    suite.git === null
      ? '<span class="muted">no git commit (not run from a git checkout)</span>'
      : `${code(suite.git.commit)}${suite.git.dirty ? ' <strong>with uncommitted changes in the working tree</strong>' : ''}`;
  const rows: [string, string][] = [
    [
      'Started',
      `${escapeHtml(displayTime(summary.startedAt))} &middot; took ${Math.round(summary.durationMs)} ms &middot; run folder ${code(summary.runFolder)}`,
    ],
    ['Target', `${escapeHtml(summary.target)} &middot; ${code(summary.apiUrl)}`],
    [
      'Token subject',
      `${code(identity.sub)} (cognito:username ${code(identity.cognitoUsername)}, issuer ${code(identity.issuer)}, audience ${code(identity.audience)}, token valid until ${escapeHtml(displayTime(identity.expiresAt))})`,
    ],
    ['Suite', `${orUnknown(suite.name)} ${orUnknown(suite.version)} &middot; git commit ${git}`],
    [
      'Collection',
      `${code(collection.path)} (${orUnknown(collection.name)}${collection.version ? ` ${escapeHtml(collection.version)}` : ''}) &middot; SHA-256 ${code(collection.sha256)}`,
    ],
    [
      'Environment template',
      `${code(environmentTemplate.path)} &middot; SHA-256 ${orUnknown(environmentTemplate.sha256, code)}`,
    ],
    [
      'Tools',
      `Node.js ${escapeHtml(tools.node)} &middot; newman ${orUnknown(tools.newman)} &middot; newman-reporter-htmlextra ${orUnknown(tools.newmanReporterHtmlextra)}`,
    ],
    [
      'Run',
      `id ${code(summary.runId)} &middot; ${plural(summary.iterations, 'iteration')}${summary.runError ? ` &middot; Newman error: ${escapeHtml(summary.runError)}` : ''}`,
    ],
  ];
  return `<h2>Provenance</h2>
<table class="run-provenance">
${rows.map(([label, value]) => `  <tr><th>${label}</th><td>${value}</td></tr>`).join('\n')}
</table>`;
};

const totals: RunBlockSection = (summary) => {
  const { clauses, assertions, requestErrors } = summary.counts;
  return `<h2>Totals</h2>
<table class="run-totals">
  <tr><th>Clauses</th><td>${clauses.total} in all: ${clauses.run} ran (${clauses.passed} passed, ${clauses.failed} failed), ${clauses.skipped} skipped</td></tr>
  <tr><th>Assertions</th><td>${assertions.total} in all: ${assertions.failed} failed, ${assertions.skipped} skipped</td></tr>
  <tr><th>Requests without a response</th><td>${requestErrors}</td></tr>
</table>`;
};

function why(clause: SummaryClause): string {
  const parts: string[] = [];
  if (clause.requestError) parts.push(clause.requestError);
  if (clause.reason) parts.push(clause.reason);
  if (!clause.requestError) {
    for (const assertion of clause.assertions.filter((a) => a.outcome === 'failed')) {
      parts.push(`${assertion.name}: ${assertion.message ?? 'failed'}`);
    }
  }
  return parts.map(escapeHtml).join('<br>');
}

const notPassed: RunBlockSection = (summary) => {
  // Positions in summary.clauses are positions among the executions: each row links to its details.
  const listed = summary.clauses
    .map((clause, position) => ({ clause, anchor: clauseAnchor(position) }))
    .filter(({ clause }) => clause.outcome !== 'passed');
  if (listed.length === 0) return '';
  const iterations = summary.iterations > 1;
  const rows = listed.map(
    ({ clause, anchor }) =>
      `  <tr class="${clause.outcome}"><td><span class="badge ${clause.outcome}">${clause.outcome}</span></td><td><a href="#${anchor}">${escapeHtml(clause.name)}</a>${iterations ? ` <span class="muted">(iteration ${clause.iteration})</span>` : ''}</td><td>${code(clause.requestLine)}</td><td>${why(clause)}</td></tr>`,
  );
  return `<h2>Clauses that did not pass</h2>
<table class="run-not-passed">
  <tr><th>Result</th><th>Clause</th><th>Request</th><th>Why</th></tr>
${rows.join('\n')}
</table>`;
};

/**
 * What a pass proves, clause by clause: the status the clause asserted, every check with the graded
 * facts of docs/reference.md it rests on, and what it left open (an open fact the run did not name in
 * --strict). Read from the same clause data the sandbox checked.
 */
const asserted: RunBlockSection = (summary) => {
  const clauses = summary.clauses.filter((clause) => clause.iteration === 1 && clause.clause?.assertions);
  if (clauses.length === 0) return '';
  const list = (entries: readonly { name: string; grade: string; facts: readonly string[] }[]) =>
    entries
      .map(
        (entry) =>
          `${escapeHtml(entry.name)} <span class="muted">[${escapeHtml(entry.grade)}: ${entry.facts.map(code).join(', ')}]</span>`,
      )
      .join('<br>');
  const rows = clauses.map(
    (clause) =>
      `  <tr class="${clause.outcome}"><td>${escapeHtml(clause.name)}</td><td>${escapeHtml(clause.expectedStatus ?? '')}</td><td>${list(clause.clause?.assertions ?? [])}</td><td>${list(clause.clause?.unasserted ?? [])}</td></tr>`,
  );
  const open =
    summary.openFactsAsserted.length === 0
      ? 'none (the default: only firm and likely facts are asserted)'
      : `${summary.openFactsAsserted.map(code).join(', ')} (named by --strict, asserted as the project's guess)`;
  return `<h2>What each clause asserted</h2>
<p>Open facts of docs/reference.md asserted: ${open}</p>
<details class="run-asserted">
<summary>Each check with the facts of docs/reference.md it rests on and how sure they are (firm, likely; open only where --strict named it), and what was left open</summary>
<table class="run-asserted">
  <tr><th>Clause</th><th>Expected status</th><th>Asserted</th><th>Not asserted (open)</th></tr>
${rows.join('\n')}
</table>
</details>`;
};

const PROTECTION: Readonly<Record<string, string>> = {
  cognito: 'Cognito authorizer (ID tokens)',
  'cognito-scopes': 'Cognito authorizer with OAuth scopes (access tokens)',
  ...COVERAGE_WORDS,
  // Shorter than COVERAGE_WORDS.none: the row's last column says whether it is public on purpose.
  none: 'no authorizer',
};

/** Every method of the API description and what protects it; an unprotected one must be allow-listed. */
const coverage: RunBlockSection = (summary) => {
  if (summary.coverage === null) return '';
  const rows = summary.coverage.map((entry) => {
    const open = !isCognitoCovered(entry.protection);
    const state = !open ? 'passed' : entry.allowListed ? 'skipped' : 'failed';
    const note = !open
      ? ''
      : entry.allowListed
        ? 'public on purpose (allow-listed)'
        : entry.protection === 'none' || entry.protection === 'api-key'
          ? 'UNPROTECTED: not on the allow-list, fails the run'
          : 'NOT TESTED: not on the allow-list, fails the run';
    const scopes = entry.scopes.length > 0 ? ` (${entry.scopes.map(code).join(', ')})` : '';
    return `  <tr class="${state}"><td>${code(entry.route)}</td><td>${escapeHtml(PROTECTION[entry.protection] ?? entry.protection)}${scopes}</td><td>${escapeHtml(note)}</td></tr>`;
  });
  const source = summary.api ? ` from ${code(summary.api.path)}` : '';
  return `<h2>Authorizer coverage</h2>
<p class="muted">Every method of the API description${source}: a method without authorizer fails the run unless CONTRACT_ALLOW_UNPROTECTED names it.</p>
<table class="run-coverage">
  <tr><th>Method</th><th>Protected by</th><th></th></tr>
${rows.join('\n')}
</table>`;
};

/** Which attack matrix ran, and why each protected method got its clauses (collections/plan.ts). */
const matrix: RunBlockSection = (summary) => {
  if (summary.matrix === null) return '';
  const rows = summary.matrix.methods.map(
    (method) =>
      `  <tr><td>${code(method.route)}</td><td>${code(method.authorizer)}</td><td>${escapeHtml(method.coverage)}: ${plural(method.rows, 'row')} &times; ${escapeHtml(method.forms.join(', '))}</td><td>${escapeHtml(method.reason)}</td></tr>`,
  );
  // A large API has hundreds of methods: the table is folded, the mode and why stay in view.
  return `<h2>Attack matrix: ${escapeHtml(summary.matrix.mode)}</h2>
<p>${escapeHtml(summary.matrix.why)}</p>
<details class="run-matrix"${rows.length <= 20 ? ' open' : ''}><summary>${plural(rows.length, 'protected method')}</summary>
<table>
  <tr><th>Method</th><th>Authorizer (pools | header | token)</th><th>Attacks</th><th>Why</th></tr>
${rows.join('\n')}
</table>
</details>`;
};

/** The user pool the run signed in to, when the description names several, and the methods left for another. */
const pool: RunBlockSection = (summary) => {
  if (summary.pool === null || summary.pool.pools.length < 2) return '';
  const left = summary.pool.leftForAnotherRun.map(
    (method) => `  <li>${code(method.route)}: SKIPPED, ${escapeHtml(method.reason)}</li>`,
  );
  return `<h2>User pool: ${code(summary.pool.chosen)}</h2>
<p>${escapeHtml(summary.pool.why)}</p>
${
  left.length === 0
    ? '<p>Every protected method accepts it.</p>'
    : `<ul class="run-pool-left">
${left.join('\n')}
</ul>`
}`;
};

/** In page order. Add a section here; each is a function of the RunSummary alone. */
const RUN_BLOCK_SECTIONS: readonly RunBlockSection[] = [
  verdictBanner,
  provenance,
  coverage,
  matrix,
  pool,
  totals,
  notPassed,
  asserted,
];

export function renderRunBlock(
  summary: RunSummary,
  sections: readonly RunBlockSection[] = RUN_BLOCK_SECTIONS,
): string {
  const body = sections
    .map((section) => section(summary))
    .filter((html) => html !== '')
    .join('\n');
  return `<section class="run-block" id="run">
${STYLE}
${body}
</section>`;
}
