/**
 * The shape of an API description: what both targets are built from and what the contract is generated
 * from. A description comes from the route table (`api/routes.ts`, the tutorial's API, which the local
 * gateway serves and the CDK app deploys) or from a file a team already has: an API Gateway export, a
 * SAM or CloudFormation template (the readers in `api/`). Every method carries its protection as the
 * file states it; only methods behind a Cognito user pool authorizer get the full contract, the others
 * are reported by the coverage check as what they are.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * A Cognito user pool as a description names it. `key` says which references are the same pool: the ARN
 * when the file writes one, otherwise the reference as written (`!GetAtt UserPool.Arn` → `UserPool`).
 */
export interface PoolRef {
  readonly key: string;
  /** The pool's ARN, when the file states it literally. */
  readonly arn?: string;
  /** How reports name it: the ARN, or the reference as the file writes it. */
  readonly label: string;
}

/** A Cognito user pool authorizer (COGNITO_USER_POOLS), as API Gateway REST (v1) models it. */
export interface CognitoAuthorizerSpec {
  /** Its name in the description (security scheme, logical id, authorizer name); unique in one description. */
  readonly id: string;
  readonly type: 'COGNITO_USER_POOLS';
  /** The pools whose tokens it accepts (`providerARNs`); at least one. */
  readonly pools: readonly PoolRef[];
  /**
   * The request header the token is read from: the identity source `method.request.header.<Name>`
   * (`Authorization` unless the description names another). Header names are case-insensitive.
   */
  readonly identityHeader: string;
  /** Seconds API Gateway may cache an authorizer result; 0 disables caching (the console default is 300). */
  readonly resultTtlSeconds: number;
}

/**
 * How a method is protected, as the description says. `cognito` methods get the contract; the others are
 * named by the coverage check (`iam`: SigV4-signed callers only; `lambda`: a Lambda authorizer, which this
 * contract does not test; `none`: open to anyone, unless `apiKeyRequired` asks for an API key, which is
 * not authentication either).
 */
export type Protection =
  | {
      readonly kind: 'cognito';
      /** The authorizer's id in ApiSpec.authorizers. */
      readonly authorizer: string;
      /**
       * OAuth scopes (`authorizationScopes`). With scopes, API Gateway wants an access token carrying one
       * of them and refuses ID tokens (docs/reference.md §1, §8); without, it wants an ID token.
       */
      readonly scopes: readonly string[];
    }
  | { readonly kind: 'iam' }
  | { readonly kind: 'lambda'; readonly authorizer: string }
  | { readonly kind: 'none' };

export type ProtectionKind = Protection['kind'];

export interface HandlerRef {
  /** Path of the handler's source file, relative to the repository root (or absolute). */
  readonly file: string;
  /** Name of the exported function. */
  readonly exportName: string;
}

/**
 * What an authorized call must answer. Every field is optional beyond the status: a description that
 * does not promise a body is held only to what it promises.
 */
export interface AuthorizedAnswer {
  readonly status: number;
  /** The exact body, when the API promises one (the tutorial's Lambda: `"Hello from Lambda!"`). */
  readonly body?: string;
  /** The media type of Content-Type, without parameters, e.g. `application/json`. */
  readonly contentType?: string;
}

export type IntegrationType = 'AWS_PROXY' | 'AWS' | 'HTTP_PROXY' | 'HTTP' | 'MOCK';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Resource path as API Gateway writes it, starting with '/', path parameters as `{name}` or `{name+}`. */
  readonly path: string;
  readonly protection: Protection;
  /** The method also requires an API key (`x-api-key`); missing or wrong, API Gateway answers 403. */
  readonly apiKeyRequired?: boolean;
  /**
   * Set when the description declares this method through `ANY` (`x-amazon-apigateway-any-method`,
   * `Method: ANY`): one declaration, one message, one allow-list entry (`ANY /path`).
   */
  readonly declaredAs?: 'ANY';
  /** Absent when the description does not say (an export made without `extensions=integrations`). */
  readonly integration?: IntegrationType;
  /**
   * The Lambda behind the method. The route table names one for every route (CDK deploys it); an
   * imported description has none, and the local stack answers with a stand-in instead.
   */
  readonly handler?: HandlerRef;
  /** What an authorized call answers; absent: the contract asserts only that the authorizer let it through. */
  readonly authorized?: AuthorizedAnswer;
}

export interface ApiSpec {
  readonly name: string;
  readonly stage: string;
  /** Every Cognito user pool authorizer the routes name; may be empty (an API without one). */
  readonly authorizers: readonly CognitoAuthorizerSpec[];
  readonly routes: readonly RouteSpec[];
  /** API Gateway's integration timeout for REST APIs (29 s by default). */
  readonly integrationTimeoutMs: number;
  /** Where the description came from, for reports. */
  readonly source: ApiSource;
  /**
   * What the reader chose for the user, one sentence each, printed before anything runs (e.g. which of a
   * template's REST APIs it read).
   */
  readonly notes?: readonly string[];
  /**
   * Which user pool the run signs in to, when the authorizers name several: a pool's ARN, id, label or
   * reference, or an authorizer's name (--pool, CONTRACT_POOL; api/pools.ts). Absent: the pool that
   * protects the most methods.
   */
  readonly pool?: string;
}

/** The forms a description can come in (the readers in api/ tell them apart). */
export type ApiSourceKind = 'route-table' | 'openapi' | 'swagger' | 'sam' | 'cloudformation';

export type ApiSource =
  | { readonly kind: 'route-table'; readonly path: string }
  | { readonly kind: Exclude<ApiSourceKind, 'route-table'>; readonly path: string; readonly sha256: string };

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** A method behind a Cognito user pool authorizer: the methods the contract tests. */
export function isProtected(
  route: RouteSpec,
): route is RouteSpec & { readonly protection: Extract<Protection, { kind: 'cognito' }> } {
  return route.protection.kind === 'cognito';
}

export function scopesOf(route: RouteSpec): readonly string[] {
  return route.protection.kind === 'cognito' ? route.protection.scopes : [];
}

/** The Cognito authorizer of a protected method; throws for a description that names an unknown one. */
export function authorizerOf(api: ApiSpec, route: RouteSpec): CognitoAuthorizerSpec {
  const protection = route.protection;
  if (protection.kind !== 'cognito') throw new Error(`${routeKey(route)} has no Cognito authorizer`);
  const found = api.authorizers.find((authorizer) => authorizer.id === protection.authorizer);
  if (found === undefined) {
    throw new Error(
      `${routeKey(route)} names the authorizer "${protection.authorizer}", which the description lacks`,
    );
  }
  return found;
}

/**
 * The header a method's token goes in when it is not `Authorization` (its authorizer's identity
 * source, compared without case, as HTTP header names are), for clauses to carry; undefined when it is.
 */
export function customIdentityHeader(header: string): string | undefined {
  return header.toLowerCase() === 'authorization' ? undefined : header;
}

/** The token a protected method accepts: an ID token without scopes, an access token with them. */
export type AcceptedToken = 'id' | 'access';

export function acceptedTokenOf(route: RouteSpec): AcceptedToken {
  return scopesOf(route).length > 0 ? 'access' : 'id';
}
