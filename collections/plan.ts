/**
 * The contract's plan: which attack rows each Cognito-protected method is tested with. The attack
 * catalogue tests an authorizer, not a method: every method behind the same authorizer configuration
 * (the same pools, the same identity header, the same kind of token: ID token without scopes, access
 * token with them) is judged by the same verifier in API Gateway. So, by default (`planned`), the whole
 * catalogue runs once per such authorizer, on its first method in the description that is not HEAD (the
 * representative),
 * and every other method gets what proves that this same authorizer is attached to it: its own no-header
 * refusal, the genuine token raw and with `Bearer`, its scopes, the persistence check, and a small fixed
 * sample of refusals (SAMPLE_ROWS, one header form). A method whose gateway forgets the authorizer, or
 * attaches another pool, fails those (the mutation proof shows it: tests/contract/plan-proof.test.ts).
 * `full` gives every method the whole catalogue in both header forms, as before the plan existed.
 *
 * The plan is data: the generator (collections/generate.ts) asks it which rows and forms a method gets,
 * and the reports (summary.json, the HTML run block, the console summary) say which mode ran and why
 * each method got what it got.
 */
import { choosePool, type PoolChoice } from '../api/pools.ts';
import type { ApiSpec, RouteSpec } from '../api/spec.ts';
import { acceptedTokenOf, authorizerOf, isProtected, routeKey } from '../api/spec.ts';
import { oneOf } from '../common/args.ts';
import { type Env, flagOrEnv } from '../common/config-table.ts';
import { plural } from '../common/plural.ts';
import type { AttackRow } from '../security/catalogue.ts';
import type { HeaderForm, TokenBase } from './clause.ts';

export const MATRIX_MODES = ['planned', 'full'] as const;
export type MatrixMode = (typeof MATRIX_MODES)[number];
export const DEFAULT_MATRIX: MatrixMode = 'planned';

/**
 * The refusals every method of an authorizer gets besides its representative, each proving one thing
 * about what is attached to it: a token whose signature no longer matches (a verifier is attached at
 * all; built in the sandbox, so it runs against every target), for ID-token methods the access token
 * (it wants the right kind of token; scoped methods prove that with their scope clauses), a token of
 * another pool (it is this pool), and an expired token (its expiry is checked, and the answer is API
 * Gateway's own expiry message). In catalogue order, as the clauses run.
 */
export const SAMPLE_ROWS: readonly string[] = [
  'payload-tampered',
  'access-token',
  'issuer-other-pool',
  'expired',
];
/** A sampled row is sent in one form: how the header is read belongs to the authorizer, tested in both forms on its representative. */
const SAMPLE_FORMS: readonly HeaderForm[] = ['raw'];
const ALL_FORMS: readonly HeaderForm[] = ['raw', 'bearer'];

export interface AuthorizerGroup {
  /** pools × identity header × token kind, e.g. `UserPool | authorization | id`. */
  readonly key: string;
  readonly pools: readonly string[];
  readonly identityHeader: string;
  readonly token: TokenBase;
  /** The method that runs the whole catalogue for this group. */
  readonly representative: string;
  readonly methods: readonly string[];
}

export interface MethodPlan {
  readonly route: string;
  readonly group: string;
  /** `catalogue`: every applicable row in both forms; `sample`: SAMPLE_ROWS in one form. */
  readonly coverage: 'catalogue' | 'sample';
  readonly rows: readonly string[];
  readonly forms: readonly HeaderForm[];
  /** Why the method got these clauses, in one sentence. */
  readonly reason: string;
  /**
   * Set when its authorizer accepts only pools other than the one the run signs in to (api/pools.ts):
   * its clauses are generated and skipped with this sentence, never sent with a token of the wrong pool.
   */
  readonly skip?: string;
}

export interface ContractPlan {
  readonly mode: MatrixMode;
  /** Why this mode, in one sentence. */
  readonly why: string;
  readonly groups: readonly AuthorizerGroup[];
  /** One entry per Cognito-protected method, in description order. */
  readonly methods: readonly MethodPlan[];
  /** The user pool the run signs in to and the methods left for a run of another pool; absent without Cognito methods. */
  readonly pool?: PoolChoice;
}

function rowApplies(row: AttackRow, base: TokenBase): boolean {
  return row.appliesTo !== 'id-token-methods' || base === 'id';
}

/**
 * The authorizer configuration a method is judged by. The description readers refuse a method naming
 * an authorizer the description lacks, so authorizerOf finds one (it throws on a hand-made spec that
 * breaks that, a programming error).
 */
function groupKeyOf(api: ApiSpec, route: RouteSpec): Omit<AuthorizerGroup, 'representative' | 'methods'> {
  const token = acceptedTokenOf(route);
  const authorizer = authorizerOf(api, route);
  const pools = authorizer.pools.map((pool) => pool.key).sort();
  const identityHeader = authorizer.identityHeader.toLowerCase();
  return { key: `${pools.join(', ')} | ${identityHeader} | ${token}`, pools, identityHeader, token };
}

/** The plan of an API description's contract. */
export function planContract(
  api: ApiSpec,
  attacks: readonly AttackRow[],
  mode: MatrixMode = DEFAULT_MATRIX,
  signedInPoolId?: string,
): ContractPlan {
  const pool = choosePool(api, signedInPoolId);
  const left = new Map((pool?.left ?? []).map((method) => [method.route, method.reason]));
  // First pass: the groups, each with its representative: its first method that is not HEAD, whose
  // answers carry a body (a HEAD answer has none, so the catalogue's refusal messages could not be
  // read there), or its first method when all are HEAD.
  const protectedRoutes = api.routes.filter(isProtected).map((route) => ({
    route,
    key: routeKey(route),
    configuration: groupKeyOf(api, route),
  }));
  const methodOf = new Map(protectedRoutes.map(({ route, key }) => [key, route.method]));
  const groups = new Map<string, { group: Omit<AuthorizerGroup, 'methods'>; methods: string[] }>();
  for (const { route, key, configuration } of protectedRoutes) {
    const entry = groups.get(configuration.key);
    if (entry === undefined) {
      groups.set(configuration.key, { group: { ...configuration, representative: key }, methods: [key] });
      continue;
    }
    entry.methods.push(key);
    if (methodOf.get(entry.group.representative) === 'HEAD' && route.method !== 'HEAD') {
      entry.group = { ...entry.group, representative: key };
    }
  }
  const methods: MethodPlan[] = [];
  const skipOf = (key: string) => {
    const reason = left.get(key);
    return reason === undefined ? {} : { skip: reason };
  };
  for (const { key, configuration } of protectedRoutes) {
    const representative = groups.get(configuration.key)?.group.representative ?? key;
    const applicable = attacks.filter((row) => rowApplies(row, configuration.token));
    if (mode === 'full' || representative === key) {
      methods.push({
        route: key,
        group: configuration.key,
        coverage: 'catalogue',
        rows: applicable.map((row) => row.id),
        forms: ALL_FORMS,
        reason:
          mode === 'full'
            ? 'the full matrix was asked for (--matrix full or CONTRACT_MATRIX=full): every catalogue row in both header forms'
            : `the representative of its authorizer (${configuration.key}): the whole catalogue runs here, in both header forms`,
        ...skipOf(key),
      });
      continue;
    }
    const sample = applicable.filter((row) => SAMPLE_ROWS.includes(row.id)).map((row) => row.id);
    methods.push({
      route: key,
      group: configuration.key,
      coverage: 'sample',
      rows: sample,
      forms: SAMPLE_FORMS,
      reason: `behind the same authorizer as ${representative}, which runs the whole catalogue: ${sample.join(', ')} sent raw prove that same authorizer is attached here`,
      ...skipOf(key),
    });
  }
  const sampled = methods.filter((method) => method.coverage === 'sample').length;
  const why =
    mode === 'full'
      ? 'full: every protected method runs the whole attack catalogue (asked for with --matrix full or CONTRACT_MATRIX=full)'
      : sampled === 0
        ? 'planned (the default): every protected method is the only one behind its authorizer, so each runs the whole catalogue'
        : `planned (the default): the whole catalogue runs once per authorizer (${groups.size}), ${plural(sampled, 'other method')} get a sample proving the same authorizer is attached; --matrix full runs it on every method`;
  return {
    mode,
    why,
    ...(pool ? { pool } : {}),
    groups: [...groups.values()].map(({ group, methods: members }) => ({ ...group, methods: members })),
    methods,
  };
}

/**
 * The matrix a command runs: `--matrix` when given, otherwise CONTRACT_MATRIX (by the table's rule, empty
 * is unset); undefined when neither is, for the default. A value that is no mode is refused, naming
 * where it came from.
 */
export function matrixSetting(flag: string | undefined, env: Env): MatrixMode | undefined {
  return oneOf(
    flag === undefined ? 'CONTRACT_MATRIX' : '--matrix',
    flagOrEnv(flag, env, 'CONTRACT_MATRIX'),
    MATRIX_MODES,
  );
}
