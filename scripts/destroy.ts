/**
 * `npm run destroy [-- --debug]`: deletes the whole AWS target, the user pool and its users included
 * (every resource is DESTROY on removal). `.env` keeps its keys; the next deploy overwrites them.
 */

import { parseFlags } from '../common/args.ts';
import { runCli } from '../common/cli-error.ts';
import { processEnv } from '../common/config-table.ts';
import { runCdk } from '../infra/cdk-cli.ts';
import { STACK_NAME } from '../infra/deployment-names.ts';

await runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { debug: { type: 'boolean' }, help: { type: 'boolean' } },
    { command: 'npm run destroy --' },
  );
  if (flags.help) {
    process.stdout.write(
      `Usage: npm run destroy [-- --debug]\n  deletes the ${STACK_NAME} stack without asking\n`,
    );
    return 0;
  }
  // --force: the script is the confirmation; CI and scripts have no terminal to answer a prompt.
  await runCdk(['destroy', STACK_NAME, '--force'], processEnv());
  process.stdout.write(`Destroyed ${STACK_NAME}.\n`);
  return 0;
});
