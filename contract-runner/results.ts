/**
 * Turns Newman's run summary (an object graph of the Postman SDK; untrusted shape) into per-clause
 * results: the unit in which QA, CI and auditors read the contract, and the only input of the verdict
 * (verdict.ts), the JUnit file, summary.json and the HTML report's verdict block. A clause whose
 * assertions were all skipped is "skipped", never "passed"; a clause that sent its request but made no
 * assertion, or whose script failed, is "failed": it proved nothing. What each clause expects, and which
 * catalogue row it comes from, is read from the collection's clause table (collections/clause.ts), never
 * from its test titles.
 */

import { type ClauseInfo, UNSENT_KINDS } from '../collections/clause.ts';
import { OPEN_FACTS } from '../security/facts.ts';

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
  /**
   * Set when no response came back: what was observed instead, as newman-run.ts words it (e.g. "no
   * response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)").
   */
  readonly requestError?: string;
  /** Set when a pre-request or test script threw: its error, e.g. "ReferenceError: x is not defined". */
  readonly scriptError?: string;
  /**
   * Why a skipped clause was skipped (from its "SKIPPED: <why>" test), or why a clause failed when its
   * assertions alone do not say (it made none, or skipped its request without saying why).
   */
  readonly reason?: string;
}

export interface RunCounts {
  /** One per clause and iteration. `run` = passed + failed, and run + skipped = total. */
  readonly clauses: {
    readonly total: number;
    readonly run: number;
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

/** The collection's skip marker: `pm.test.skip('SKIPPED: <why>')` (collections/sandbox/contract-lib.ts). */
const SKIP_MARKER = /^SKIPPED:\s*/;

/** The first error a script event recorded, as "Name: message". */
function scriptErrorOf(execution: Record<string, unknown> | undefined): string | undefined {
  for (const key of ['prerequestScript', 'testScript']) {
    const entries = execution?.[key];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const error = record(record(entry)?.error);
      const message = text(error?.message);
      if (message !== undefined) return `${text(error?.name) ?? 'Error'}: ${message}`;
    }
  }
  return undefined;
}

interface Judged {
  readonly outcome: Outcome;
  readonly reason?: string;
}

/** The clause's outcome from what it did; every path that is not a plain pass or fail says why. */
function judge(
  assertions: readonly AssertionResult[],
  sent: boolean,
  requestError: string | undefined,
  scriptError: string | undefined,
): Judged {
  if (requestError !== undefined) return { outcome: 'failed' };
  if (assertions.some((a) => a.outcome === 'failed')) return { outcome: 'failed' };
  if (scriptError !== undefined) {
    return { outcome: 'failed', reason: `its script failed (${scriptError}), so its checks did not all run` };
  }
  const skip = assertions.find((a) => a.outcome === 'skipped' && SKIP_MARKER.test(a.name));
  const skipReason = skip?.name.replace(SKIP_MARKER, '') || undefined;
  const allSkipped = assertions.length > 0 && assertions.every((a) => a.outcome === 'skipped');
  if (!sent) {
    // newman-run.ts records items whose pre-request skipped the request; nothing was tried there.
    return skip === undefined
      ? {
          outcome: 'failed',
          reason:
            'its request was not sent and no test says why: a skipping pre-request must call pm.test.skip("SKIPPED: <why>")',
        }
      : { outcome: 'skipped', reason: skipReason ?? 'skipped before its request' };
  }
  if (assertions.length === 0) {
    return {
      outcome: 'failed',
      reason: 'it made no assertion: a request without tests proves nothing, so give it tests or remove it',
    };
  }
  if (allSkipped) return { outcome: 'skipped', reason: skipReason ?? 'every check it makes was skipped' };
  return { outcome: 'passed' };
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
    const scriptError = scriptErrorOf(execution);
    const code = record(execution?.response)?.code;
    const id = text(item?.id);
    const clause = id === undefined ? undefined : table?.get(id);
    // newman-run.ts records items whose pre-request skipped the request; nothing was tried there,
    // except for the clauses the sandbox decides without a request (coverage, the environment check).
    const decidedUnsent = clause !== undefined && UNSENT_KINDS.has(clause.kind) && assertions.length > 0;
    const sent = execution?.request !== undefined || requestError !== undefined || decidedUnsent;
    const { outcome, reason } = judge(assertions, sent, requestError, scriptError);
    const expected = clause?.expectedStatus;
    return {
      folder: folderOf(item),
      name: text(item?.name) ?? '(unnamed request)',
      ...(clause === undefined ? {} : { clause }),
      iteration: typeof cursor?.iteration === 'number' ? cursor.iteration : 0,
      requestLine: requestLineOf(record(execution?.request) ?? record(item?.request)),
      ...(expected === undefined ? {} : { expectedStatus: expected }),
      ...(typeof code === 'number' ? { actualStatus: code } : {}),
      outcome,
      assertions,
      ...(requestError === undefined ? {} : { requestError }),
      ...(scriptError === undefined ? {} : { scriptError }),
      ...(reason === undefined ? {} : { reason }),
    };
  });
}

export function countResults(clauses: readonly ClauseResult[]): RunCounts {
  const assertions = clauses.flatMap((c) => c.assertions);
  const passed = clauses.filter((c) => c.outcome === 'passed').length;
  const failed = clauses.filter((c) => c.outcome === 'failed').length;
  return {
    clauses: {
      total: clauses.length,
      run: passed + failed,
      passed,
      failed,
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

/**
 * The open facts of docs/reference.md the clauses asserted (only where --strict named them), from the
 * clause data the collection carries: what summary.json and the console say beside the verdict.
 */
export function openFactsAsserted(clauses: readonly ClauseResult[]): string[] {
  const open = new Set<string>(OPEN_FACTS);
  return [
    ...new Set(
      clauses.flatMap((clause) =>
        (clause.clause?.assertions ?? [])
          .filter((assertion) => assertion.grade === 'open')
          .flatMap((assertion) => assertion.facts.filter((fact) => open.has(fact))),
      ),
    ),
  ];
}
