/**
 * Synthesizes the stack the way `cdk deploy` does, but offline: no account, no region (env-agnostic),
 * bundling with infra's local esbuild. Each call bundles for real (a few milliseconds for one handler).
 */
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib/core';
import { type ApiSpec, helloApi, type RouteSpec } from '../../api/routes.ts';
import { ContractStack } from '../contract-stack.ts';
import { STACK_NAME } from '../deployment-names.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Synthesized {
  readonly stack: ContractStack;
  readonly template: Template;
  /** Where the cloud assembly (and so each bundled asset) was written. */
  readonly assemblyDir: string;
}

let defaultSynth: Synthesized | undefined;

/**
 * The default stack (helloApi, default options), synthesized once per process and shared: the
 * template and parity suites only read it, and each synthesis bundles and serializes the whole app
 * (a few seconds of the suite). The one other stack the tests build is synthVariant()'s.
 */
export function synthContractStack(): Synthesized {
  defaultSynth ??= synthesize(helloApi, {});
  return defaultSynth;
}

/** A route the route table does not have: POST on a nested path, no authorizer. */
export const EXTRA_ROUTE: RouteSpec = {
  method: 'POST',
  path: '/hello/{name}',
  protection: { kind: 'none' },
  integration: 'AWS_PROXY',
  handler: { file: 'lambda/hello.ts', exportName: 'handler' },
};

/** helloApi with its first route asking for an OAuth scope. */
export function withScopedFirstRoute(spec: ApiSpec = helloApi): ApiSpec {
  const [first, ...rest] = spec.routes;
  if (first === undefined) throw new Error('the spec has no route to scope');
  return {
    ...spec,
    routes: [
      {
        ...first,
        protection: { kind: 'cognito', authorizer: 'CognitoUserPoolAuthorizer', scopes: ['hello/read'] },
      },
      ...rest,
    ],
  };
}

/** The one stack the tests build unlike the default, and its route table. */
export interface Variant extends Synthesized {
  readonly spec: ApiSpec;
  readonly domainPrefix: string;
}

let variantSynth: Variant | undefined;

/**
 * One synthesis for every way the tests change the default stack, since each is a fact of its own part
 * of the template: a chosen Cognito domain prefix (the user pool's domain), a scoped first route and a
 * route the route table does not have (the API's methods and resources). The parity checks compare its
 * routes with route tables that differ from it in one of these only. Shared like the default one.
 */
export function synthVariant(): Variant {
  if (variantSynth === undefined) {
    const spec: ApiSpec = withScopedFirstRoute({ ...helloApi, routes: [...helloApi.routes, EXTRA_ROUTE] });
    const domainPrefix = 'qa-team-hello';
    variantSynth = { ...synthesize(spec, { domainPrefix }), spec, domainPrefix };
  }
  return variantSynth;
}

function synthesize(spec: ApiSpec, options: { domainPrefix?: string }): Synthesized {
  const app = new App({
    // The CLI sets this context; without it the template would not say which asset folder is the Lambda's.
    context: { 'aws:cdk:enable-asset-metadata': true },
    // CDK's built-in CloudFormation validation, which `cdk synth` and `cdk deploy` still run, is left out
    // here: without @aws-cdk/core:validateAgainstDefaultRules (this app does not set it) it turns every
    // finding into a warning and cannot fail a synthesis, no test reads its report (it has none for this
    // stack), and its WebAssembly engine cost about 5 s of CPU per process, most of this file's synthesis.
    // The template it would have checked is the same either way.
    builtinCloudFormationValidation: false,
  });
  const stack = new ContractStack(app, STACK_NAME, { spec, repoRoot: REPO_ROOT, ...options });
  const template = Template.fromStack(stack);
  return { stack, template, assemblyDir: app.outdir };
}
