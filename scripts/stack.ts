/**
 * `npm run stack`: the embedded local stack for interactive use. Prints, once ready, the settings that
 * another shell or a CI step needs as dotenv lines (never the password), writes them with the password to
 * a private file that `npm run token` reads, and runs until Ctrl-C.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseFlags } from '../common/args.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { runCli, UsageError } from '../common/cli-error.ts';
import { onShutdown, shutdown } from '../common/shutdown.ts';
import { startStack } from '../local-stack/stack.ts';

export const DEFAULT_API_PORT = 3000;
export const DEFAULT_COGNITO_PORT = 9229;
export const stackStateFile = resolve(
  import.meta.dirname,
  '..',
  'environments',
  'generated',
  'local.stack.json',
);

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(
      `${name} must be a port number from 0 to 65535 (0 picks a free port), not "${raw}".`,
    );
  }
  return port;
}

const usage = `Usage: npm run stack [-- --help]

Starts a local Cognito and a local API Gateway in front of the Lambda on 127.0.0.1 and runs until Ctrl-C.
Ports: LOCAL_API_PORT (default ${DEFAULT_API_PORT}) and LOCAL_COGNITO_PORT (default ${DEFAULT_COGNITO_PORT}); 0 picks a free port.
The test user's password is CONTRACT_PASSWORD if set, otherwise random; it is written only to
${relative(process.cwd(), stackStateFile)} (mode 0600), never printed.`;

async function main(argv: readonly string[]): Promise<number | undefined> {
  const flags = parseFlags(
    argv,
    { help: { type: 'boolean' }, debug: { type: 'boolean' } },
    { command: 'npm run stack --' },
  );
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const apiPort = portFromEnv('LOCAL_API_PORT', DEFAULT_API_PORT);
  const cognitoPort = portFromEnv('LOCAL_COGNITO_PORT', DEFAULT_COGNITO_PORT);
  const password = process.env.CONTRACT_PASSWORD;

  const started = Date.now();
  const stack = await startStack({
    apiPort,
    cognitoPort,
    ...(password ? { password } : {}),
    ...(process.env.CONTRACT_USERNAME ? { username: process.env.CONTRACT_USERNAME } : {}),
  });
  onShutdown(() => stack.stop());

  const { cognito } = stack;
  await mkdir(dirname(stackStateFile), { recursive: true });
  onShutdown(() => rm(stackStateFile, { force: true }));
  await writeFileAtomic(
    stackStateFile,
    `${JSON.stringify(
      {
        apiUrl: stack.apiUrl,
        cognitoEndpoint: cognito.endpoint,
        region: cognito.region,
        userPoolId: cognito.userPoolId,
        clientId: cognito.clientId,
        username: cognito.username,
        password: cognito.password,
      },
      null,
      2,
    )}\n`,
  );

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
      `# The password is in ${relative(process.cwd(), stackStateFile)} (mode 0600); \`npm run token\` reads it from there.`,
      '# Press Ctrl-C to stop; nothing is left running.',
      '',
    ].join('\n'),
  );
  // Keep running until a signal or the parent's death calls shutdown().
  await new Promise<never>(() => undefined);
  return undefined;
}

runCli(main).then(
  (code) => {
    if (code !== 0) void shutdown(code);
  },
  () => void shutdown(1),
);
