/**
 * A clause of the contract as data: what one request sends and what must come back. The generator
 * (collections/generate.ts) makes them from the API description and the attack catalogue; each request
 * of the collection carries its clause in a disabled (never sent) `X-Contract-Clause` header, where the
 * sandbox library reads it to set the request's Authorization and to check the answer, and where the
 * runner reads it to report each clause's expectation and catalogue row (contract-runner/results.ts).
 * Nothing is recovered from a test title.
 */
import type { AuthorizedAnswer, HttpMethod } from '../api/spec.ts';
import { isRecord } from '../common/records.ts';
import type { BuiltBy, Needs } from '../security/catalogue.ts';

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
  | { readonly kind: 'scope-stripped' };

export type Send =
  | { readonly authorization: 'none' }
  | { readonly authorization: 'token'; readonly token: TokenSource; readonly form: HeaderForm };

/** What the answer must be. `absent`: a body the answer must not contain (the authorized answer's). */
export type Expectation =
  | {
      readonly kind: 'gateway-error';
      readonly status: number;
      /** Exact body; null where the text is open (IncompleteSignatureException). */
      readonly body: string | null;
      readonly errorType: string;
      readonly absent?: string;
    }
  | {
      readonly kind: 'authorized';
      /** null: the description does not say; only "the authorizer let it through" is asserted. */
      readonly answer: AuthorizedAnswer | null;
    }
  /** Any 4xx (which one is open), never a 5xx. */
  | { readonly kind: 'client-error'; readonly absent?: string }
  /**
   * An open point (docs/reference.md §8): never a 5xx, never let through; 401 Unauthorized asserted only
   * where the `open_points` variable is "refuse".
   */
  | { readonly kind: 'open'; readonly absent?: string }
  /** A path variant of a defined resource: a 4xx, never the integration (status open, `path_variant_status` pins it). */
  | { readonly kind: 'not-integration'; readonly absent?: string }
  /** A scoped method refusing a token without its scope: 401 per the docs, 403 per one simulator (open). */
  | { readonly kind: 'scope-refused'; readonly absent?: string }
  /** A method without authorizer: passes only when `allow_unprotected` names it. No request is sent. */
  | { readonly kind: 'coverage'; readonly route: string }
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
  /** The expected status in words for reports: "401", "4xx", "200", "401 or 403", "not 5xx". */
  readonly expectedStatus: string;
  /** Why a clause may be skipped where it cannot run (shown with SKIPPED). */
  readonly needs?: string;
  /**
   * The request header the method's authorizer reads the token from (its identity source), when it is
   * not Authorization: the token is sent in it, and a "no header" clause leaves it out.
   */
  readonly identityHeader?: string;
}

/** The clause metadata a run reports, read back from a collection (untrusted JSON). */
export type ClauseInfo = Pick<Clause, 'id' | 'key' | 'name' | 'kind' | 'expectedStatus' | 'folder'> & {
  readonly row?: string;
};

/**
 * The clauses a collection's requests carry (untrusted JSON), by item id; undefined when no request
 * carries one (a hand-made collection: its requests are then reported without metadata). Entries that
 * are not well formed are left out rather than trusted.
 */
export function readClauseTable(collection: unknown): ReadonlyMap<string, ClauseInfo> | undefined {
  const table = new Map<string, ClauseInfo>();
  const visit = (items: unknown): void => {
    if (!Array.isArray(items)) return;
    for (const item of items as unknown[]) {
      if (!isRecord(item)) continue;
      visit(item.item);
      const request = item.request;
      const headers = isRecord(request) ? request.header : undefined;
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
      if (!isRecord(clause)) continue;
      const { id, key, name, kind, expectedStatus, folder, row } = clause;
      if ([id, key, name, expectedStatus, folder].some((field) => typeof field !== 'string')) continue;
      const known = CLAUSE_KINDS.find((candidate) => candidate === kind);
      if (known === undefined || id !== item.id) continue;
      table.set(id as string, {
        id: id as string,
        key: key as string,
        name: name as string,
        kind: known,
        expectedStatus: expectedStatus as string,
        folder: folder as string,
        ...(typeof row === 'string' ? { row } : {}),
      });
    }
  };
  visit(isRecord(collection) ? collection.item : undefined);
  return table.size > 0 ? table : undefined;
}
