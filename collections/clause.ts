/**
 * A clause of the contract as data: what one request sends and what must come back. The generator
 * (collections/generate.ts) makes them from the API description and the attack catalogue; each request
 * of the collection carries its clause in a disabled (never sent) `X-Contract-Clause` header, where the
 * sandbox library reads it to set the request's Authorization and to check the answer, and where the
 * runner reads it to report each clause's expectation and catalogue row (contract-runner/results.ts).
 * Nothing is recovered from a test title.
 */
import type { HttpMethod } from '../api/spec.ts';
import { isRecord } from '../common/records.ts';
import type { BuiltBy, Needs } from '../security/catalogue.ts';
import { GRADES, type Grade } from '../security/facts.ts';
import type { RequestShape } from '../security/request-catalogue.ts';
import type { Assertion } from './assertions.ts';
import { type Check, describeCheck } from './checks.ts';

/** The disabled request header a clause travels in. */
export const CLAUSE_HEADER = 'X-Contract-Clause';

/** Which of the user's tokens a clause starts from. */
export type TokenBase = 'id' | 'access';
export type HeaderForm = 'raw' | 'bearer';

export type TokenSource =
  /** The signed-in user's own token, as issued. */
  | { readonly kind: 'live'; readonly base: TokenBase }
  /** A token built for a catalogue row from the live token of `base`, where the row says it is built. */
  | {
      readonly kind: 'attack';
      readonly row: string;
      readonly base: TokenBase;
      readonly built: BuiltBy;
      readonly needs?: readonly Needs[];
    }
  /** An access token whose scope names none of the method's scopes (made with the pool key). */
  | { readonly kind: 'scope-stripped' }
  /** An access token whose scopes each sit inside a longer one (`admin` → `xadmin2`; made with the pool key). */
  | { readonly kind: 'scope-superstring' }
  /** A token a request row builds in the sandbox from the live token of `base` (security/request-catalogue.ts). */
  | {
      readonly kind: 'request-built';
      readonly name: NonNullable<RequestShape['built']>;
      readonly base: TokenBase;
    };

export type Send =
  | { readonly authorization: 'none' }
  | { readonly authorization: 'token'; readonly token: TokenSource; readonly form: HeaderForm };

/**
 * What the answer must be: the assertions the sandbox checks, each naming the graded facts it rests on
 * (made before generation by collections/assertions.ts, from the run's settings), and those left out
 * because they rest on an open fact nobody opted in for (reported, never checked).
 */
export type Expectation =
  | {
      readonly kind: 'answer';
      readonly assertions: readonly Assertion[];
      readonly unasserted: readonly Assertion[];
    }
  /**
   * A method the contract does not test (no authorizer, API key only, IAM, a Lambda authorizer): passes
   * only when `allow_unprotected` names it (`route` is its allow-list key). No request is sent.
   */
  | {
      readonly kind: 'coverage';
      readonly route: string;
      readonly protection?: 'none' | 'api-key' | 'iam' | 'lambda';
    }
  /** The environment's pool-key material belongs to this stack and is current. No request is sent. */
  | { readonly kind: 'environment' };

export const CLAUSE_KINDS = [
  'environment',
  'no-header',
  'accepted',
  'attack',
  'persistence',
  'scope-id-token',
  'scope-without-scope',
  'undefined-method',
  'path-variant',
  'undefined-path',
  'coverage',
  'request',
] as const;
export type ClauseKind = (typeof CLAUSE_KINDS)[number];

/** Clauses decided in the sandbox without sending a request; judged by their assertions alone. */
export const UNSENT_KINDS: ReadonlySet<ClauseKind> = new Set(['environment', 'coverage']);

export interface Clause {
  /** Stable UUID (derived from `key`): the Postman item's id. */
  readonly id: string;
  /** Readable stable key, e.g. `GET /hello · alg-none · bearer`. */
  readonly key: string;
  /** The clause as a sentence: the request's name. */
  readonly name: string;
  readonly folder: string;
  readonly kind: ClauseKind;
  readonly method: HttpMethod;
  /** The resource as the description writes it, e.g. `/items/{itemId}`. */
  readonly resource: string;
  /** The path requested under the stage, placeholders filled, e.g. `/items/contract-placeholder`. */
  readonly path: string;
  /** The catalogue row (security/catalogue.ts) for attack clauses. */
  readonly row?: string;
  /** The method's OAuth scopes, for the clauses of a scoped method. */
  readonly scopes?: readonly string[];
  readonly send: Send;
  readonly expect: Expectation;
  /** The asserted status in words (collections/assertions.ts, expectedStatusOf): "401", "4xx", "not 5xx". */
  readonly expectedStatus: string;
  /** Why a clause may be skipped where it cannot run (shown with SKIPPED). */
  readonly needs?: string;
  /** The request row (security/request-catalogue.ts) for `request` clauses. */
  readonly requestRow?: string;
  /** How the request departs from a plain one: token placement, header spelling, extra headers. */
  readonly shape?: RequestShape;
  /**
   * A clause of a sequence: it depends on every clause before it in the run (state they left behind),
   * so a planner that splits or reorders runs must keep it, and all that precedes it, in one run in
   * the generated order. `step` counts from 1 within the sequence.
   */
  readonly sequence?: { readonly id: string; readonly step: number };
  /**
   * Why the clause is skipped in every run of this collection, sending nothing: its method's authorizer
   * accepts only another user pool than the one the run signs in to (collections/plan.ts).
   */
  readonly skip?: string;
  /**
   * The request header the method's authorizer reads the token from (its identity source), when it is
   * not Authorization: the token is sent in it, and a "no header" clause leaves it out.
   */
  readonly identityHeader?: string;
}

/** Whether a clause must run after every clause before it, in one run (see Clause.sequence). */
export function isOrderBound(clause: Pick<Clause, 'sequence'>): boolean {
  return clause.sequence !== undefined;
}

/** Whether a clause asserts a check (with that value, when given): read from its expectation, never its kind. */
export function assertsCheck(clause: Clause, check: Check['check'], equals?: number | string): boolean {
  return (
    clause.expect.kind === 'answer' &&
    clause.expect.assertions.some(
      (assertion) =>
        assertion.check === check &&
        (equals === undefined || ('equals' in assertion && assertion.equals === equals)),
    )
  );
}

/** One assertion as a report shows it: its words, the facts it rests on, and the least sure grade. */
export interface AssertionInfo {
  readonly name: string;
  readonly facts: readonly string[];
  readonly grade: Grade;
  /** A refusal-headers check's allow-list (settled before generation: summary.json states it). */
  readonly allowed?: readonly string[];
  /** A no-slowdown check's bound (settled before generation: summary.json states it). */
  readonly slowdown?: { readonly factor: number; readonly marginMs: number };
}

/** The values a refusal-headers or no-slowdown entry carries, when well formed. */
function boundOf(entry: Record<string, unknown>): Pick<AssertionInfo, 'allowed' | 'slowdown'> {
  if (entry.check === 'refusal-headers' && Array.isArray(entry.allowed)) {
    const allowed = (entry.allowed as unknown[]).filter((name): name is string => typeof name === 'string');
    return { allowed };
  }
  if (entry.check === 'no-slowdown' && typeof entry.factor === 'number' && typeof entry.marginMs === 'number')
    return { slowdown: { factor: entry.factor, marginMs: entry.marginMs } };
  return {};
}

/** The clause metadata a run reports, read back from a collection (untrusted JSON). */
export type ClauseInfo = Pick<Clause, 'id' | 'key' | 'name' | 'kind' | 'expectedStatus' | 'folder'> & {
  readonly row?: string;
  /** What the sandbox asserts for it, with the facts each rests on (absent for unsent clauses). */
  readonly assertions?: readonly AssertionInfo[];
  /** What it leaves out because it rests on an open fact the run did not opt in for. */
  readonly unasserted?: readonly AssertionInfo[];
};

function expectationInfo(expect: unknown): Pick<ClauseInfo, 'assertions' | 'unasserted'> {
  if (!isRecord(expect) || expect.kind !== 'answer') return {};
  const assertions = assertionInfos(expect.assertions);
  const unasserted = assertionInfos(expect.unasserted);
  return { ...(assertions ? { assertions } : {}), ...(unasserted ? { unasserted } : {}) };
}

/** The assertions of an expectation read from untrusted JSON; malformed entries are left out. */
function assertionInfos(list: unknown): AssertionInfo[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const infos: AssertionInfo[] = [];
  for (const entry of list as unknown[]) {
    if (!isRecord(entry) || typeof entry.check !== 'string') continue;
    const grade = GRADES.find((candidate) => candidate === entry.grade);
    const facts = Array.isArray(entry.facts)
      ? (entry.facts as unknown[]).filter((fact): fact is string => typeof fact === 'string')
      : [];
    const name: string | undefined = describeCheck(entry as unknown as Check);
    if (grade === undefined || typeof name !== 'string') continue;
    infos.push({ name, facts, grade, ...boundOf(entry) });
  }
  return infos;
}

/**
 * Each request item of a collection (untrusted JSON) with the clause its disabled header carries, parsed
 * but not yet checked; items without one, or whose header is not JSON, are passed over.
 */
function forEachCarriedClause(
  collection: unknown,
  visitClause: (item: Record<string, unknown>, clause: Record<string, unknown>) => void,
): void {
  const visit = (items: unknown): void => {
    if (!Array.isArray(items)) return;
    for (const item of items as unknown[]) {
      if (!isRecord(item)) continue;
      visit(item.item);
      const headers = isRecord(item.request) ? item.request.header : undefined;
      if (!Array.isArray(headers)) continue;
      const header: unknown = headers.find(
        (entry: unknown) => isRecord(entry) && entry.key === CLAUSE_HEADER,
      );
      const value = isRecord(header) ? header.value : undefined;
      if (typeof value !== 'string') continue;
      let clause: unknown;
      try {
        clause = JSON.parse(value);
      } catch {
        continue;
      }
      if (isRecord(clause)) visitClause(item, clause);
    }
  };
  visit(isRecord(collection) ? collection.item : undefined);
}

/**
 * The clauses a collection's requests carry (untrusted JSON), by item id; undefined when no request
 * carries one (a hand-made collection: its requests are then reported without metadata). Entries that
 * are not well formed are left out rather than trusted.
 */
export function readClauseTable(collection: unknown): ReadonlyMap<string, ClauseInfo> | undefined {
  const table = new Map<string, ClauseInfo>();
  forEachCarriedClause(collection, (item, clause) => {
    const { id, key, name, kind, expectedStatus, folder, row, expect } = clause;
    if ([id, key, name, expectedStatus, folder].some((field) => typeof field !== 'string')) return;
    const known = CLAUSE_KINDS.find((candidate) => candidate === kind);
    if (known === undefined || id !== item.id) return;
    table.set(id as string, {
      id: id as string,
      key: key as string,
      name: name as string,
      kind: known,
      expectedStatus: expectedStatus as string,
      folder: folder as string,
      ...(typeof row === 'string' ? { row } : {}),
      ...expectationInfo(expect),
    });
  });
  return table.size > 0 ? table : undefined;
}

/** Kinds whose request goes to a method the description defines (the others probe undefined ones). */
const DEFINED_ROUTE_KINDS: ReadonlySet<ClauseKind> = new Set(['no-header', 'accepted']);

/**
 * The methods (`GET /hello`) a collection's clauses test as defined, read from the clauses its requests
 * carry (untrusted JSON); empty for a hand-made collection. Compared with the API the run serves, it
 * tells a collection made for another API before any request is sent.
 */
export function collectionRoutes(collection: unknown): string[] {
  const routes = new Set<string>();
  forEachCarriedClause(collection, (_item, clause) => {
    if (typeof clause.method !== 'string' || typeof clause.resource !== 'string') return;
    const kind = CLAUSE_KINDS.find((candidate) => candidate === clause.kind);
    if (kind !== undefined && DEFINED_ROUTE_KINDS.has(kind))
      routes.add(`${clause.method} ${clause.resource}`);
  });
  return [...routes].sort();
}
