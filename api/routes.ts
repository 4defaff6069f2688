/**
 * The route table: the one description of the tutorial's API that every output is built from. The local
 * gateway serves exactly these routes, the AWS CDK app deploys exactly these routes (a parity test
 * compares the two), and the contract's clauses are generated from them (collections/generate.ts).
 * Adding a route here adds its clauses; nothing else needs to change.
 */
import { GREETING } from '../lambda/hello.ts';
import type { ApiSpec } from './spec.ts';

export type {
  ApiSpec,
  AuthorizedAnswer,
  CognitoAuthorizerSpec,
  HandlerRef,
  HttpMethod,
  Protection,
  RouteSpec,
} from './spec.ts';

export const helloApi: ApiSpec = {
  name: 'hello-api',
  stage: 'dev',
  authorizers: [
    {
      id: 'CognitoUserPoolAuthorizer',
      type: 'COGNITO_USER_POOLS',
      // The tutorial's one pool (infra/ deploys it; the local stack makes it).
      pools: [{ key: 'UserPool', label: 'the user pool' }],
      identityHeader: 'Authorization',
      resultTtlSeconds: 0,
    },
  ],
  routes: [
    {
      method: 'GET',
      path: '/hello',
      protection: { kind: 'cognito', authorizer: 'CognitoUserPoolAuthorizer', scopes: [] },
      integration: 'AWS_PROXY',
      handler: { file: 'lambda/hello.ts', exportName: 'handler' },
      // The console's default handler: JSON.stringify'd, so the quotes are part of the 20-byte body.
      authorized: { status: 200, body: JSON.stringify(GREETING), contentType: 'application/json' },
    },
  ],
  integrationTimeoutMs: 29_000,
  source: { kind: 'route-table', path: 'api/routes.ts' },
};
