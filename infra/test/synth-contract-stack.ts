/**
 * Synthesizes the stack the way `cdk deploy` does, but offline: no account, no region (env-agnostic),
 * bundling with infra's local esbuild. Each call bundles for real (a few milliseconds for one handler).
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type ApiSpec, helloApi } from '../../api/routes.ts';
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
 * The default stack (helloApi, default options) is synthesized once per process and shared: the
 * template and parity suites only read it, and each synthesis bundles and serializes the whole app
 * (a few seconds of the suite). Any other spec or option gets a synthesis of its own.
 */
export function synthContractStack(
  spec: ApiSpec = helloApi,
  options: { domainPrefix?: string } = {},
): Synthesized {
  if (spec === helloApi && options.domainPrefix === undefined) {
    defaultSynth ??= synthesize(spec, options);
    return defaultSynth;
  }
  return synthesize(spec, options);
}

function synthesize(spec: ApiSpec, options: { domainPrefix?: string }): Synthesized {
  // The CLI sets this context; without it the template would not say which asset folder is the Lambda's.
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new ContractStack(app, STACK_NAME, { spec, repoRoot: REPO_ROOT, ...options });
  const template = Template.fromStack(stack);
  return { stack, template, assemblyDir: app.outdir };
}
