/**
 * `npm run contract`: runs the API's contract with Newman against the embedded local stack (default) or
 * the AWS deployment (`--target aws`, settings from .env), writes the reports, and exits 0 only if every
 * clause passed and no request errored.
 */
import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { apiFromSettings, handlerRef } from '../api/read-description.ts';
import {
  DEFAULT_SETTINGS,
  differsFromDefault,
  parseStrict,
  withRefusalSettings,
} from '../collections/assertions.ts';
import { matrixSetting } from '../collections/plan.ts';
import { listOf, oneOf, parseFlags, wholeNumber } from '../common/args.ts';
import { runCli, UsageError } from '../common/cli-error.ts';
import { type ConfigName, configValue, flagOrEnv, processEnv } from '../common/config-table.ts';
import { guardProcess, onShutdown, shutdown } from '../common/shutdown.ts';
import { formatContractSummary } from '../contract-runner/console-summary.ts';
import { RunInterruptedError } from '../contract-runner/newman-run.ts';
import { REPORTERS } from '../contract-runner/reporters.ts';
import type { ContractOptions } from '../contract-runner/run-contract.ts';
import { AUTH_FLOWS } from '../token-helper/auth-flow.ts';
import { clientCredentialsFromEnv } from '../token-helper/client-credentials.ts';
import { resolveSettings, resolveTarget } from '../token-helper/config.ts';
import { loadDotenvOnce } from '../token-helper/env-file.ts';

const ITERATIONS = { min: 1, max: 10_000 } as const;
const MILLISECONDS = { min: 1, max: 600_000 } as const;

const usage = `Usage: npm run contract -- [flags]

  --target local|aws        local (default): the embedded stack; aws: the deployment named in .env
  --reports-dir DIR         where each run's folder goes (default: reports)
  --reporters LIST          comma-separated from ${REPORTERS.join(',')} (default: all three); cli alone
                            writes no run folder, no summary.json and no index entry
  --iterations N            run the collection N times, ${ITERATIONS.min} to ${ITERATIONS.max} (default 1)
  --timeout-request MS      per-request timeout in milliseconds, ${MILLISECONDS.min} to ${MILLISECONDS.max} (default 10000)
  --max-response-ms MS      response-time bound every clause asserts, ${MILLISECONDS.min} to ${MILLISECONDS.max} (default: the environment's, 10000)
  --api-spec FILE           generate the contract from an API description (CONTRACT_API_SPEC): an API
                            Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM or CloudFormation
                            template (cdk synth output); the local stack then serves that API
  --stage NAME              the stage, for a description that names none (CONTRACT_API_STAGE)
  --api-id ID               the REST API's logical id, in a template that defines several (CONTRACT_API_ID)
  --handler FILE#EXPORT     the Lambda that answers every described method locally (default: a stand-in)
  --collection FILE         run this collection file instead of the one generated in memory from the
                            API description (default: generated; the committed export is never read)
  --matrix planned|full     planned (default): the whole attack catalogue once per authorizer and a
                            fixed sample on the other methods behind it; full: the whole catalogue on
                            every protected method (CONTRACT_MATRIX)
  --pool POOL               when the authorizers name several user pools, the one whose methods are
                            tested: its ARN, id or reference, or an authorizer's name (CONTRACT_POOL);
                            default: the pool protecting the most methods; the methods of the others
                            get their clauses skipped, saying which pool tests them
  --strict FACTS            also assert these open facts of docs/reference.md (comma-separated ids, or
                            all; CONTRACT_STRICT), as the project's guess; the collection is then
                            generated for the run (not with --collection). Default: none
  --refusal-headers NAMES   headers a refusal may carry beyond API Gateway's own (a deployment's CORS or
                            customised gateway responses), comma-separated (CONTRACT_REFUSAL_HEADERS)
  --slowdown-factor N       a refusal takes at most N × the slowest accepted answer + the margin
                            (CONTRACT_SLOWDOWN_FACTOR; default 10)
  --slowdown-margin-ms MS   that margin (CONTRACT_SLOWDOWN_MARGIN_MS; default 2500). These three are
                            settled before generation, like --strict, and summary.json states them
  --force                   sign in even if the saved token is still good (aws)
  --debug                   print stack traces of unexpected failures

Exit code: 0 the run passed (at least one clause ran, none failed); 1 it failed, or the sign-in or
something else went wrong; 2 a flag, .env, --api-spec, --collection or --reports-dir is wrong, or a
local port is taken; 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.
`;

const flagSpec = {
  target: { type: 'string' },
  'reports-dir': { type: 'string' },
  reporters: { type: 'string' },
  iterations: { type: 'string' },
  'timeout-request': { type: 'string' },
  'max-response-ms': { type: 'string' },
  'api-spec': { type: 'string' },
  stage: { type: 'string' },
  'api-id': { type: 'string' },
  handler: { type: 'string' },
  strict: { type: 'string' },
  'refusal-headers': { type: 'string' },
  'slowdown-factor': { type: 'string' },
  'slowdown-margin-ms': { type: 'string' },
  collection: { type: 'string' },
  matrix: { type: 'string' },
  pool: { type: 'string' },
  force: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, flagSpec, { command: 'npm run contract --' });
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const rootDir = process.cwd();
  const dotenvKeys = loadDotenvOnce(resolve(rootDir, '.env'));
  const env = processEnv();
  const target = resolveTarget(flags.target, env);
  const iterations = wholeNumber('--iterations', flags.iterations, ITERATIONS);
  const timeoutRequestMs = wholeNumber('--timeout-request', flags['timeout-request'], MILLISECONDS);
  const maxResponseMs = wholeNumber('--max-response-ms', flags['max-response-ms'], MILLISECONDS);
  const reporters = listOf('--reporters', flags.reporters, REPORTERS);
  // Checked for both targets: on the local target it chooses how the embedded stack is signed in to.
  const authFlow = oneOf('CONTRACT_AUTH_FLOW', configValue(env, 'CONTRACT_AUTH_FLOW'), AUTH_FLOWS);
  const handler = flags.handler === undefined ? undefined : handlerRef(flags.handler);
  const specPath = flagOrEnv(flags['api-spec'], env, 'CONTRACT_API_SPEC');
  const api = await apiFromSettings({ specPath, baseDir: rootDir, flags, env });
  for (const note of api?.notes ?? []) process.stderr.write(`${note}\n`);
  const allowUnprotected = configValue(env, 'CONTRACT_ALLOW_UNPROTECTED');
  const matrix = matrixSetting(flags.matrix, env);
  if (flags.matrix !== undefined && flags.collection !== undefined) {
    throw new UsageError(
      '--matrix chooses how a collection is generated, and --collection gives one already made: drop one of them.',
    );
  }
  const strict =
    flags.strict === undefined
      ? parseStrict('CONTRACT_STRICT', configValue(env, 'CONTRACT_STRICT'))
      : parseStrict('--strict', flags.strict);
  const fromFlagOrEnv = (flag: string, variable: ConfigName, value: string | undefined) =>
    value === undefined ? { source: variable, value: configValue(env, variable) } : { source: flag, value };
  const settled = withRefusalSettings(strict ?? DEFAULT_SETTINGS, {
    refusalHeaders: fromFlagOrEnv('--refusal-headers', 'CONTRACT_REFUSAL_HEADERS', flags['refusal-headers']),
    slowdownFactor: fromFlagOrEnv('--slowdown-factor', 'CONTRACT_SLOWDOWN_FACTOR', flags['slowdown-factor']),
    slowdownMarginMs: fromFlagOrEnv(
      '--slowdown-margin-ms',
      'CONTRACT_SLOWDOWN_MARGIN_MS',
      flags['slowdown-margin-ms'],
    ),
  });
  const expectations = strict !== undefined || differsFromDefault(settled) ? settled : undefined;
  const clientCredentials = clientCredentialsFromEnv(env);
  // Ctrl-C while Newman runs: silence the reporters and abort the run before the stack stops (the
  // cleanups run newest first), so no request fails for want of a stack and reads as an API failure.
  const interrupt = new AbortController();
  let outcome: 'running' | 'completed' | 'failed' = 'running';

  const common = {
    rootDir,
    ...(api ? { api } : {}),
    ...(allowUnprotected ? { allowUnprotected } : {}),
    ...(matrix ? { matrix } : {}),
    ...(expectations ? { expectations } : {}),
    ...(clientCredentials ? { clientCredentials } : {}),
    ...(flags['reports-dir'] ? { reportsDir: flags['reports-dir'] } : {}),
    ...(flags.collection ? { collectionPath: flags.collection } : {}),
    ...(reporters ? { reporters } : {}),
    ...(iterations ? { iterations } : {}),
    ...(timeoutRequestMs ? { timeoutRequestMs } : {}),
    ...(maxResponseMs ? { maxResponseMs } : {}),
    signal: interrupt.signal,
    // A run interrupted before its reports were all written leaves no report: an unfinished report.html
    // (PASSED rows, no verdict banner, no totals) would read as a finished run. Only a run that
    // returned (its summary.json and the index written) keeps its folder.
    onRunFolderCreated: (folder: string) =>
      onShutdown(async () => {
        if (outcome === 'completed') return;
        await rm(folder, { recursive: true, force: true }).catch(() => undefined);
        // Still running when the process was told to stop: interrupted (a failed run said why itself).
        if (outcome === 'running') {
          process.stderr.write(
            `The interrupted run left no report: its folder ${relative(rootDir, folder) || folder} was removed.\n`,
          );
        }
      }),
  };
  const options: ContractOptions =
    target === 'aws'
      ? {
          ...common,
          target,
          settings: resolveSettings('aws', { env, dotenvKeys }),
          ...(flags.force ? { force: true } : {}),
        }
      : {
          ...common,
          target,
          ...(authFlow ? { authFlow } : {}),
          ...(handler ? { handler } : {}),
          onStackStarting: (starting) => {
            // Ctrl-C during the run, or while the stack is still starting, must stop it before the
            // process exits: a start in progress is let finish, then stopped (as npm run stack does).
            onShutdown(async () => (await starting.catch(() => undefined))?.stop());
            onShutdown(() => interrupt.abort());
          },
        };
  if (target === 'aws') onShutdown(() => interrupt.abort());

  try {
    // Loaded only once the flags and settings are valid: it brings the AWS SDK (about 0.3 s of CPU to
    // load, measured in docs/benchmarks.md), which a command refused for its input never needs.
    const { runContract } = await import('../contract-runner/run-contract.ts');
    const result = await runContract(options);
    outcome = 'completed';
    process.stdout.write(formatContractSummary(result, rootDir));
    return result.verdict.passed ? 0 : 1;
  } catch (error) {
    // Interrupted: shutdown() has said so on stderr, in one line, and exits with the signal's code.
    if (error instanceof RunInterruptedError) return new Promise<never>(() => undefined);
    outcome = 'failed';
    throw error;
  }
}

// The SDK's multi-line notice about future Node versions would drown the one-screen summary.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl-C at any moment, even while the stack is still starting, must end through the one exit path.
guardProcess();
runCli(main).then((code) => shutdown(code));
