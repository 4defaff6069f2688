/**
 * A RunSummary built the way runContract builds it (countResults, decideVerdict, buildRunSummary) from
 * given clause results, with fixed provenance: for tests of what is rendered from a summary (junit.xml,
 * the HTML run block, the index) without a whole run. Only the clauses are the test's; everything else is
 * plausible and constant.
 */

import { type ClauseResult, countResults } from '../../contract-runner/results.ts';
import { buildRunSummary, type RunSummary } from '../../contract-runner/run-summary.ts';
import { decideVerdict } from '../../contract-runner/verdict.ts';

export const FIXTURE_ROOT = '/checkout';
export const FIXTURE_COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const FIXTURE_COLLECTION_SHA = 'c'.repeat(64);
export const FIXTURE_TEMPLATE_SHA = 'e'.repeat(64);
export const FIXTURE_SUB = 'a1b2c3d4-0000-4000-8000-000000000001';

export interface FixtureOptions {
  readonly iterations?: number;
  readonly runError?: string;
  readonly startedAt?: Date;
}

export function summaryOf(clauses: readonly ClauseResult[], options: FixtureOptions = {}): RunSummary {
  const counts = countResults(clauses);
  const verdict = decideVerdict({
    clauses,
    counts,
    ...(options.runError === undefined ? {} : { runError: options.runError }),
  });
  const startedAt = options.startedAt ?? new Date('2026-11-28T05:58:55.123Z');
  return buildRunSummary({
    rootDir: FIXTURE_ROOT,
    runFolder: `${FIXTURE_ROOT}/reports/2026-11-28T05-58-55Z-local`,
    target: 'local',
    apiUrl: 'http://127.0.0.1:3000/dev',
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 2_345),
    verdict,
    ...(options.runError === undefined ? {} : { runError: options.runError }),
    iterations: options.iterations ?? 1,
    collection: {
      path: `${FIXTURE_ROOT}/collections/hello-api.postman_collection.json`,
      bytesSha256: FIXTURE_COLLECTION_SHA,
      parsed: { info: { name: 'hello-api contract', version: '1.0.0' } },
    },
    environmentTemplate: {
      path: `${FIXTURE_ROOT}/environments/local.postman_environment.json`,
      sha256: FIXTURE_TEMPLATE_SHA,
    },
    suite: { name: 'cognito-api-contract', version: '0.1.0' },
    git: { commit: FIXTURE_COMMIT, dirty: false },
    tools: { node: 'v20.20.2', newman: '6.2.2', newmanReporterHtmlextra: '1.23.1' },
    claims: {
      sub: FIXTURE_SUB,
      username: 'contract-tester',
      iss: 'http://127.0.0.1:9229/local_pool',
      aud: 'client-id',
      exp: Math.floor(startedAt.getTime() / 1000) + 3600,
    },
    clauses,
    counts,
    files: { html: 'report.html', junit: 'junit.xml' },
    runId: '00000000-0000-4000-8000-000000000000',
  });
}

/** A clause result with every field a test does not care about filled in. */
export function clause(
  name: string,
  outcome: ClauseResult['outcome'],
  overrides: Partial<ClauseResult> = {},
): ClauseResult {
  return {
    folder: 'Folder',
    name,
    iteration: 0,
    requestLine: 'GET /dev/hello',
    outcome,
    assertions:
      outcome === 'skipped'
        ? [{ name: 'SKIPPED: attack_x is empty on this target', outcome: 'skipped' }]
        : [
            {
              name: 'Status is 401',
              outcome,
              ...(outcome === 'failed' ? { message: 'expected 401, the gateway answered 200' } : {}),
            },
          ],
    ...(outcome === 'skipped' ? { reason: 'attack_x is empty on this target' } : {}),
    ...overrides,
  };
}
