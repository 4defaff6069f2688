/**
 * The mutation proof's harness: one local stack, one sign-in and one set of pool-key tokens, and, per
 * variant, another gateway in front of the same Cognito and Lambda that is wrong in exactly one way
 * (ComposedStack.startGatewayVariant, through the composition root). The real collection runs against a gateway in real Newman, with the
 * same environment `npm run contract` builds (`run`), or its recorded requests are replayed against it
 * and judged by the collection's own checks (`replay`, see replay.ts); either way the verdict is read
 * clause by clause. Sharing the pool is safe because nothing a run does changes it; every variant gets
 * its own gateway, so no authorizer state (a cache, a fetched key) carries from one variant into another.
 */
import assert from 'node:assert/strict';
import { helloApi } from '../../../api/routes.ts';
import type { ApiSpec } from '../../../api/spec.ts';
import { resourcesMatching } from '../../../api/surface.ts';
import { assertsCheck, type Clause, readClauseTable } from '../../../collections/clause.ts';
import { buildCollection, COLLECTION_DEFAULTS } from '../../../collections/collection.ts';
import { generateClauses } from '../../../collections/generate.ts';
import { runNewman } from '../../../contract-runner/newman-run.ts';
import { createRedactor } from '../../../contract-runner/redaction.ts';
import type { ClauseResult } from '../../../contract-runner/results.ts';
import { contractEnvironment } from '../../../contract-runner/run-environment.ts';
import { emulatorSigningKey } from '../../../local-stack/cognito/emulator-key.ts';
import { type ComposedStack, composeStack, type GatewayParts } from '../../../local-stack/stack.ts';
import { type AttackerServer, startAttackerServer } from '../../../security/attacker-server.ts';
import { mintPoolKeyTokens, poolKeyTokenValues } from '../../../security/pool-key-tokens.ts';
import { REQUEST_ROWS } from '../../../security/request-catalogue.ts';
import { obtainToken, type PostmanEnvironment, settingsFromLocalStack } from '../../../token-helper/index.ts';
import { recordedRequests, replay } from './replay.ts';

/** Per-run bound: a run of the whole contract takes seconds; one that never returns must fail, not hang. */
export const PROOF_TIMEOUT_MS = 240_000;

export interface ProofRun {
  readonly results: readonly ClauseResult[];
  readonly runError?: string;
}

export interface Proof {
  readonly api: ApiSpec;
  readonly clauses: readonly Clause[];
  readonly stack: ComposedStack;
  readonly attacker: AttackerServer;
  /**
   * Runs the whole contract in real Newman against the stack's own gateway, or against a variant of
   * it; `clauses` (default: the default settings' clauses) are the same requests with other
   * expectations, e.g. those of `--strict FACT`. The default clauses against the stack's own gateway
   * run once per proof: that run is also the replay's recording and baseline.
   */
  run(variant?: GatewayParts, clauses?: readonly Clause[]): Promise<ProofRun>;
  /**
   * Replays the requests the collection sent in the real Newman run against the product gateway (the
   * one `run()` makes, made on first use by either) against the variant's gateway, judged by the
   * collection's own checks.
   */
  replay(variant: GatewayParts, clauses?: readonly Clause[]): Promise<ProofRun>;
  /**
   * Runs the contract generated from another description against a gateway serving that description,
   * in front of the same Cognito (one stack, one sign-in for many descriptions); `clauses`, when the
   * caller already generated them from `other`, are not generated again.
   */
  runDescription(other: ApiSpec, clauses?: readonly Clause[]): Promise<ProofRun>;
  stop(): Promise<void>;
}

export async function startProof(api: ApiSpec = helloApi): Promise<Proof> {
  const [stack, attacker] = await Promise.all([composeStack({ api }, {}), startAttackerServer()]);
  try {
    const token = await obtainToken(settingsFromLocalStack(stack), { write: false });
    const poolKeyTokens = mintPoolKeyTokens({
      idToken: token.idToken,
      ...(token.accessToken ? { accessToken: token.accessToken } : {}),
      poolPrivateKey: emulatorSigningKey().privateJwk,
      poolJwks: stack.jwks,
    });
    const base: PostmanEnvironment = contractEnvironment(token.environment, {
      ...(token.accessToken ? { accessToken: token.accessToken } : {}),
      poolJwks: stack.jwks,
      poolKeyTokens,
      attacker,
      queryTokens: 'redacted',
    });
    const redact = createRedactor([token.idToken, token.accessToken, ...poolKeyTokenValues(poolKeyTokens)]);
    const clauses = generateClauses(api);
    /** The collection of a clause set (the requests are the same, the expectations differ). */
    const collections = new Map<
      readonly Clause[],
      { parsed: object; table: ReturnType<typeof readClauseTable> }
    >();
    const collectionFor = (forApi: ApiSpec, set: readonly Clause[]) => {
      const parsed = buildCollection(forApi, set);
      return { parsed, table: readClauseTable(parsed) };
    };
    const collectionOf = (set: readonly Clause[]) => {
      let made = collections.get(set);
      if (made === undefined) {
        made = collectionFor(api, set);
        collections.set(set, made);
      }
      return made;
    };
    /** One Newman run of a collection against the gateway at `apiUrl`, titled `title`. */
    const newmanAt = async (
      collection: { parsed: object; table: ReturnType<typeof readClauseTable> },
      apiUrl: string,
      title: string,
    ) =>
      runNewman({
        collection: collection.parsed,
        clauseTable: collection.table,
        environment: base,
        iterations: 1,
        iterationData: [{ baseUrl: apiUrl }],
        timeoutRequestMs: 10_000,
        reporters: [],
        title,
        secretKeys: [],
        redact,
      });
    const proofRun = (run: Awaited<ReturnType<typeof newmanAt>>): ProofRun => ({
      results: run.clauses,
      ...(run.runError ? { runError: run.runError.message } : {}),
    });
    const variables = new Map<string, string>([
      ...Object.entries(COLLECTION_DEFAULTS),
      ...base.values.map((entry): [string, string] => [entry.key, entry.value]),
    ]);
    let recorded = new Map<string, { method: string; path: string; authorization?: string }>();
    /**
     * The one Newman run of the default clauses against the product gateway: what `run()` answers, and
     * the recording and baseline every replay starts from (made once, on first use).
     */
    let baseline: Promise<ProofRun> | undefined;
    const productRun = (): Promise<ProofRun> =>
      (baseline ??= newmanAt(collectionOf(clauses), stack.apiUrl, 'mutation proof').then((run) => {
        recorded = recordedRequests(run.summary);
        return proofRun(run);
      }));
    return {
      api,
      clauses,
      stack,
      attacker,
      async run(variant, set = clauses) {
        if (variant === undefined && set === clauses) return productRun();
        const gateway =
          variant === undefined
            ? { apiUrl: stack.apiUrl, stop: async () => {} }
            : await stack.startGatewayVariant(variant);
        try {
          return proofRun(await newmanAt(collectionOf(set), gateway.apiUrl, 'mutation proof'));
        } finally {
          await gateway.stop();
        }
      },
      replay: async (variant, set = clauses) => {
        const control = await productRun();
        if (control.runError !== undefined) return control;
        const gateway = await stack.startGatewayVariant(variant);
        try {
          return {
            results: await replay(new URL(gateway.apiUrl).origin, set, recorded, control.results, variables),
          };
        } finally {
          await gateway.stop();
        }
      },
      runDescription: async (other, otherClauses = generateClauses(other)) => {
        const otherCollection = collectionFor(other, otherClauses);
        const gateway = await stack.startGatewayVariant({ api: other });
        try {
          return proofRun(await newmanAt(otherCollection, gateway.apiUrl, other.name));
        } finally {
          await gateway.stop();
        }
      },
      stop: async () => {
        await Promise.all([stack.stop(), attacker.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([stack.stop(), attacker.stop()]);
    throw error;
  }
}

function keyOf(result: ClauseResult): string {
  return result.clause?.key ?? `(no clause) ${result.name}`;
}

/** Failing and skipped clauses with their failing assertions, for messages that say what happened. */
export function describeRun(run: ProofRun): string {
  const lines = run.results
    .filter((c) => c.outcome !== 'passed')
    .map(
      (c) =>
        `${c.outcome.toUpperCase()} ${keyOf(c)} [${c.actualStatus ?? 'no response'}]: ${c.assertions
          .filter((a) => a.outcome !== 'passed')
          .map((a) => `${a.name}${a.message ? ` (${a.message})` : ''}`)
          .join(' | ')}`,
    );
  return lines.length > 0 ? lines.join('\n') : '(no clause failed or was skipped)';
}

function assertRanEveryClause(run: ProofRun, clauses: readonly Clause[]): void {
  assert.equal(run.runError, undefined, `Newman failed: ${run.runError}`);
  assert.deepEqual(
    run.results.map(keyOf),
    clauses.map((clause) => clause.key),
    'the run did not consist of exactly the generated clauses, in order',
  );
}

/** Every generated clause ran once, and none failed or was skipped. */
export function assertWholeContractPassed(run: ProofRun, clauses: readonly Clause[]): void {
  assertRanEveryClause(run, clauses);
  assert.deepEqual(run.results.filter((c) => c.outcome !== 'passed').map(keyOf), [], describeRun(run));
}

/**
 * The clauses with keys in `caughtBy` are exactly the ones that failed, and every other clause passed:
 * the weakness was caught by the clauses meant to catch it, not by collateral damage.
 */
export function assertCaughtExactlyBy(
  run: ProofRun,
  clauses: readonly Clause[],
  caughtBy: ReadonlySet<string>,
): void {
  assertRanEveryClause(run, clauses);
  assert.ok(caughtBy.size > 0, 'a weakness nothing is meant to catch proves nothing');
  for (const key of caughtBy) {
    assert.ok(
      clauses.some((clause) => clause.key === key),
      `caughtBy names "${key}", which is not a clause`,
    );
  }
  const failed = run.results.filter((c) => c.outcome === 'failed').map(keyOf);
  const expected = clauses.map((clause) => clause.key).filter((key) => caughtBy.has(key));
  assert.deepEqual(failed, expected, describeRun(run));
  assert.deepEqual(
    run.results.filter((c) => c.outcome === 'skipped').map(keyOf),
    [],
    `a clause was skipped: ${describeRun(run)}`,
  );
}

export function resultFor(run: ProofRun, key: string): ClauseResult {
  const found = run.results.find((c) => c.clause?.key === key);
  assert.ok(found, `no result for the clause "${key}"`);
  return found;
}

/**
 * Whether a request row's request reaches its method's resource on a gateway that only forgets that
 * method's authorizer: a row sent as-is does; one sent to an undefined path that names the resource in a
 * routing header (X-Original-URL) does not; a spelling does where, its dot segments resolved, it still
 * matches the resource (`;x=1` is part of a `{param}`, not of a literal segment).
 */
export function reachesResource(clause: Clause, api: Pick<ApiSpec, 'routes'>): boolean {
  const row = REQUEST_ROWS.find((candidate) => candidate.id === clause.requestRow);
  if (row === undefined || row.path.kind === 'as-is') return true;
  if (row.path.kind === 'undefined-path') return false;
  const resolved = new URL(clause.path, 'http://gateway.invalid').pathname;
  return resourcesMatching(api, resolved).includes(clause.resource);
}

/**
 * A request row on `route` (`METHOD /resource`) that expects a refusal and reaches the method on a
 * gateway that only forgets that method's authorizer: the rows every resource and method gets
 * (spellings, routing headers, the check without a token) are let through there too, wherever their
 * folder is.
 */
export function unguardedRequestRow(clause: Clause, route: string, api: Pick<ApiSpec, 'routes'>): boolean {
  return (
    clause.kind === 'request' &&
    `${clause.method} ${clause.resource}` === route &&
    reachesResource(clause, api) &&
    assertsCheck(clause, 'refused')
  );
}

/** Each of these clauses got a 2xx answer in the run: the gateway let it through (caught for that reason). */
export function assertLetThrough(run: ProofRun, keys: Iterable<string>): void {
  for (const key of keys) {
    const status = resultFor(run, key).actualStatus ?? 0;
    assert.ok(status >= 200 && status < 300, `${key} was not let through: ${status}\n${describeRun(run)}`);
  }
}
