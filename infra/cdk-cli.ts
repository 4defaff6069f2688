/**
 * Runs the AWS CDK CLI from infra's own install. The CLI is not a root dependency (see README: the root
 * `npm ci` stays lean), so its absence is the most likely failure and gets its own sentence.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, UserError } from '../common/cli-error.ts';

export const INFRA_DIR = fileURLToPath(new URL('.', import.meta.url));
export const CDK_BIN = fileURLToPath(new URL('node_modules/.bin/cdk', import.meta.url));
export const INSTALL_COMMAND = 'npm ci --prefix infra';

/** Runs `cdk <args>` in infra/ with the terminal attached (deploys ask questions and show progress). */
export type RunCdk = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<void>;

export const runCdk: RunCdk = async (args, env) => {
  if (!existsSync(CDK_BIN)) {
    throw new UsageError(`The AWS CDK is not installed in infra/: run \`${INSTALL_COMMAND}\`, then retry.`);
  }
  const child = spawn(CDK_BIN, [...args], { cwd: INFRA_DIR, env, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new UserError(
      `\`cdk ${args[0] ?? ''}\` failed (exit ${String(code)}): read the CDK message above; "Unable to resolve AWS account" means no AWS credentials (set AWS_PROFILE or run \`aws sso login\`), and "not bootstrapped" means run \`npm run deploy -- --bootstrap\` once per account and region.`,
    );
  }
};
