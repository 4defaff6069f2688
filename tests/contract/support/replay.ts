/**
 * The mutation proof's fast path. Real Newman costs 6 to 10 ms of CPU per request even without scripts
 * (measured here with Newman 6.2.2), and the proof needs the whole contract against some eighty
 * gateways: far too slow to run each through Newman. So the collection runs in real Newman once, against
 * the correct gateway, and every request it sent is recorded exactly (method, path, the Authorization
 * header the sandbox built). Against each weakened gateway those requests are replayed over real HTTP
 * in the same order, and each answer is judged by the collection's own checks:
 * collections/sandbox/contract-lib.ts's `check()`, the code the sandbox runs, with chai at the version the sandbox bundles. The proof also
 * runs representative variants through real Newman and demands the same verdict, assertion by
 * assertion (mutation-proof.test.ts), so this path cannot drift from the real one unnoticed.
 */
import { Agent, request as httpRequest } from 'node:http';
import chai from 'chai';
import { CLAUSE_HEADER, type Clause, UNSENT_KINDS } from '../../../collections/clause.ts';
import { check } from '../../../collections/sandbox/contract-lib.ts';
import type { AssertionResult, ClauseResult, Outcome } from '../../../contract-runner/results.ts';

/** One request as Newman sent it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query below the gateway's origin, e.g. /dev/hello. */
  readonly path: string;
  readonly authorization?: string;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function call(target: Json | undefined, method: string, ...args: unknown[]): unknown {
  const fn = target?.[method];
  return typeof fn === 'function' ? (fn as (...a: unknown[]) => unknown).apply(target, args) : undefined;
}

/** The requests of a Newman run summary (an object graph of the Postman SDK), by item id. */
export function recordedRequests(summary: unknown): Map<string, RecordedRequest> {
  const executions = record(record(summary)?.run)?.executions;
  const recorded = new Map<string, RecordedRequest>();
  for (const raw of Array.isArray(executions) ? (executions as unknown[]) : []) {
    const execution = record(raw);
    const id = record(execution?.item)?.id;
    const request = record(execution?.request);
    if (typeof id !== 'string' || request === undefined) continue;
    const url = record(request.url);
    const path = String(call(url, 'getPathWithQuery') ?? call(url, 'getPath') ?? '/');
    const headers = call(record(request.headers), 'all');
    const authorization = (Array.isArray(headers) ? (headers as unknown[]) : [])
      .map(record)
      .find((header) => header?.key === 'Authorization' && header.disabled !== true)?.value;
    recorded.set(id, {
      method: String(request.method ?? 'GET'),
      path,
      ...(typeof authorization === 'string' ? { authorization } : {}),
    });
  }
  return recorded;
}

interface Answer {
  readonly code: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly responseTime: number;
}

function send(agent: Agent, origin: string, recorded: RecordedRequest): Promise<Answer | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      `${origin}${recorded.path}`,
      {
        method: recorded.method,
        agent,
        headers: recorded.authorization === undefined ? {} : { Authorization: recorded.authorization },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            code: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
            responseTime: performance.now() - started,
          }),
        );
      },
    );
    // A refused or reset connection is "no response", as Newman reports it.
    outgoing.on('error', () => resolve(undefined));
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.end();
  });
}

/** Judges one answer with the collection's own checks; `variables` are the run's (environment over collection). */
export function judge(
  clause: Clause,
  answer: Answer | undefined,
  variables: ReadonlyMap<string, string>,
): AssertionResult[] {
  const assertions: AssertionResult[] = [];
  const local = new Map<string, string>();
  const test = (name: string, fn: () => void) => {
    try {
      fn();
      assertions.push({ name, outcome: 'passed' });
    } catch (error) {
      assertions.push({
        name,
        outcome: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };
  test.skip = (name: string) => assertions.push({ name, outcome: 'skipped' });
  const headers = [{ key: CLAUSE_HEADER, value: JSON.stringify(clause), disabled: true }];
  check({
    info: { requestId: clause.id },
    request: { headers: { find: (predicate) => headers.find(predicate) } },
    response:
      answer === undefined
        ? undefined
        : {
            code: answer.code,
            responseTime: answer.responseTime,
            text: () => answer.body,
            headers: {
              get: (name: string) => {
                const value = answer.headers[name.toLowerCase()];
                return Array.isArray(value) ? value.join(', ') : value;
              },
            },
          },
    variables: {
      get: (name: string) => local.get(name) ?? variables.get(name),
      set: (name: string, value: string) => local.set(name, value),
    },
    test,
    expect: chai.expect,
  });
  return assertions;
}

function outcomeOf(assertions: readonly AssertionResult[]): Outcome {
  if (assertions.some((assertion) => assertion.outcome === 'failed')) return 'failed';
  if (assertions.length > 0 && assertions.every((assertion) => assertion.outcome === 'skipped'))
    return 'skipped';
  return assertions.length === 0 ? 'skipped' : 'passed';
}

/**
 * Replays the recorded contract against a gateway at `origin`, in clause order, one request at a time
 * (state an authorizer keeps, such as a cache, sees the same sequence as under Newman). Clauses decided
 * without a request (coverage, the environment check) do not depend on the gateway and keep `baseline`.
 */
export async function replay(
  origin: string,
  clauses: readonly Clause[],
  recorded: ReadonlyMap<string, RecordedRequest>,
  baseline: readonly ClauseResult[],
  variables: ReadonlyMap<string, string>,
): Promise<ClauseResult[]> {
  const results: ClauseResult[] = [];
  // One connection, kept alive, as Newman keeps one: requests arrive one after another.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const clause of clauses) {
      const before = baseline.find((result) => result.clause?.id === clause.id);
      const request = recorded.get(clause.id);
      if (UNSENT_KINDS.has(clause.kind) || request === undefined) {
        if (before === undefined) throw new Error(`the baseline run has no result for ${clause.key}`);
        results.push(before);
        continue;
      }
      const answer = await send(agent, origin, request);
      const assertions = judge(clause, answer, variables);
      results.push({
        folder: clause.folder,
        name: clause.name,
        clause: {
          id: clause.id,
          key: clause.key,
          name: clause.name,
          kind: clause.kind,
          expectedStatus: clause.expectedStatus,
          folder: clause.folder,
          ...(clause.row ? { row: clause.row } : {}),
        },
        iteration: 0,
        requestLine: `${request.method} ${request.path}`,
        expectedStatus: clause.expectedStatus,
        ...(answer ? { actualStatus: answer.code } : {}),
        outcome: outcomeOf(assertions),
        assertions,
        ...(answer ? {} : { requestError: 'no response' }),
      });
    }
  } finally {
    agent.destroy();
  }
  return results;
}
