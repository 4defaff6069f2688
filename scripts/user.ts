/**
 * `npm run user [-- --debug]`: creates or resets the contract's test user in the deployed pool, with
 * the permanent password from `.env`. Prints the username, never the password.
 */
import { fileURLToPath } from 'node:url';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parseFlags } from '../common/args.ts';
import { runCli } from '../common/cli-error.ts';
import { processEnv } from '../common/config-table.ts';
import { readEnvFile } from '../infra/env-file.ts';
import { ensureTestUser, testUserSettings } from '../infra/test-user.ts';

const ENV_PATH = fileURLToPath(new URL('../.env', import.meta.url));

await runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { debug: { type: 'boolean' }, help: { type: 'boolean' } },
    { command: 'npm run user --' },
  );
  if (flags.help) {
    process.stdout.write(
      'Usage: npm run user [-- --debug]\n  reads AWS_REGION, COGNITO_USER_POOL_ID, CONTRACT_USERNAME, CONTRACT_PASSWORD from .env\n',
    );
    return 0;
  }
  // Like dotenv: the process environment wins over `.env`.
  const settings = testUserSettings({ ...(await readEnvFile(ENV_PATH)), ...processEnv() });
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    // A wrong region or a dead network must end in an error, not a hang.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  });
  const outcome = await ensureTestUser(client, settings);
  process.stdout.write(
    `Test user ${settings.username} ${outcome} in ${settings.userPoolId} (password from .env).\n`,
  );
  return 0;
});
