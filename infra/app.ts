/**
 * The CDK app (cdk.json runs it): the composition root that wires the real route table and Lambda into
 * the stack. Env-agnostic on purpose: account and region come from the caller's AWS credentials.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib/core';
import { helloApi } from '../api/routes.ts';
import { ContractStack } from './contract-stack.ts';
import { DOMAIN_PREFIX_CONTEXT, STACK_NAME } from './deployment-names.ts';
import { checkDomainPrefix } from './domain-prefix.ts';

const app = new App();
const prefix: unknown = app.node.tryGetContext(DOMAIN_PREFIX_CONTEXT);
if (prefix !== undefined && typeof prefix !== 'string') {
  throw new Error(`Context "${DOMAIN_PREFIX_CONTEXT}" must be a string.`);
}

new ContractStack(app, STACK_NAME, {
  spec: helloApi,
  repoRoot: fileURLToPath(new URL('..', import.meta.url)),
  ...(prefix === undefined || prefix === '' ? {} : { domainPrefix: checkDomainPrefix(prefix) }),
  description:
    'Lambda behind an API Gateway REST API with a Cognito user pool authorizer: the contract suite target.',
});
app.synth();
