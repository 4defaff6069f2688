/**
 * Builds the REST API from `api/routes.ts`, the same table the local gateway serves, so a route exists
 * on AWS exactly when it exists locally. Nothing about routes is written here by hand.
 */
import { basename, extname, join } from 'node:path';
import {
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  type MethodOptions,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import type { ApiSpec, HandlerRef, RouteSpec } from '../api/routes.ts';

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

export interface RestApiFromSpecProps {
  readonly spec: ApiSpec;
  readonly userPool: IUserPool;
  /** Absolute path of the repository root: handler files in the spec are relative to it. */
  readonly repoRoot: string;
}

export class RestApiFromSpec extends Construct {
  readonly api: RestApi;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  readonly functions = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props: RestApiFromSpecProps) {
    super(scope, id);
    const { spec } = props;

    this.api = new RestApi(this, 'Api', {
      restApiName: spec.name,
      // The console's default for a new REST API, which is what the tutorial clicks through.
      endpointTypes: [EndpointType.REGIONAL],
      deployOptions: { stageName: spec.stage },
      // Setting the account-wide CloudWatch role is not this stack's business, and costs an IAM role.
      cloudWatchRole: false,
    });

    // The route table has one authorizer over the one pool this app creates (api/routes.ts).
    const [described, ...others] = spec.authorizers;
    if (described === undefined || others.length > 0) {
      throw new Error(
        `the CDK app deploys exactly one Cognito authorizer; ${spec.name} describes ${spec.authorizers.length}.`,
      );
    }
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      authorizerName: described.id,
      cognitoUserPools: [props.userPool],
      identitySource: `method.request.header.${described.identityHeader}`,
      resultsCacheTtl: Duration.seconds(described.resultTtlSeconds),
    });
    this.authorizer = authorizer;

    for (const route of spec.routes) {
      if (route.integration !== 'AWS_PROXY' || route.handler === undefined) {
        // Only the route table is deployed from code, and every route in it is a Lambda proxy method.
        throw new Error(
          `${route.method} ${route.path} has no Lambda handler (integration ${route.integration}): the CDK app deploys Lambda proxy routes only.`,
        );
      }
      const fn = this.functionFor(route.handler, props.repoRoot);
      const integration = new LambdaIntegration(fn, {
        proxy: true,
        timeout: Duration.millis(spec.integrationTimeoutMs),
      });
      this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, integration, methodOptions(route, authorizer));
    }
  }

  /** One function per handler file and export, however many routes share it. */
  private functionFor(ref: HandlerRef, repoRoot: string): NodejsFunction {
    const key = `${ref.file}#${ref.exportName}`;
    const existing = this.functions.get(key);
    if (existing !== undefined) return existing;

    const id = `${basename(ref.file, extname(ref.file))}-${ref.exportName}`;
    const fn = new NodejsFunction(this, id, {
      entry: join(repoRoot, ref.file),
      handler: ref.exportName,
      runtime: LAMBDA_RUNTIME,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      // Without its own log group the function's logs would outlive `npm run destroy`.
      logGroup: new LogGroup(this, `${id}-logs`, {
        retention: RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: {
        // esbuild from infra's install: deploys and the offline template tests need no Docker.
        forceDockerBundling: false,
        sourceMap: false,
        minify: false,
        // esbuild's size report would fill every synth (and every test run) with noise.
        logLevel: LogLevel.WARNING,
      },
    });
    this.functions.set(key, fn);
    return fn;
  }
}

function methodOptions(route: RouteSpec, authorizer: CognitoUserPoolsAuthorizer): MethodOptions {
  const protection = route.protection;
  switch (protection.kind) {
    case 'cognito':
      return {
        authorizationType: AuthorizationType.COGNITO,
        authorizer,
        ...(protection.scopes.length > 0 ? { authorizationScopes: [...protection.scopes] } : {}),
      };
    case 'iam':
      return { authorizationType: AuthorizationType.IAM };
    case 'none':
      return { authorizationType: AuthorizationType.NONE };
    case 'lambda':
      throw new Error(
        `${route.method} ${route.path} names a Lambda authorizer: the CDK app deploys the Cognito authorizer only.`,
      );
  }
}
