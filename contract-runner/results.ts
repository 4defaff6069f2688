/**
 * Turns Newman's run summary (an object graph of the Postman SDK; untrusted shape) into per-clause
 * results: the unit in which QA, CI and auditors read the contract. A clause whose assertions were all
 * skipped is "skipped", never "passed". What each clause expects, and which catalogue row it comes from,
 * is read from the collection's clause table (collections/clause.ts), never from its test titles.
 */
import { type ClauseInfo, UNSENT_KINDS } from '../collections/clause.ts';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface AssertionResult {
  readonly name: string;
  readonly outcome: Outcome;
  readonly message?: string;
}

export interface ClauseResult {
  readonly folder: string;
  readonly name: string;
  /** The clause's metadata from the collection's clause table; absent for a hand-made request. */
  readonly clause?: ClauseInfo;
  readonly iteration: number;
  /** e.g. "GET /dev/hello": method and path only, so no query string or header can leak. */
  readonly requestLine: string;
  /** From the clause table, e.g. "401" or "4xx"; undefined for a request the table does not describe. */
  readonly expectedStatus?: string;
  readonly actualStatus?: number;
  readonly outcome: Outcome;
  readonly assertions: readonly AssertionResult[];
  /** Set when the request itself failed (connection refused, timeout). */
  readonly requestError?: string;
}

export interface RunCounts {
  readonly clauses: {
    readonly total: number;
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
  };
  readonly assertions: { readonly total: number; readonly failed: number; readonly skipped: number };
  readonly requestErrors: number;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function call(target: Record<string, unknown> | undefined, method: string): unknown {
  const fn = target?.[method];
  return typeof fn === 'function' ? (fn as () => unknown).call(target) : undefined;
}

function folderOf(item: Record<string, unknown> | undefined): string {
  const names: string[] = [];
  let parent = record(call(item, 'parent'));
  // The collection itself is the last parent; it has no parent of its own.
  while (parent && record(call(parent, 'parent'))) {
    const name = text(parent.name);
    if (name) names.unshift(name);
    parent = record(call(parent, 'parent'));
  }
  return names.join(' / ');
}

function requestLineOf(request: Record<string, unknown> | undefined): string {
  const method = text(request?.method) ?? 'GET';
  const url = record(request?.url);
  const path = text(call(url, 'getPath')) ?? '/';
  return `${method} ${path}`;
}

export function clauseResults(summary: unknown, table?: ReadonlyMap<string, ClauseInfo>): ClauseResult[] {
  const executions = record(record(summary)?.run)?.executions;
  if (!Array.isArray(executions)) return [];
  return executions.map((raw: unknown): ClauseResult => {
    const execution = record(raw);
    const item = record(execution?.item);
    const cursor = record(execution?.cursor);
    const assertions: AssertionResult[] = (
      Array.isArray(execution?.assertions) ? execution.assertions : []
    ).map((entry: unknown) => {
      const assertion = record(entry);
      const name = text(assertion?.assertion) ?? '(unnamed assertion)';
      const message = text(record(assertion?.error)?.message);
      if (assertion?.skipped === true) return { name, outcome: 'skipped' as const };
      return message === undefined
        ? { name, outcome: 'passed' as const }
        : { name, outcome: 'failed' as const, message };
    });
    const requestError = text(record(execution?.requestError)?.message);
    const code = record(execution?.response)?.code;
    const id = text(item?.id);
    const clause = id === undefined ? undefined : table?.get(id);
    const failed = requestError !== undefined || assertions.some((a) => a.outcome === 'failed');
    const allSkipped = assertions.length > 0 && assertions.every((a) => a.outcome === 'skipped');
    // newman-run.ts records items whose pre-request skipped the request; nothing was tried there,
    // except for the clauses the sandbox decides without a request (coverage, the environment check).
    const decidedUnsent = clause !== undefined && UNSENT_KINDS.has(clause.kind) && assertions.length > 0;
    const notSent = execution?.request === undefined && requestError === undefined && !decidedUnsent;
    const expected = clause?.expectedStatus;
    return {
      folder: folderOf(item),
      name: text(item?.name) ?? '(unnamed request)',
      ...(clause === undefined ? {} : { clause }),
      iteration: typeof cursor?.iteration === 'number' ? cursor.iteration : 0,
      requestLine: requestLineOf(record(execution?.request) ?? record(item?.request)),
      ...(expected === undefined ? {} : { expectedStatus: expected }),
      ...(typeof code === 'number' ? { actualStatus: code } : {}),
      outcome: failed ? 'failed' : allSkipped || notSent ? 'skipped' : 'passed',
      assertions,
      ...(requestError === undefined ? {} : { requestError }),
    };
  });
}

export function countResults(clauses: readonly ClauseResult[]): RunCounts {
  const assertions = clauses.flatMap((c) => c.assertions);
  return {
    clauses: {
      total: clauses.length,
      passed: clauses.filter((c) => c.outcome === 'passed').length,
      failed: clauses.filter((c) => c.outcome === 'failed').length,
      skipped: clauses.filter((c) => c.outcome === 'skipped').length,
    },
    assertions: {
      total: assertions.length,
      failed: assertions.filter((a) => a.outcome === 'failed').length,
      skipped: assertions.filter((a) => a.outcome === 'skipped').length,
    },
    requestErrors: clauses.filter((c) => c.requestError !== undefined).length,
  };
}
