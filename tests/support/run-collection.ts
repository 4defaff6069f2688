/**
 * Runs a collection with Newman in-process, no reporter, and sorts every assertion into passed, failed
 * and skipped per clause. Skips recorded in a pre-request whose request was then skipped never reach
 * `summary.run.executions`, so this listens to Newman's `assertion` events instead.
 */
import type { EventEmitter } from 'node:events';
import newman, { type NewmanRunOptions, type NewmanRunSummary } from 'newman';

export interface ClauseOutcome {
  readonly passed: string[];
  readonly failed: { readonly test: string; readonly message: string }[];
  readonly skipped: string[];
}

export interface CollectionRun {
  readonly summary: NewmanRunSummary;
  /** Keyed by request name. */
  readonly clauses: ReadonlyMap<string, ClauseOutcome>;
  /** Failures that are not assertions: script errors, request errors. */
  readonly errors: string[];
  /** Names of the requests that were actually sent. */
  readonly sent: string[];
}

export interface EnvironmentEntry {
  readonly key: string;
  readonly value: string;
  readonly type?: 'default' | 'secret';
}

interface AssertionArgs {
  readonly assertion: string;
  readonly skipped?: boolean;
  readonly item: { readonly name: string };
}

export function runCollection(
  collection: object,
  environment: readonly EnvironmentEntry[],
  extra: Partial<NewmanRunOptions> = {},
): Promise<CollectionRun> {
  const clauses = new Map<string, ClauseOutcome>();
  const sent: string[] = [];
  const outcome = (name: string): ClauseOutcome => {
    let found = clauses.get(name);
    if (found === undefined) {
      found = { passed: [], failed: [], skipped: [] };
      clauses.set(name, found);
    }
    return found;
  };
  return new Promise((resolve, reject) => {
    const emitter: EventEmitter = newman.run(
      {
        collection: collection as NewmanRunOptions['collection'],
        environment: {
          name: 'test',
          values: environment.map((entry) => ({ type: 'default', enabled: true, ...entry })),
        } as NewmanRunOptions['environment'],
        reporters: [],
        // Newman's timeouts default to unlimited: bound each so a stuck run fails instead of hanging.
        timeout: 120_000,
        timeoutRequest: 10_000,
        timeoutScript: 15_000,
        ...extra,
      },
      (error, summary) => {
        if (error) {
          reject(error);
          return;
        }
        const errors = summary.run.failures
          .filter((failure) => failure.error.name !== 'AssertionError')
          .map((failure) => `${failure.error.name}: ${failure.error.message}`);
        resolve({ summary, clauses, errors, sent });
      },
    );
    emitter.on('assertion', (error: { message?: string } | null, args: AssertionArgs) => {
      const clause = outcome(args.item.name);
      if (args.skipped) clause.skipped.push(args.assertion);
      else if (error) clause.failed.push({ test: args.assertion, message: String(error.message) });
      else clause.passed.push(args.assertion);
    });
    emitter.on('request', (_error: unknown, args: { item: { name: string } }) => {
      sent.push(args.item.name);
    });
  });
}
