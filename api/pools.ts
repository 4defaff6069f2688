/**
 * Which user pool a run signs in to, when a description's Cognito authorizers name several (placeholder
 * ARNs like `arn:aws:1` and `arn:aws:2` in SAM tests, or one pool per authorizer). A run signs in one
 * user of one pool, and API Gateway refuses that user's tokens at every authorizer that does not list
 * the pool (docs/reference.md §14). So the methods whose authorizer accepts the chosen pool get the full
 * contract; the others get their clauses generated and skipped, each saying which pool to sign in to.
 *
 * The choice is the setting (`--pool`, CONTRACT_POOL: a pool's ARN, id, label or reference, or an
 * authorizer's name), else the pool the run signs in to when the description names it (--target aws),
 * else the pool that protects the most methods (ties: the one the description uses first).
 */
import { UsageError } from '../common/cli-error.ts';
import { type ApiSpec, authorizerOf, isProtected, type PoolRef, routeKey } from './spec.ts';

/** How a person chooses the pool; every sentence that points at it names both. */
export const POOL_SETTING = '--pool POOL or CONTRACT_POOL';

export interface PoolUse {
  readonly key: string;
  readonly label: string;
  /** The protected methods whose authorizer accepts a token of this pool, in description order. */
  readonly methods: readonly string[];
}

/** A protected method the run leaves for a run signed in to another pool, and why. */
export interface LeftMethod {
  readonly route: string;
  readonly authorizer: string;
  /** The pools its authorizer accepts (labels). */
  readonly pools: readonly string[];
  /** One sentence: which authorizer, which pool, and the setting that tests it. */
  readonly reason: string;
}

export interface PoolChoice {
  /** The chosen pool (a PoolRef key) and how reports name it. */
  readonly key: string;
  readonly label: string;
  /** Why this pool, in one sentence. */
  readonly why: string;
  /** Every pool a protected method's authorizer names, most methods first. */
  readonly pools: readonly PoolUse[];
  readonly left: readonly LeftMethod[];
}

/** Every pool the protected methods' authorizers accept, most methods first (ties: first used first). */
export function poolUses(api: ApiSpec): PoolUse[] {
  const uses = new Map<string, { key: string; label: string; methods: string[] }>();
  for (const route of api.routes.filter(isProtected)) {
    for (const pool of authorizerOf(api, route).pools) {
      const use = uses.get(pool.key) ?? { key: pool.key, label: pool.label, methods: [] };
      use.methods.push(routeKey(route));
      uses.set(pool.key, use);
    }
  }
  const order = [...uses.keys()];
  return [...uses.values()].sort(
    (a, b) => b.methods.length - a.methods.length || order.indexOf(a.key) - order.indexOf(b.key),
  );
}

/** The pool id an ARN names (`…:userpool/eu-west-1_AbC`), if it names one. */
export function poolIdOf(arn: string | undefined): string | undefined {
  const match = arn === undefined ? null : /:userpool\/([^/\s]+)$/.exec(arn);
  return match?.[1];
}

function poolRefs(api: ApiSpec): Map<string, PoolRef> {
  const refs = new Map<string, PoolRef>();
  for (const authorizer of api.authorizers) for (const pool of authorizer.pools) refs.set(pool.key, pool);
  return refs;
}

/** The pool keys a setting names: a pool (key, label, ARN, id) or an authorizer (all its pools). */
function poolsNamedBy(api: ApiSpec, setting: string): string[] {
  const pools = [...poolRefs(api).values()].filter(
    (pool) =>
      pool.key === setting ||
      pool.label === setting ||
      pool.arn === setting ||
      poolIdOf(pool.arn) === setting,
  );
  if (pools.length > 0) return pools.map((pool) => pool.key);
  const authorizer = api.authorizers.find((candidate) => candidate.id === setting);
  return authorizer === undefined ? [] : authorizer.pools.map((pool) => pool.key);
}

/**
 * The pool a run of `api` signs in to: `api.pool` (set from --pool/CONTRACT_POOL by withPool), else
 * the one `signedInPoolId` names (the pool of the AWS settings), else the one protecting the most
 * methods. Undefined for a description without a Cognito-protected method.
 */
export function choosePool(api: ApiSpec, signedInPoolId?: string): PoolChoice | undefined {
  const uses = poolUses(api);
  if (uses.length === 0) return undefined;
  const refs = poolRefs(api);
  let chosen: PoolUse | undefined;
  let why: string;
  const named = api.pool === undefined ? [] : poolsNamedBy(api, api.pool);
  const signedIn =
    signedInPoolId === undefined
      ? undefined
      : uses.find((use) => poolIdOf(refs.get(use.key)?.arn) === signedInPoolId);
  if (named.length > 0) {
    chosen = uses.find((use) => named.includes(use.key));
    why = `chosen with --pool or CONTRACT_POOL: ${api.pool}`;
  } else if (signedIn !== undefined) {
    chosen = signedIn;
    why = `the pool the run signs in to (COGNITO_USER_POOL_ID ${signedInPoolId})`;
  } else {
    chosen = uses[0];
    why =
      uses.length === 1
        ? 'the only pool the description names'
        : uses[1]?.methods.length === uses[0]?.methods.length
          ? `the first the description uses of the pools that protect the most methods, ${uses[0]?.methods.length} of ${api.routes.filter(isProtected).length} each; choose another with ${POOL_SETTING}`
          : `the pool that protects the most methods, ${uses[0]?.methods.length} of ${api.routes.filter(isProtected).length}; choose another with ${POOL_SETTING}`;
  }
  if (chosen === undefined) return undefined;
  const key = chosen.key;
  const left: LeftMethod[] = [];
  for (const route of api.routes.filter(isProtected)) {
    const pools = authorizerOf(api, route).pools;
    if (pools.some((pool) => pool.key === key)) continue;
    const labels = pools.map((pool) => pool.label);
    const authorizer = route.protection.authorizer;
    left.push({
      route: routeKey(route),
      authorizer,
      pools: labels,
      reason: `authorizer ${authorizer} accepts only ${labels.length === 1 ? 'pool' : 'pools'} ${labels.join(', ') || '(none the description names)'}: sign in to ${labels.length === 1 ? 'that pool' : 'one of them'} to test these methods — ${POOL_SETTING.replace('POOL', JSON.stringify(labels[0] ?? authorizer))}`,
    });
  }
  return { key, label: chosen.label, why, pools: uses, left };
}

/**
 * The description with the pool setting applied (`--pool`, CONTRACT_POOL); a setting that names no
 * pool or authorizer of the description is refused in one sentence listing what it could name.
 */
export function withPool(api: ApiSpec, setting: string | undefined, where = '--pool'): ApiSpec {
  if (setting === undefined || setting === '') return api;
  if (poolsNamedBy(api, setting).length === 0 || poolUses(api).length === 0) {
    const names = poolUses(api).map((use) => use.label);
    throw new UsageError(
      names.length === 0
        ? `${where} is "${setting}", but the API description has no method behind a Cognito authorizer: drop ${where}.`
        : // Quoted: a pool without an ARN is named by its label, which has spaces ("the user pool").
          `${where} is "${setting}", which names no user pool or Cognito authorizer of the API description: use one of ${[...names, ...api.authorizers.map((authorizer) => authorizer.id)].map((name) => JSON.stringify(name)).join(', ')}.`,
    );
  }
  return { ...api, pool: setting };
}

/** The choice for a console, one line each: the pool tested, and the methods left for another run. */
export function poolLines(choice: PoolChoice | undefined): string[] {
  if (choice === undefined || choice.pools.length < 2) return [];
  const lines = [`User pool: ${choice.label} (${choice.why}).`];
  if (choice.left.length === 0) {
    lines.push('Every protected method accepts it: no method is left for another pool.');
    return lines;
  }
  const byReason = new Map<string, string[]>();
  for (const method of choice.left)
    byReason.set(method.reason, [...(byReason.get(method.reason) ?? []), method.route]);
  for (const [reason, routes] of byReason) {
    const listed =
      routes.length <= 5 ? routes.join(', ') : `${routes.length} methods, listed in summary.json`;
    lines.push(`Left for another run (skipped): ${listed}: ${reason}.`);
  }
  return lines;
}
