/**
 * summary.json: the machine-readable record of one run, and the one source every other artifact of
 * the run is rendered from (junit-report.ts, the HTML report's run block, reports/index.html), so none
 * of them can disagree with it. Its shape is schemas/run-summary.schema.json; a change here is a change
 * there, and `schemaVersion` goes up when a field changes meaning. This module owns the file: its name,
 * its writer and its reader.
 *
 * It names whom the token identified, never the token: only claims are copied, and the serialised
 * file passes through the run's redactor before it is written.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { ApiSpec } from '../api/spec.ts';
import type { CoverageEntry } from '../api/surface.ts';
import type { ContractPlan, MatrixMode } from '../collections/plan.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { isRecord } from '../common/records.ts';
import type { IdTokenClaims } from '../token-helper/index.ts';
import type { GitState, SuiteIdentity, ToolVersions } from './provenance.ts';
import type { Redactor } from './redaction.ts';
import { type ClauseResult, openFactsAsserted, type RunCounts, refusalBoundsAsserted } from './results.ts';
import type { Verdict } from './verdict.ts';

export const SUMMARY_FILE = 'summary.json';
/** 2: verdict, iterations, counts.clauses.run, and each clause's scriptError and reason. */
export const SUMMARY_SCHEMA_VERSION = 2;

export interface RunSummary {
  readonly schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  readonly runId: string;
  readonly runFolder: string;
  readonly target: string;
  readonly apiUrl: string;
  /** The run's one timestamp: the run folder's name, the index and the HTML report all show this. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Equal to verdict.passed; kept at the top for tools that read only this. */
  readonly passed: boolean;
  readonly verdict: Pick<Verdict, 'result' | 'summary' | 'reasons'>;
  readonly runError: string | null;
  readonly iterations: number;
  readonly collection: {
    readonly path: string;
    readonly name: string | null;
    readonly version: string | null;
    readonly sha256: string;
  };
  readonly environmentTemplate: { readonly path: string; readonly sha256: string | null };
  readonly suite: SuiteIdentity & { readonly git: GitState | null };
  readonly tools: ToolVersions;
  readonly identity: {
    readonly sub: string;
    readonly cognitoUsername: string;
    readonly issuer: string;
    readonly audience: string;
    readonly expiresAt: string;
    /** How the tokens were obtained: `saved`, `refresh`, or the sign-in flow. */
    readonly signInFlow: string | null;
  };
  /** The API description the contract was generated from; null for a hand-made collection. */
  readonly api: {
    readonly name: string;
    readonly stage: string;
    readonly source: string;
    readonly path: string;
    readonly sha256: string | null;
  } | null;
  /** Every method of the description and its authorizer; null without a description. */
  readonly coverage: readonly SummaryCoverage[] | null;
  /** Which attack matrix ran and why each protected method got its clauses; null for a hand-made collection. */
  readonly matrix: SummaryMatrix | null;
  /** The user pool signed in to and the methods left for another pool's run; null without Cognito methods. */
  readonly pool: SummaryPool | null;
  readonly counts: RunCounts;
  /**
   * The open facts of docs/reference.md this run asserted, as the project's guess (npm run contract
   * --strict); empty for the default, which asserts only firm and likely facts.
   */
  readonly openFactsAsserted: readonly string[];
  /**
   * What every refusal was held to beyond its answer, settled before generation (npm run contract
   * --refusal-headers, --slowdown-factor, --slowdown-margin-ms): null where no clause asserted it.
   */
  readonly refusalBounds: {
    readonly refusalHeaders: readonly string[] | null;
    readonly slowdown: { readonly factor: number; readonly marginMs: number } | null;
  };
  readonly clauses: readonly SummaryClause[];
  readonly reports: { readonly html: string | null; readonly junit: string | null };
}

/**
 * A ClauseResult as recorded: every field of it (so fields added to ClauseResult flow into the file, and
 * the schema test asks for them to be described), absent optional ones as null, the iteration 1-based.
 */
export type SummaryClause = Omit<
  ClauseResult,
  'iteration' | 'expectedStatus' | 'actualStatus' | 'requestError' | 'scriptError' | 'reason' | 'assertions'
> & {
  /** 1-based, as the HTML report shows it. */
  readonly iteration: number;
  readonly expectedStatus: string | null;
  readonly actualStatus: number | null;
  readonly requestError: string | null;
  readonly scriptError: string | null;
  readonly reason: string | null;
  readonly assertions: readonly {
    readonly name: string;
    readonly outcome: ClauseResult['outcome'];
    readonly message: string | null;
  }[];
};

export interface SummaryCoverage {
  readonly route: string;
  readonly protection: CoverageEntry['protection'];
  readonly scopes: readonly string[];
  /** For a method without authorizer: whether CONTRACT_ALLOW_UNPROTECTED names it (false fails the run). */
  readonly allowListed: boolean;
}

export interface SummaryMatrix {
  readonly mode: MatrixMode;
  readonly why: string;
  readonly methods: readonly {
    readonly route: string;
    /** The authorizer configuration: pools | identity header | token kind. */
    readonly authorizer: string;
    readonly coverage: 'catalogue' | 'sample';
    /** Catalogue rows the method is attacked with, and in which header forms. */
    readonly rows: number;
    readonly forms: readonly string[];
    readonly reason: string;
    /** Why its clauses were skipped: its authorizer accepts only another user pool (api/pools.ts). */
    readonly skipped?: string;
  }[];
}

/** The user pool the run signed in to, when the description names several (api/pools.ts). */
export interface SummaryPool {
  readonly chosen: string;
  readonly why: string;
  readonly pools: readonly { readonly pool: string; readonly methods: readonly string[] }[];
  /** The protected methods whose clauses were skipped: their authorizers accept only other pools. */
  readonly leftForAnotherRun: readonly {
    readonly route: string;
    readonly authorizer: string;
    readonly pools: readonly string[];
    readonly reason: string;
  }[];
}

export interface RunSummaryInput {
  readonly rootDir: string;
  readonly runFolder: string;
  readonly target: string;
  readonly apiUrl: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly verdict: Verdict;
  readonly runError?: string;
  readonly iterations: number;
  readonly collection: { readonly path: string; readonly bytesSha256: string; readonly parsed: object };
  readonly environmentTemplate: { readonly path: string; readonly sha256: string | null };
  readonly suite: SuiteIdentity;
  readonly git: GitState | null;
  readonly tools: ToolVersions;
  readonly claims: IdTokenClaims;
  readonly signInFlow?: string;
  readonly api?: ApiSpec;
  readonly coverage?: readonly CoverageEntry[];
  readonly plan?: ContractPlan;
  readonly clauses: readonly ClauseResult[];
  readonly counts: RunCounts;
  /** Paths of the reports this run writes next to summary.json. */
  readonly files: { readonly html?: string; readonly junit?: string };
  readonly runId?: string;
}

/** Postman v2.1 allows `info.version` as a string or as { major, minor, patch }. */
function collectionInfo(parsed: object): { name: string | null; version: string | null } {
  const info = (parsed as { info?: unknown }).info;
  const record = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
  const name = typeof record.name === 'string' ? record.name : null;
  const raw = record.version;
  let version: string | null = null;
  if (typeof raw === 'string') version = raw;
  else if (typeof raw === 'object' && raw !== null) {
    const { major, minor, patch } = raw as Record<string, unknown>;
    if ([major, minor, patch].every((n) => typeof n === 'number')) version = `${major}.${minor}.${patch}`;
  }
  return { name, version };
}

/** Paths inside the repository are recorded relative to it, so summaries compare across machines. */
function shown(rootDir: string, path: string): string {
  const inside = relative(rootDir, path);
  return inside && !inside.startsWith('..') ? inside.split('\\').join('/') : path;
}

function summaryClause(clause: ClauseResult): SummaryClause {
  return {
    ...clause,
    iteration: clause.iteration + 1,
    expectedStatus: clause.expectedStatus ?? null,
    actualStatus: clause.actualStatus ?? null,
    requestError: clause.requestError ?? null,
    scriptError: clause.scriptError ?? null,
    reason: clause.reason ?? null,
    assertions: clause.assertions.map((assertion) => ({
      name: assertion.name,
      outcome: assertion.outcome,
      message: assertion.message ?? null,
    })),
  };
}

export function buildRunSummary(input: RunSummaryInput): RunSummary {
  const { claims, verdict } = input;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    runId: input.runId ?? randomUUID(),
    runFolder: basename(input.runFolder),
    target: input.target,
    apiUrl: input.apiUrl,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    passed: verdict.passed,
    verdict: { result: verdict.result, summary: verdict.summary, reasons: verdict.reasons },
    runError: input.runError ?? null,
    iterations: input.iterations,
    collection: {
      path: shown(input.rootDir, input.collection.path),
      ...collectionInfo(input.collection.parsed),
      sha256: input.collection.bytesSha256,
    },
    environmentTemplate: {
      path: shown(input.rootDir, input.environmentTemplate.path),
      sha256: input.environmentTemplate.sha256,
    },
    suite: { ...input.suite, git: input.git },
    tools: input.tools,
    identity: {
      sub: claims.sub,
      cognitoUsername: claims.username,
      issuer: claims.iss,
      audience: claims.aud,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      signInFlow: input.signInFlow ?? null,
    },
    api:
      input.api === undefined
        ? null
        : {
            name: input.api.name,
            stage: input.api.stage,
            source: input.api.source.kind,
            path: input.api.source.path,
            sha256: input.api.source.kind === 'route-table' ? null : input.api.source.sha256,
          },
    coverage:
      input.coverage?.map((entry) => ({
        route: entry.route,
        protection: entry.protection,
        scopes: entry.scopes,
        allowListed: entry.allowListed,
      })) ?? null,
    matrix:
      input.plan === undefined
        ? null
        : {
            mode: input.plan.mode,
            why: input.plan.why,
            methods: input.plan.methods.map((method) => ({
              route: method.route,
              authorizer: method.group,
              coverage: method.coverage,
              rows: method.rows.length,
              forms: method.forms,
              reason: method.reason,
              ...(method.skip === undefined ? {} : { skipped: method.skip }),
            })),
          },
    pool:
      input.plan?.pool === undefined
        ? null
        : {
            chosen: input.plan.pool.label,
            why: input.plan.pool.why,
            pools: input.plan.pool.pools.map((use) => ({ pool: use.label, methods: use.methods })),
            leftForAnotherRun: input.plan.pool.left.map((method) => ({
              route: method.route,
              authorizer: method.authorizer,
              pools: method.pools,
              reason: method.reason,
            })),
          },
    counts: input.counts,
    openFactsAsserted: openFactsAsserted(input.clauses),
    refusalBounds: refusalBoundsAsserted(input.clauses),
    clauses: input.clauses.map(summaryClause),
    reports: {
      html: input.files.html ? basename(input.files.html) : null,
      junit: input.files.junit ? basename(input.files.junit) : null,
    },
  };
}

/** Writes summary.json into the run folder, redacted, atomically; returns its path. */
export async function writeRunSummary(
  summary: RunSummary,
  runFolder: string,
  redact: Redactor,
): Promise<string> {
  const path = join(runFolder, SUMMARY_FILE);
  // Readable like the reports next to it: it holds no secret, and the redactor makes sure of that.
  await writeFileAtomic(path, redact(`${JSON.stringify(summary, null, 2)}\n`), { mode: 0o644 });
  return path;
}

/**
 * What reports/index.html shows of a run, read back from its summary.json. Summaries written before
 * schema version 2 have no verdict object or provenance block of this shape; their verdict is read from
 * `passed`, and what they lack is null, so an old reports folder still lists every run.
 */
export interface RunRecord {
  readonly startedAt: string;
  readonly target: string;
  readonly apiUrl: string;
  readonly verdict: Pick<Verdict, 'result' | 'summary'>;
  readonly clauses: { total: number; run: number; passed: number; failed: number; skipped: number };
  readonly commit: string | null;
  readonly dirty: boolean | null;
  readonly collectionSha256: string | null;
  readonly environmentTemplateSha256: string | null;
  readonly tools: ToolVersions | null;
  readonly subject: string | null;
}

export type RunRecordRead =
  | { readonly state: 'summary'; readonly record: RunRecord }
  | { readonly state: 'missing' | 'unreadable' };

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Only the fields the index shows are checked; the schema test covers the rest. */
function runRecordOf(json: unknown): RunRecord | undefined {
  if (!isRecord(json)) return undefined;
  const clauses = isRecord(json.counts) ? json.counts.clauses : undefined;
  if (
    typeof json.startedAt !== 'string' ||
    typeof json.target !== 'string' ||
    typeof json.apiUrl !== 'string' ||
    typeof json.passed !== 'boolean' ||
    !isRecord(clauses)
  ) {
    return undefined;
  }
  const [total, passed, failed, skipped] = [
    clauses.total,
    clauses.passed,
    clauses.failed,
    clauses.skipped,
  ].map(count);
  if (total === undefined || passed === undefined || failed === undefined || skipped === undefined) {
    return undefined;
  }
  const verdict = isRecord(json.verdict) ? json.verdict : undefined;
  const result = json.passed ? 'PASSED' : 'FAILED';
  if (verdict !== undefined && verdict.result !== result) return undefined;
  const suite = isRecord(json.suite) ? json.suite : {};
  const git = isRecord(suite.git) ? suite.git : undefined;
  const tools = isRecord(json.tools) ? json.tools : undefined;
  return {
    startedAt: json.startedAt,
    target: json.target,
    apiUrl: json.apiUrl,
    verdict: {
      result,
      summary:
        typeof verdict?.summary === 'string'
          ? verdict.summary
          : `${passed} passed, ${failed} failed, ${skipped} skipped of ${total}`,
    },
    clauses: { total, run: count(clauses.run) ?? passed + failed, passed, failed, skipped },
    commit: stringOrNull(git?.commit),
    dirty: typeof git?.dirty === 'boolean' ? git.dirty : null,
    collectionSha256: isRecord(json.collection) ? stringOrNull(json.collection.sha256) : null,
    environmentTemplateSha256: isRecord(json.environmentTemplate)
      ? stringOrNull(json.environmentTemplate.sha256)
      : null,
    tools:
      tools !== undefined && typeof tools.node === 'string'
        ? {
            node: tools.node,
            newman: stringOrNull(tools.newman),
            newmanReporterHtmlextra: stringOrNull(tools.newmanReporterHtmlextra),
          }
        : null,
    subject: isRecord(json.identity) ? stringOrNull(json.identity.sub) : null,
  };
}

/** The run record of one run folder, or why there is none. */
export async function readRunRecord(runFolder: string): Promise<RunRecordRead> {
  let text: string;
  try {
    text = await readFile(join(runFolder, SUMMARY_FILE), 'utf8');
  } catch {
    return { state: 'missing' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'unreadable' };
  }
  const record = runRecordOf(json);
  return record === undefined ? { state: 'unreadable' } : { state: 'summary', record };
}
