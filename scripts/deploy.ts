/**
 * `npm run deploy [-- --bootstrap] [--debug]`: deploys the AWS target (infra/) and writes its outputs
 * into `.env`. `--bootstrap` first prepares the account and region for the CDK (needed once).
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../common/args.ts';
import { runCli } from '../common/cli-error.ts';
import { processEnv } from '../common/config-table.ts';
import { INFRA_DIR, runCdk } from '../infra/cdk-cli.ts';
import { deploy } from '../infra/deploy.ts';

const ENV_PATH = fileURLToPath(new URL('../.env', import.meta.url));

await runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { bootstrap: { type: 'boolean' }, debug: { type: 'boolean' }, help: { type: 'boolean' } },
    { command: 'npm run deploy --' },
  );
  if (flags.help) {
    process.stdout.write(
      'Usage: npm run deploy [-- --bootstrap] [--debug]\n  --bootstrap  run `cdk bootstrap` first (once per account and region)\n',
    );
    return 0;
  }
  await deploy({
    runCdk,
    envPath: ENV_PATH,
    outputsPath: join(INFRA_DIR, 'cdk.out', 'outputs.json'),
    bootstrap: flags.bootstrap === true,
    processEnv: processEnv(),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  return 0;
});
