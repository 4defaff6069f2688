/**
 * Measure 4: how many times each way of running the contract calls Cognito, counted by a proxy in front
 * of the running stack's emulator (every sign-in operation by its X-Amz-Target).
 *
 * "A second `npm run contract` within the token's validity": `--target local` starts a new stack, hence
 * a new pool, on every run, and a token from another pool can never be reused, so its every run signs in
 * once by design. The reuse the token helper promises applies to a stack (or deployment) that outlives
 * the run: here the running stack, reached through the .env-style settings (API_URL, COGNITO_ENDPOINT,
 * … as `npm run stack` prints them) with `--target aws`, which keeps the token in
 * `environments/generated/aws.postman_environment.json`. That file lives in a throw-away project root
 * (the run's working directory), so a developer's real AWS token is neither read nor overwritten.
 * Expected: the first run 1 sign-in (AdminInitiateAuth), the second 0.
 *
 * "A Newman run of N iterations": the bare CLI with the stack's environment stripped of its token, so the
 * collection-level pre-request script must sign in by itself, with SRP (its default `auth_flow`: InitiateAuth
 * and RespondToAuthChallenge). Expected: exactly that one sign-in, 2 calls, for all N iterations, since the
 * token it stores stays valid for the whole run. Only the tutorial's folder
 * (5 requests) is iterated: the sign-in decision is the collection-level pre-request script, which runs
 * before every request of every folder alike, and the whole collection 100 times takes over a minute
 * on a loaded 2-core machine.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CountingProxy, startCountingProxy } from '../../tests/support/counting-proxy.ts';
import { CONFIG_KEYS } from '../../token-helper/config.ts';
import { failure, newmanBin, npmScriptArgs, repoRoot, timeCommand } from '../support/processes.ts';
import { COLLECTION } from './contract-vs-newman.ts';

const TUTORIAL_FOLDER = "The tutorial's contract";

const OPERATIONS = [
  'AdminInitiateAuth',
  'InitiateAuth',
  'AdminRespondToAuthChallenge',
  'RespondToAuthChallenge',
].map((name) => `AWSCognitoIdentityProviderService.${name}`);

export interface CallCount {
  readonly what: string;
  readonly expected: number;
  readonly calls: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly ms: number;
}

function tally(proxy: CountingProxy): { calls: number; byOperation: Record<string, number> } {
  const byOperation: Record<string, number> = {};
  let calls = 0;
  for (const target of OPERATIONS) {
    const n = proxy.count(target);
    calls += n;
    if (n > 0) byOperation[target.split('.').pop() ?? target] = n;
  }
  return { calls, byOperation };
}

interface EnvironmentFile {
  values: { key: string; value: string; type?: string; enabled?: boolean }[];
}

function variable(environment: EnvironmentFile, key: string): string {
  const value = environment.values.find((v) => v.key === key)?.value;
  if (typeof value !== 'string' || value === '') throw new Error(`the stack's environment has no ${key}`);
  return value;
}

export async function measureCognitoCalls(input: {
  readonly settings: Readonly<Record<string, string>>;
  readonly environmentPath: string;
  readonly workDir: string;
  readonly iterations: number;
  readonly log: (line: string) => void;
}): Promise<CallCount[]> {
  const endpoint = input.settings.COGNITO_ENDPOINT;
  if (!endpoint) throw new Error('the running stack printed no COGNITO_ENDPOINT');
  const environment = JSON.parse(await readFile(input.environmentPath, 'utf8')) as EnvironmentFile;
  const proxy = await startCountingProxy(`${endpoint}/`);
  try {
    const results: CallCount[] = [];

    // A throw-away project root: the aws environment template, nothing else (no .env, no saved token).
    const root = join(input.workDir, 'project-root');
    await mkdir(join(root, 'environments'), { recursive: true });
    await copyFile(
      resolve(repoRoot, 'environments', 'aws.postman_environment.json'),
      join(root, 'environments', 'aws.postman_environment.json'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const spec of CONFIG_KEYS) delete env[spec.env];
    delete env.CONTRACT_TARGET;
    Object.assign(env, {
      API_URL: input.settings.API_URL,
      AWS_REGION: input.settings.AWS_REGION,
      COGNITO_ENDPOINT: proxy.url.replace(/\/$/, ''),
      COGNITO_USER_POOL_ID: input.settings.COGNITO_USER_POOL_ID,
      COGNITO_CLIENT_ID: input.settings.COGNITO_CLIENT_ID,
      CONTRACT_USERNAME: input.settings.CONTRACT_USERNAME,
      CONTRACT_PASSWORD: variable(environment, 'password'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    // The script path made absolute: this run's working directory is the throw-away root.
    const contractArgs = [
      ...npmScriptArgs('contract'),
      '--target',
      'aws',
      '--reporters',
      'cli',
      '--collection',
      COLLECTION,
    ];
    for (const [what, expected] of [
      ['1st npm run contract, running stack (.env-style, --target aws)', 1],
      ['2nd npm run contract, token still valid', 0],
    ] as const) {
      proxy.reset();
      const run = await timeCommand(contractArgs, { cwd: root, env });
      if (run.code !== 0) throw failure(what, run);
      results.push({ what, expected, ...tally(proxy), ms: run.ms });
      input.log(`  ${what}: ${tally(proxy).calls} Cognito call(s)`);
    }

    // The collection signs in by itself: no token in the environment, Cognito reached through the proxy.
    const tokenless = {
      ...environment,
      values: environment.values.map((v) =>
        v.key === 'id_token' ||
        v.key === 'id_token_exp' ||
        v.key === 'access_token' ||
        v.key === 'refresh_token'
          ? { ...v, value: '' }
          : v.key === 'cognito_endpoint'
            ? { ...v, value: proxy.url }
            : v,
      ),
    };
    const tokenlessPath = join(input.workDir, 'tokenless.postman_environment.json');
    await writeFile(tokenlessPath, JSON.stringify(tokenless), { mode: 0o600 });
    proxy.reset();
    const what = `newman run -n ${input.iterations} (tutorial folder), no token`;
    const run = await timeCommand(
      [
        newmanBin,
        'run',
        COLLECTION,
        '-e',
        tokenlessPath,
        '-n',
        String(input.iterations),
        '--folder',
        TUTORIAL_FOLDER,
        '--silent',
      ],
      { timeoutMs: 600_000 },
    );
    if (run.code !== 0) throw failure(what, run);
    results.push({ what, expected: 2, ...tally(proxy), ms: run.ms });
    input.log(`  ${what}: ${tally(proxy).calls} Cognito call(s)`);
    return results;
  } finally {
    await proxy.close();
  }
}
