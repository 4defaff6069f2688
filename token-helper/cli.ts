/**
 * `npm run token`: flags and environment in, a Postman environment file and a short summary out.
 * scripts/token.ts runs this under runCli, which turns UserErrors into one line and an exit code.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decimalNumber, parseFlags } from '../common/args.ts';
import { UsageError } from '../common/cli-error.ts';
import { type Env, processEnv } from '../common/config-table.ts';
import { errorCode } from '../common/records.ts';
import { clientCredentialsFromEnv } from './client-credentials.ts';
import { resolveSettings, resolveTarget } from './config.ts';
import { ConfigurationError, SignInError } from './diagnosis.ts';
import { loadDotenvOnce } from './env-file.ts';
import { readIdTokenClaims, readUnverifiedToken, TokenFormatError } from './jwt-claims.ts';
import { LOCAL_STACK_FILE, readLocalStackFile } from './local-stack-file.ts';
import { defaultOutPath, displayPath, obtainToken } from './obtain-token.ts';
import { getVariable, ID_TOKEN, parsePostmanEnvironment } from './postman-environment.ts';
import { formatDecoded, formatSummary } from './summary.ts';

export const TOKEN_FLAGS = {
  target: { type: 'string' },
  out: { type: 'string' },
  template: { type: 'string' },
  force: { type: 'boolean' },
  decode: { type: 'boolean' },
  timeout: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'api-url': { type: 'string' },
  region: { type: 'string' },
  'user-pool-id': { type: 'string' },
  'client-id': { type: 'string' },
  'cognito-endpoint': { type: 'string' },
  username: { type: 'string' },
  'auth-flow': { type: 'string' },
} as const;

export const USAGE = `Usage: npm run token -- [flags]

Signs the test user in through Cognito and writes a Postman environment with the ID token
(mode 0600, gitignored). Settings come from the environment and .env (see .env.example); for
--target local they come from a running \`npm run stack\`. Passwords and the client secret are
read only from the environment or .env, never from flags. With CONTRACT_OAUTH_TOKEN_URL,
CONTRACT_OAUTH_CLIENT_ID and CONTRACT_OAUTH_CLIENT_SECRET set (.env.example), it also writes an access
token carrying the API's custom scopes (client_credentials grant) as scoped_access_token.

  --target local|aws      which system (CONTRACT_TARGET; default local)
  --out PATH              where to write (default environments/generated/<target>.postman_environment.json)
  --template PATH         template to fill (default environments/<target>.postman_environment.json)
  --force                 sign in even if the saved token has more than 5 minutes left
  --decode                print the saved token's header and claims (decoded locally) and exit
  --timeout SECONDS       per-attempt Cognito timeout (default 5, two attempts at most)
  --api-url URL           API_URL
  --region REGION         AWS_REGION
  --user-pool-id ID       COGNITO_USER_POOL_ID
  --client-id ID          COGNITO_CLIENT_ID
  --cognito-endpoint URL  COGNITO_ENDPOINT (an emulator)
  --username NAME         CONTRACT_USERNAME
  --auth-flow FLOW        CONTRACT_AUTH_FLOW: auto (default: what the app client allows), srp,
                          admin-srp, admin-password or password; a saved refresh token is always
                          tried first (REFRESH_TOKEN_AUTH)
  --debug                 print stack traces on failure
  -h, --help              this text
`;

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: Env;
}

export async function tokenCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const cwd = io.cwd ?? process.cwd();
  const flags = parseFlags(argv, TOKEN_FLAGS, { command: 'npm run token --' });
  if (flags.help === true) {
    stdout.write(USAGE);
    return 0;
  }
  const dotenvKeys = io.env === undefined ? loadDotenvOnce(resolve(cwd, '.env')) : new Set<string>();
  const env = io.env ?? processEnv();
  const target = resolveTarget(flags.target, env);
  if (flags.out === '')
    throw new ConfigurationError(
      'configuration-invalid',
      'Flag --out is empty: give it a file path, as in --out PATH.',
    );
  if (flags.template === '')
    throw new ConfigurationError(
      'configuration-invalid',
      'Flag --template is empty: give it a file path, as in --template PATH.',
    );
  const outPath = flags.out === undefined ? defaultOutPath(target, cwd) : resolve(cwd, flags.out);

  if (flags.decode === true) {
    stdout.write(await decodeSavedToken(outPath, target));
    return 0;
  }

  const timeoutMs = parseTimeout(flags.timeout);
  // CONTRACT_OAUTH_*: also an access token with the API's custom scopes (client_credentials).
  const clientCredentials = clientCredentialsFromEnv(env);
  const stackFile = resolve(cwd, LOCAL_STACK_FILE);
  const stack = target === 'local' ? await readLocalStackFile(stackFile, displayPath(stackFile)) : undefined;
  const settings = resolveSettings(target, {
    env,
    dotenvKeys,
    flags: {
      'api-url': flags['api-url'],
      region: flags.region,
      'user-pool-id': flags['user-pool-id'],
      'client-id': flags['client-id'],
      'cognito-endpoint': flags['cognito-endpoint'],
      username: flags.username,
      'auth-flow': flags['auth-flow'],
    },
    ...(stack === undefined ? {} : { stack }),
    stackFileLabel: displayPath(stackFile),
  });
  const result = await obtainToken(settings, {
    rootDir: cwd,
    // Only a user's --out is passed on: the default place is created if missing, a user's directory is not.
    ...(flags.out === undefined ? {} : { outPath }),
    ...(flags.template === undefined ? {} : { templatePath: resolve(cwd, flags.template) }),
    force: flags.force === true,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(clientCredentials === undefined ? {} : { clientCredentials }),
  });
  stdout.write(formatSummary(result));
  return 0;
}

function parseTimeout(value: string | undefined): number | undefined {
  let seconds: number | undefined;
  try {
    seconds = decimalNumber('--timeout', value, { min: 0.1, max: 120, unit: 'seconds' });
  } catch (error) {
    // The one message shape of common/args.ts, with the token helper's diagnosis code.
    if (error instanceof UsageError) throw new ConfigurationError('configuration-invalid', error.message);
    throw error;
  }
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

async function decodeSavedToken(path: string, target: string): Promise<string> {
  const shown = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new SignInError(
        'saved-token-missing',
        `There is no saved token at ${shown}: run \`npm run token -- --target ${target}\` first.`,
      );
    }
    throw new SignInError(
      'saved-token-unreadable',
      `The file ${shown} cannot be read (${errorCode(error) ?? 'unknown error'}): check its permissions.`,
    );
  }
  let token: string | undefined;
  try {
    token = getVariable(parsePostmanEnvironment(JSON.parse(text)), ID_TOKEN);
  } catch {
    throw new SignInError(
      'saved-token-unreadable',
      `The file ${shown} is not a Postman environment: run \`npm run token -- --force\` to write it again.`,
    );
  }
  if (token === undefined || token === '') {
    throw new SignInError(
      'saved-token-missing',
      `The file ${shown} holds no id_token: run \`npm run token -- --target ${target}\` first.`,
    );
  }
  let decoded: ReturnType<typeof readUnverifiedToken>;
  try {
    decoded = readUnverifiedToken(token);
  } catch (error) {
    const reason = error instanceof TokenFormatError ? error.message : 'it cannot be decoded';
    throw new SignInError(
      'saved-token-unreadable',
      `The id_token in ${shown} is not a JWT (${reason}): run \`npm run token -- --force\` to replace it.`,
    );
  }
  let claims: ReturnType<typeof readIdTokenClaims> | undefined;
  try {
    claims = readIdTokenClaims(decoded.payload);
  } catch {
    claims = undefined;
  }
  return formatDecoded(decoded, claims, path);
}
