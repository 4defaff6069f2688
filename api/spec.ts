/**
 * The shape of an API description: what both targets are built from and what the contract is generated
 * from. A description comes either from the route table (`api/routes.ts`, the tutorial's API, which the
 * local gateway serves and the CDK app deploys) or from API Gateway's OpenAPI export of a deployed stage
 * (`api/openapi-export.ts`, for an API built in the console).
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A Cognito user pool authorizer, as API Gateway REST (v1) models it. */
export interface CognitoAuthorizerSpec {
  readonly name: string;
  readonly type: 'COGNITO_USER_POOLS';
  /** Only the header form is supported: API Gateway reads the token from this request header. */
  readonly identitySource: 'method.request.header.Authorization';
  /** Seconds API Gateway may cache an authorizer result; 0 disables caching (the console default is 300). */
  readonly resultTtlSeconds: number;
}

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
  /** Resource path as API Gateway writes it, starting with '/', path parameters as `{name}`. */
  readonly path: string;
  readonly authorization: 'COGNITO_USER_POOLS' | 'NONE';
  /**
   * OAuth scopes on a Cognito-authorized method (`authorizationScopes`). With scopes, API Gateway wants
   * an access token carrying one of them and refuses ID tokens (docs/reference.md §1, §8).
   */
  readonly authorizationScopes?: readonly string[];
  readonly integration: IntegrationType;
  /**
   * The Lambda behind the method. The route table names one for every route (CDK deploys it); an
   * imported export has none, and the local stack answers with a stand-in instead.
   */
  readonly handler?: HandlerRef;
  /** What an authorized call answers; absent: the contract asserts only that the authorizer let it through. */
  readonly authorized?: AuthorizedAnswer;
}

export interface ApiSpec {
  readonly name: string;
  readonly stage: string;
  readonly authorizer: CognitoAuthorizerSpec;
  readonly routes: readonly RouteSpec[];
  /** API Gateway's integration timeout for REST APIs (29 s by default). */
  readonly integrationTimeoutMs: number;
  /** Where the description came from, for reports. */
  readonly source: ApiSource;
}

export type ApiSource =
  | { readonly kind: 'route-table'; readonly path: string }
  | { readonly kind: 'openapi-export'; readonly path: string; readonly sha256: string };

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function isProtected(route: RouteSpec): boolean {
  return route.authorization === 'COGNITO_USER_POOLS';
}

export function scopesOf(route: RouteSpec): readonly string[] {
  return route.authorization === 'COGNITO_USER_POOLS' ? (route.authorizationScopes ?? []) : [];
}
