/**
 * summary.json: the machine-readable record of one run, for auditors and for tools that read many runs
 * (reports/index.html is rebuilt from these files). Its shape is schemas/run-summary.schema.json; a
 * change here is a change there, and `schemaVersion` goes up when a field changes meaning.
 *
 * It names whom the token identified, never the token: only claims are copied, and the serialised
 * file passes through the run's redactor before it is written.
 */
import { randomUUID } from 'node:crypto';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import type { IdTokenClaims } from '../token-helper/index.ts';
import type { GitState, SuiteIdentity, ToolVersions } from './provenance.ts';
import type { Redactor } from './redaction.ts';
import type { ClauseResult, Outcome, RunCounts } from './results.ts';

export const SUMMARY_FILE = 'summary.json';
export const SUMMARY_SCHEMA_VERSION = 1;

export interface RunSummary {
  readonly schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  readonly runId: string;
  readonly runFolder: string;
  readonly target: string;
  readonly apiUrl: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly passed: boolean;
  readonly runError: string | null;
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
  };
  readonly counts: RunCounts;
  readonly clauses: readonly SummaryClause[];
  readonly reports: { readonly html: string | null; readonly junit: string | null };
}

export interface SummaryClause {
  readonly folder: string;
  readonly name: string;
  /** 1-based, as the HTML report shows it. */
  readonly iteration: number;
  readonly requestLine: string;
  readonly expectedStatus: string | null;
  readonly actualStatus: number | null;
  readonly outcome: Outcome;
  readonly requestError: string | null;
  readonly assertions: readonly {
    readonly name: string;
    readonly outcome: Outcome;
    readonly message: string | null;
  }[];
}

export interface RunSummaryInput {
  readonly rootDir: string;
  readonly runFolder: string;
  readonly target: string;
  readonly apiUrl: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly passed: boolean;
  readonly runError?: string;
  readonly collection: { readonly path: string; readonly bytesSha256: string; readonly parsed: object };
  readonly environmentTemplate: { readonly path: string; readonly sha256: string | null };
  readonly suite: SuiteIdentity;
  readonly git: GitState | null;
  readonly tools: ToolVersions;
  readonly claims: IdTokenClaims;
  readonly clauses: readonly ClauseResult[];
  readonly counts: RunCounts;
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

export function buildRunSummary(input: RunSummaryInput): RunSummary {
  const { claims } = input;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    runId: input.runId ?? randomUUID(),
    runFolder: basename(input.runFolder),
    target: input.target,
    apiUrl: input.apiUrl,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    passed: input.passed,
    runError: input.runError ?? null,
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
    },
    counts: input.counts,
    clauses: input.clauses.map((clause) => ({
      folder: clause.folder,
      name: clause.name,
      iteration: clause.iteration + 1,
      requestLine: clause.requestLine,
      expectedStatus: clause.expectedStatus ?? null,
      actualStatus: clause.actualStatus ?? null,
      outcome: clause.outcome,
      requestError: clause.requestError ?? null,
      assertions: clause.assertions.map((assertion) => ({
        name: assertion.name,
        outcome: assertion.outcome,
        message: assertion.message ?? null,
      })),
    })),
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
