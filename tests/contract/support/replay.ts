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
  /** Every other header the collection set (placement, routing metadata, Host, a cookie), as sent. */
  readonly headers?: readonly (readonly [string, string])[];
}

/** Headers postman-runtime adds to every request: not the clause's, and the replay's client has its own. */
const RUNTIME_HEADERS = new Set([
  'user-agent',
  'accept',
  'cache-control',
  'postman-token',
  'accept-encoding',
  'connection',
  'content-length',
]);

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
    const sent = (Array.isArray(headers) ? (headers as unknown[]) : [])
      .map(record)
      .filter((header) => header !== undefined && header.disabled !== true);
    const authorization = sent.find((header) => header?.key === 'Authorization')?.value;
    const others = sent
      .filter(
        (header) =>
          typeof header?.key === 'string' &&
          header.key !== 'Authorization' &&
          !RUNTIME_HEADERS.has(header.key.toLowerCase()) &&
          // Newman's own Host is the gateway's; a clause's Host is not marked as the runtime's.
          !(header.key.toLowerCase() === 'host' && header.system === true),
      )
      .map((header): [string, string] => [String(header?.key), String(header?.value)]);
    recorded.set(id, {
      method: String(request.method ?? 'GET'),
      path,
      ...(typeof authorization === 'string' ? { authorization } : {}),
      ...(others.length > 0 ? { headers: others } : {}),
    });
  }
  return recorded;
}

interface Answer {
  readonly code: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Header names as sent, in order. */
  readonly names: readonly string[];
  readonly responseTime: number;
}

/**
 * The run's cookies, as Newman's jar keeps them for one host: every later request carries what earlier
 * answers set (the gateways here are all one loopback origin per replay; attributes are not needed).
 */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  /** The Cookie header: the clause's own cookie first, then the jar's, as postman-runtime merges them. */
  header(own: string | undefined): string | undefined {
    const jar = [...this.#cookies].map(([name, value]) => `${name}=${value}`);
    const all = own === undefined ? jar : [own, ...jar];
    return all.length > 0 ? all.join('; ') : undefined;
  }
}

function send(
  agent: Agent,
  origin: string,
  recorded: RecordedRequest,
  jar: CookieJar,
): Promise<Answer | undefined> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  let ownCookie: string | undefined;
  for (const [name, value] of recorded.headers ?? []) {
    if (name.toLowerCase() === 'cookie') ownCookie = value;
    else headers[name] = value;
  }
  if (recorded.authorization !== undefined) headers.Authorization = recorded.authorization;
  const cookie = jar.header(ownCookie);
  if (cookie !== undefined) headers.Cookie = cookie;
  return new Promise((resolve) => {
    const { hostname, port } = new URL(origin);
    const outgoing = httpRequest(
      // The path as Newman sent it, dot segments and all: a URL string would be resolved first.
      {
        hostname,
        port,
        path: recorded.path,
        method: recorded.method,
        agent,
        headers,
        timeout: 10_000,
      },
      (response) => {
        jar.store(response.headers['set-cookie']);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            code: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
            names: response.rawHeaders.filter((_, at) => at % 2 === 0),
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
  /** The run's own variables (pm.variables.set), kept from one clause to the next as Newman keeps them. */
  local: Map<string, string> = new Map(),
): AssertionResult[] {
  const assertions: AssertionResult[] = [];
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
              all: () => answer.names.map((key) => ({ key })),
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
  const jar = new CookieJar();
  const local = new Map<string, string>();
  try {
    for (const clause of clauses) {
      const before = baseline.find((result) => result.clause?.id === clause.id);
      const request = recorded.get(clause.id);
      if (UNSENT_KINDS.has(clause.kind) || request === undefined) {
        if (before === undefined) throw new Error(`the baseline run has no result for ${clause.key}`);
        results.push(before);
        continue;
      }
      const answer = await send(agent, origin, request, jar);
      const assertions = judge(clause, answer, variables, local);
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
