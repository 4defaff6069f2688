/**
 * `npm run deploy`: cdk deploy, then the outputs into `.env`, so the suite's settings are never copied
 * by hand. The CDK runner and the paths are parameters so tests can drive it without AWS.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, UserError } from '../common/cli-error.ts';
import type { RunCdk } from './cdk-cli.ts';
import {
  DOMAIN_PREFIX_CONTEXT,
  DOMAIN_PREFIX_ENV_KEY,
  HOSTED_UI_OUTPUT,
  STACK_NAME,
} from './deployment-names.ts';
import { checkDomainPrefix } from './domain-prefix.ts';
import { readEnvFile, updateEnvFile } from './env-file.ts';
import { envUpdatesFromOutputs, optionalOutput } from './stack-outputs.ts';

export interface DeployOptions {
  readonly runCdk: RunCdk;
  /** The root `.env`: read for settings, then updated with the outputs. */
  readonly envPath: string;
  /** Absolute path where cdk writes the outputs (the CLI runs in infra/, this process may not). */
  readonly outputsPath: string;
  readonly bootstrap: boolean;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export async function deploy(options: DeployOptions): Promise<void> {
  const fileEnv = await readEnvFile(options.envPath);
  // Like dotenv: the process environment wins over `.env`, which only fills the gaps.
  const settings = { ...fileEnv, ...options.processEnv };
  const prefix = settings[DOMAIN_PREFIX_ENV_KEY];
  const context: string[] = [];
  if (prefix !== undefined && prefix !== '') {
    try {
      context.push('--context', `${DOMAIN_PREFIX_CONTEXT}=${checkDomainPrefix(prefix)}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`${reason} Fix ${DOMAIN_PREFIX_ENV_KEY} in .env, then retry.`, { cause: error });
    }
  }
  // A region written by an earlier deploy keeps later deploys in the same place; only that key and
  // the prefix are taken from `.env`, so the test password never reaches the CDK process.
  const childEnv: NodeJS.ProcessEnv = { ...options.processEnv };
  if (childEnv.AWS_REGION === undefined && fileEnv.AWS_REGION !== undefined)
    childEnv.AWS_REGION = fileEnv.AWS_REGION;

  if (options.bootstrap) await options.runCdk(['bootstrap', ...context], childEnv);
  await options.runCdk(
    ['deploy', STACK_NAME, '--require-approval', 'never', '--outputs-file', options.outputsPath, ...context],
    childEnv,
  );

  let outputs: unknown;
  try {
    outputs = JSON.parse(await readFile(options.outputsPath, 'utf8'));
  } catch (error) {
    throw new UserError(
      `The deploy finished but its outputs could not be read from ${options.outputsPath}: re-run \`npm run deploy\`.`,
      { cause: error },
    );
  }
  const updates = envUpdatesFromOutputs(outputs, STACK_NAME);
  await updateEnvFile(options.envPath, updates);
  options.log(`Deployed ${STACK_NAME}; wrote ${Object.keys(updates).join(', ')} to ${options.envPath}.`);
  const hostedUi = optionalOutput(outputs, STACK_NAME, HOSTED_UI_OUTPUT);
  if (hostedUi !== undefined) options.log(`Hosted UI: ${hostedUi}`);
  options.log('Next: set CONTRACT_USERNAME and CONTRACT_PASSWORD in .env, then run `npm run user`.');
}
