/**
 * The one description of the API that both targets are built from: the local gateway serves exactly
 * these routes, and the AWS CDK app deploys exactly these routes. A parity test compares the two.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

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
  /** Path of the handler's source file, relative to the repository root. */
  readonly file: string;
  /** Name of the exported function. */
  readonly exportName: string;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Resource path as API Gateway writes it, starting with '/'. */
  readonly path: string;
  readonly authorization: 'COGNITO_USER_POOLS' | 'NONE';
  readonly integration: 'AWS_PROXY';
  readonly handler: HandlerRef;
}

export interface ApiSpec {
  readonly name: string;
  readonly stage: string;
  readonly authorizer: CognitoAuthorizerSpec;
  readonly routes: readonly RouteSpec[];
  /** API Gateway's integration timeout for REST APIs (29 s by default). */
  readonly integrationTimeoutMs: number;
}

export const helloApi: ApiSpec = {
  name: 'hello-api',
  stage: 'dev',
  authorizer: {
    name: 'CognitoUserPoolAuthorizer',
    type: 'COGNITO_USER_POOLS',
    identitySource: 'method.request.header.Authorization',
    resultTtlSeconds: 0,
  },
  routes: [
    {
      method: 'GET',
      path: '/hello',
      authorization: 'COGNITO_USER_POOLS',
      integration: 'AWS_PROXY',
      handler: { file: 'lambda/hello.ts', exportName: 'handler' },
    },
  ],
  integrationTimeoutMs: 29_000,
};
