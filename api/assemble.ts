/**
 * What every reader produces before it becomes an ApiSpec: the authorizers a file declares and its
 * methods as declared (an `ANY` method is one declaration). Assembling merges authorizers that accept
 * the same pools through the same header (several security schemes naming one pool are one authorizer
 * to a caller), expands `ANY` to the methods a resource does not define by name, and sorts the routes.
 */
import type { Problems } from './problems.ts';
import {
  type ApiSource,
  type ApiSpec,
  type AuthorizedAnswer,
  type CognitoAuthorizerSpec,
  HTTP_METHODS,
  type HttpMethod,
  type IntegrationType,
  type PoolRef,
  type Protection,
  type RouteSpec,
} from './spec.ts';

/** An authorizer as a file declares it (security scheme, SAM `Auth.Authorizers` entry, CFN resource). */
export type AuthorizerDecl =
  | {
      readonly kind: 'cognito';
      readonly id: string;
      readonly pools: readonly PoolRef[];
      readonly identityHeader: string;
      readonly resultTtlSeconds: number;
      /** SAM's `AuthorizationScopes` on the authorizer: the default for the methods using it. */
      readonly defaultScopes?: readonly string[];
    }
  | { readonly kind: 'lambda'; readonly id: string; readonly type: 'TOKEN' | 'REQUEST' }
  | { readonly kind: 'iam'; readonly id: string }
  | { readonly kind: 'api-key'; readonly id: string };

/**
 * The user pools a Cognito authorizer's ARNs name, read with `pool` (the file's intrinsics), or
 * undefined when they are not a non-empty list of user pool ARNs: each reader refuses that in its own
 * words, at its own place.
 */
export function userPoolsOf(
  arns: readonly unknown[],
  pool: (arn: unknown) => PoolRef | undefined,
): PoolRef[] | undefined {
  const pools = arns.map(pool);
  return pools.length === 0 || pools.some((found) => found === undefined)
    ? undefined
    : pools.filter((found) => found !== undefined);
}

/**
 * A Cognito authorizer as a file declares it. `ttl` is the file's result TTL as written; without one (or
 * with a negative one) it is `defaultTtlSeconds`, which each reader states: 300 for a template (API
 * Gateway's default), 0 for an export (so the contract sees a changed authorizer at once).
 */
export function cognitoAuthorizer(declared: {
  readonly id: string;
  readonly pools: readonly PoolRef[];
  readonly identityHeader: string;
  readonly ttl: unknown;
  readonly defaultTtlSeconds: number;
  readonly defaultScopes?: readonly string[] | undefined;
}): AuthorizerDecl {
  const { id, pools, identityHeader, ttl, defaultTtlSeconds, defaultScopes } = declared;
  return {
    kind: 'cognito',
    id,
    pools,
    identityHeader,
    resultTtlSeconds: typeof ttl === 'number' && ttl >= 0 ? ttl : defaultTtlSeconds,
    ...(defaultScopes ? { defaultScopes } : {}),
  };
}

export interface MethodDecl {
  readonly method: HttpMethod | 'ANY';
  readonly path: string;
  /** Where the file declares it, for messages. */
  readonly where: string;
  /** `cognito` and `lambda` name an AuthorizerDecl id. */
  readonly protection: Protection;
  readonly apiKeyRequired?: boolean;
  readonly integration?: IntegrationType;
  readonly authorized?: AuthorizedAnswer;
}

export const RESOURCE_PATH =
  /^\/(?:[A-Za-z0-9._~:@-]+|\{[A-Za-z0-9_.-]+\+?\})?(?:\/(?:[A-Za-z0-9._~:@-]+|\{[A-Za-z0-9_.-]+\+?\}))*$/;

export const STAGE_NAME = /^[A-Za-z0-9_-]+$/;

export const STAGE_FIX = 'pass the stage the API is deployed to with --stage NAME (or CONTRACT_API_STAGE)';

export interface Assembly {
  readonly name: string;
  /** The stage the file names, if any; `stageOverride` (--stage) wins. */
  readonly stage: string | undefined;
  readonly stageWhere: string;
  readonly stageOverride: string | undefined;
  readonly authorizers: readonly AuthorizerDecl[];
  readonly methods: readonly MethodDecl[];
  readonly source: ApiSource;
  readonly problems: Problems;
  readonly file: string;
  readonly integrationTimeoutMs?: number;
  /** Where the file declares its authorizers, for a message about all of them. */
  readonly authorizersWhere?: string;
}

function poolsKey(authorizer: Extract<AuthorizerDecl, { kind: 'cognito' }>): string {
  const keys = [...new Set(authorizer.pools.map((pool) => pool.key))].sort();
  return `${authorizer.identityHeader.toLowerCase()}\u0000${keys.join('\u0000')}`;
}

export function assemble(assembly: Assembly): ApiSpec {
  const { problems } = assembly;
  const stage = assembly.stageOverride ?? assembly.stage;
  if (stage === undefined) {
    problems.add(assembly.stageWhere, 'names no stage', STAGE_FIX);
  } else if (!STAGE_NAME.test(stage)) {
    problems.add(
      assembly.stageWhere,
      `names the stage ${JSON.stringify(stage)}, which is not a stage name`,
      STAGE_FIX,
    );
  }
  problems.throwIfAny(assembly.file);

  // One authorizer per (identity header, pools): the first declared keeps its name.
  const canonical = new Map<string, string>();
  const byKey = new Map<string, CognitoAuthorizerSpec>();
  for (const authorizer of assembly.authorizers) {
    if (authorizer.kind !== 'cognito') continue;
    const key = poolsKey(authorizer);
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, {
        id: authorizer.id,
        type: 'COGNITO_USER_POOLS',
        pools: authorizer.pools,
        identityHeader: authorizer.identityHeader,
        resultTtlSeconds: authorizer.resultTtlSeconds,
      });
      canonical.set(authorizer.id, authorizer.id);
    } else {
      canonical.set(authorizer.id, first.id);
      if (authorizer.resultTtlSeconds < first.resultTtlSeconds) {
        byKey.set(key, { ...first, resultTtlSeconds: authorizer.resultTtlSeconds });
      }
    }
  }

  const routes = new Map<string, RouteSpec>();
  const named = new Set(
    assembly.methods
      .filter((method) => method.method !== 'ANY')
      .map((method) => `${method.method} ${method.path}`),
  );
  for (const declared of assembly.methods) {
    const protection: Protection =
      declared.protection.kind === 'cognito'
        ? {
            ...declared.protection,
            authorizer: canonical.get(declared.protection.authorizer) ?? declared.protection.authorizer,
          }
        : declared.protection;
    const methods = declared.method === 'ANY' ? HTTP_METHODS : [declared.method];
    for (const method of methods) {
      // ANY answers only the methods the resource does not define by name.
      if (declared.method === 'ANY' && named.has(`${method} ${declared.path}`)) continue;
      routes.set(`${method} ${declared.path}`, {
        method,
        path: declared.path,
        protection,
        ...(declared.apiKeyRequired ? { apiKeyRequired: true } : {}),
        ...(declared.method === 'ANY' ? { declaredAs: 'ANY' as const } : {}),
        ...(declared.integration ? { integration: declared.integration } : {}),
        ...(declared.authorized ? { authorized: declared.authorized } : {}),
      });
    }
  }
  const used = new Set(
    [...routes.values()].flatMap((route) =>
      route.protection.kind === 'cognito' ? [route.protection.authorizer] : [],
    ),
  );
  // Authorizers in the order the file's methods first use them.
  const firstUse = [
    ...new Set(
      assembly.methods.flatMap((method) =>
        method.protection.kind === 'cognito'
          ? [canonical.get(method.protection.authorizer) ?? method.protection.authorizer]
          : [],
      ),
    ),
  ];
  // Several pools are fine: a run signs in to one of them (api/pools.ts chooses which), and the methods
  // whose authorizers accept only others are generated and skipped, saying which pool tests them.
  const usedAuthorizers = [...byKey.values()]
    .filter((authorizer) => used.has(authorizer.id))
    .sort((a, b) => firstUse.indexOf(a.id) - firstUse.indexOf(b.id));
  return {
    name: assembly.name,
    stage: stage ?? '',
    authorizers: usedAuthorizers,
    routes: [...routes.values()].sort(
      (a, b) =>
        a.path.localeCompare(b.path) || HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method),
    ),
    integrationTimeoutMs: assembly.integrationTimeoutMs ?? 29_000,
    source: assembly.source,
  };
}
