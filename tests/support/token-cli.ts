/**
 * Runs `npm run token` (node common/run-ts.mjs scripts/token.ts) as a user would, in a directory of the test's choosing and with only
 * the environment the test gives (plus PATH), so neither the developer's .env, AWS profile nor a
 * running `npm run stack` can leak in.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The launcher every npm script runs (package.json): one process, where the tsx CLI started two. */
const launcher = join(repoRoot, 'common', 'run-ts.mjs');
const script = join(repoRoot, 'scripts', 'token.ts');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runTokenCli(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env?: Readonly<Record<string, string>>;
    readonly timeoutMs?: number;
  },
): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [launcher, script, ...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: options.cwd,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * A complete, valid `--target aws` configuration whose Cognito is `endpoint` (a fake or the emulator),
 * for CLI tests that then break or add one key through `extra`.
 */
export function awsCliEnv(
  endpoint: string,
  password: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CONTRACT_TARGET: 'aws',
    API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
    AWS_REGION: 'us-east-1',
    COGNITO_USER_POOL_ID: 'us-east-1_AbCdEf123',
    COGNITO_CLIENT_ID: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
    COGNITO_ENDPOINT: endpoint,
    CONTRACT_USERNAME: 'contract-tester',
    CONTRACT_PASSWORD: password,
    ...extra,
  };
}
