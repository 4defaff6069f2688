/**
 * `npm run stack`: the embedded local stack for interactive use. Prints, once ready, the settings that
 * another shell or a CI step needs as dotenv lines (never the password), writes them with the password to
 * a private file that `npm run token` reads, and runs until Ctrl-C.
 */
import { relative } from 'node:path';
import { choosePool, poolLines } from '../api/pools.ts';
import { apiFromSettings, handlerRef } from '../api/read-description.ts';
import { oneOf, parseFlags, wholeNumber } from '../common/args.ts';
import { runCli } from '../common/cli-error.ts';
import { CONFIG_TABLE, configValue, type Env, flagOrEnv, processEnv } from '../common/config-table.ts';
import { guardProcess, onShutdown, shutdown } from '../common/shutdown.ts';
import {
  claimStackFiles,
  LOCAL_STACK_FILE,
  QA_ENVIRONMENT_FILE,
  writeQaEnvironment,
  writeStackSettings,
} from '../local-stack/stack-files.ts';
import { AUTH_FLOWS } from '../token-helper/auth-flow.ts';

/**
 * What only a stack that will start needs: the local Cognito and gateway, the token helper, the attacker's
 * server. Loaded once the flags, the environment and the stack files have been checked, so `--help` and
 * every refusal answer without loading them (as scripts/contract.ts loads its runner).
 */
async function loadStackModules() {
  const [localStack, qaEnvironment, attackerServer, tokenHelper] = await Promise.all([
    import('../local-stack/stack.ts'),
    import('../local-stack/qa-environment.ts'),
    import('../security/attacker-server.ts'),
    import('../token-helper/index.ts'),
  ]);
  return {
    startStack: localStack.startStack,
    stackQaEnvironment: qaEnvironment.stackQaEnvironment,
    startAttackerServer: attackerServer.startAttackerServer,
    obtainToken: tokenHelper.obtainToken,
    settingsFromLocalStack: tokenHelper.settingsFromLocalStack,
  };
}

export const DEFAULT_API_PORT = Number(CONFIG_TABLE.LOCAL_API_PORT.default);
export const DEFAULT_COGNITO_PORT = Number(CONFIG_TABLE.LOCAL_COGNITO_PORT.default);
const PORT = { min: 0, max: 65_535, note: '(0 picks a free port)' } as const;

function portFromEnv(env: Env, name: 'LOCAL_API_PORT' | 'LOCAL_COGNITO_PORT', fallback: number): number {
  return wholeNumber(name, configValue(env, name), PORT) ?? fallback;
}

const usage = `Usage: npm run stack [-- --api-spec FILE [--stage NAME] [--handler FILE#EXPORT]]

Starts a local Cognito and a local API Gateway in front of the Lambda on 127.0.0.1 and runs until Ctrl-C.
  --api-spec FILE        serve the API a file describes instead of api/routes.ts (CONTRACT_API_SPEC): an API
                         Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM or CloudFormation
                         template; each method answers 200 JSON from a stand-in handler
  --stage NAME           the stage, for a file that names none (CONTRACT_API_STAGE); wins over the file's
  --api-id ID            the REST API's logical id, in a template that defines several (CONTRACT_API_ID)
  --pool POOL            when the authorizers name several user pools, the one the test user belongs to
                         (CONTRACT_POOL; as npm run contract); the others' authorizers refuse its tokens
  --handler FILE#EXPORT  a Lambda handler (TypeScript or JavaScript module) to answer every described method
Ports: LOCAL_API_PORT (default ${DEFAULT_API_PORT}) and LOCAL_COGNITO_PORT (default ${DEFAULT_COGNITO_PORT}); 0 picks a free port.
The test user's password is CONTRACT_PASSWORD if set, otherwise random; it is written only to
${LOCAL_STACK_FILE} (mode 0600), never printed. One stack per checkout: a second one refuses to start
while the first runs. Exit code 2 for a bad setting, a taken port or a stack already running.`;

// The SDK's multi-line notice about future Node versions is noise in this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: readonly string[]): Promise<number | undefined> {
  const flags = parseFlags(
    argv,
    {
      help: { type: 'boolean' },
      debug: { type: 'boolean' },
      'api-spec': { type: 'string' },
      handler: { type: 'string' },
      stage: { type: 'string' },
      'api-id': { type: 'string' },
      pool: { type: 'string' },
    },
    { command: 'npm run stack --' },
  );
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const env = processEnv();
  const apiPort = portFromEnv(env, 'LOCAL_API_PORT', DEFAULT_API_PORT);
  const cognitoPort = portFromEnv(env, 'LOCAL_COGNITO_PORT', DEFAULT_COGNITO_PORT);
  const password = configValue(env, 'CONTRACT_PASSWORD');
  const username = configValue(env, 'CONTRACT_USERNAME');
  // How the stack signs its QA environment in: checked here like everywhere else, before anything starts.
  const authFlow = oneOf('CONTRACT_AUTH_FLOW', configValue(env, 'CONTRACT_AUTH_FLOW'), AUTH_FLOWS);
  // Several user pools: the seeded user stands for the chosen one (api/pools.ts), as in npm run contract.
  const specPath = flagOrEnv(flags['api-spec'], env, 'CONTRACT_API_SPEC');
  const api = await apiFromSettings({ specPath, baseDir: process.cwd(), flags, env });
  for (const note of api?.notes ?? []) process.stderr.write(`${note}\n`);
  for (const line of api === undefined ? [] : poolLines(choosePool(api))) process.stderr.write(`${line}\n`);
  const handler = flags.handler === undefined ? undefined : handlerRef(flags.handler);
  // `npm run` starts every command in the package root: the stack's files belong to that checkout.
  const rootDir = process.cwd();

  // Before anything starts: another stack of this checkout would have its files overwritten.
  const claim = await claimStackFiles(rootDir);
  onShutdown(() => claim.release());
  const { paths } = claim;
  const { startStack, stackQaEnvironment, startAttackerServer, obtainToken, settingsFromLocalStack } =
    await loadStackModules();

  const started = Date.now();
  const starting = startStack({
    apiPort,
    cognitoPort,
    ...(api ? { api } : {}),
    ...(handler ? { handler } : {}),
    ...(password ? { password } : {}),
    ...(username ? { username } : {}),
  });
  // Registered before start-up finishes, so a Ctrl-C during start-up still waits for the stack and
  // stops it (a failed start has already cleaned up after itself).
  onShutdown(async () => (await starting.catch(() => undefined))?.stop());
  const stack = await starting;

  const { cognito } = stack;
  await writeStackSettings(paths, {
    pid: process.pid,
    apiUrl: stack.apiUrl,
    cognitoEndpoint: cognito.endpoint,
    region: cognito.region,
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    username: cognito.username,
    password: cognito.password,
  });

  // For QA in the Postman app: everything the collection needs, including the password it signs in
  // with when the token runs out. Private (0600, gitignored) and removed when the stack stops.
  const token = await obtainToken(
    { ...settingsFromLocalStack(stack), ...(authFlow ? { authFlow } : {}) },
    { write: false },
  );
  // The jku and x5u rows point at the attacker's server, so a weakened gateway would really fetch from it.
  const attacker = await startAttackerServer();
  onShutdown(() => attacker.stop());
  await writeQaEnvironment(paths, stackQaEnvironment(stack, token, attacker, api?.name).environment);

  process.stdout.write(
    [
      `# Local stack ready in ${Date.now() - started} ms. Settings for another shell or a CI step:`,
      `CONTRACT_TARGET=local`,
      `API_URL=${stack.apiUrl}`,
      `AWS_REGION=${cognito.region}`,
      `COGNITO_ENDPOINT=${cognito.endpoint}`,
      `COGNITO_USER_POOL_ID=${cognito.userPoolId}`,
      `COGNITO_CLIENT_ID=${cognito.clientId}`,
      `CONTRACT_USERNAME=${cognito.username}`,
      `# The password is in ${relative(rootDir, paths.settings)} (mode 0600); \`npm run token\` reads it from there.`,
      `# Postman app: import ${QA_ENVIRONMENT_FILE} (mode 0600) with the collection.`,
      '# Press Ctrl-C to stop; nothing is left running.',
      '',
    ].join('\n'),
  );
  // Keep running until a signal or the parent's death calls shutdown().
  await new Promise<never>(() => undefined);
  return undefined;
}

// Ctrl-C at any moment, even while the stack is still starting, must end through the one exit path.
guardProcess();
runCli(main).then(
  (code) => {
    if (code !== 0) void shutdown(code);
  },
  () => void shutdown(1),
);
