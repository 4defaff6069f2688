/**
 * `npm run contract`: runs the API's contract with Newman against the embedded local stack (default) or
 * the AWS deployment (`--target aws`, settings from .env), writes the reports, and exits 0 only if every
 * clause passed and no request errored.
 */
import { rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags } from '../common/args.ts';
import { runCli, UsageError } from '../common/cli-error.ts';
import { guardProcess, onShutdown, shutdown } from '../common/shutdown.ts';
import { formatContractSummary } from '../contract-runner/console-summary.ts';
import type { ReporterName } from '../contract-runner/newman-run.ts';
import { resolveSettings, resolveTarget } from '../token-helper/config.ts';
import { loadDotenvOnce } from '../token-helper/env-file.ts';

const usage = `Usage: npm run contract -- [flags]

  --target local|aws        local (default): the embedded stack; aws: the deployment named in .env
  --reports-dir DIR         where each run's folder goes (default: reports)
  --reporters LIST          comma-separated from cli,htmlextra,junit (default: all three)
  --iterations N            run the collection N times (default 1)
  --timeout-request MS      per-request timeout in milliseconds (default 10000)
  --max-response-ms MS      response-time bound every clause asserts (default: the environment's, 10000)
  --collection PATH         collection file (default: collections/hello-api.postman_collection.json)
  --force                   sign in even if the saved token is still good (aws)
  --debug                   print stack traces of unexpected failures
`;

const flagSpec = {
  target: { type: 'string' },
  'reports-dir': { type: 'string' },
  reporters: { type: 'string' },
  iterations: { type: 'string' },
  'timeout-request': { type: 'string' },
  'max-response-ms': { type: 'string' },
  collection: { type: 'string' },
  force: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function positiveInteger(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(
      `Flag --${flag} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

function reporterList(value: string | undefined): ReporterName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((name) => name.trim());
  const known: readonly string[] = ['cli', 'htmlextra', 'junit'];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(
      `Unknown reporter ${unknown.join(', ') || '(none)'} in --reporters: choose from cli, htmlextra, junit.`,
    );
  }
  return names as ReporterName[];
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, flagSpec, { command: 'npm run contract --' });
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const rootDir = process.cwd();
  const dotenvKeys = loadDotenvOnce(resolve(rootDir, '.env'));
  const target = resolveTarget(flags.target, process.env);
  const iterations = positiveInteger('iterations', flags.iterations, 10_000);
  const timeoutRequestMs = positiveInteger('timeout-request', flags['timeout-request'], 600_000);
  const maxResponseMs = positiveInteger('max-response-ms', flags['max-response-ms'], 600_000);
  const reporters = reporterList(flags.reporters);
  const settings = target === 'aws' ? resolveSettings('aws', { env: process.env, dotenvKeys }) : undefined;

  // Loaded only once the flags and settings are valid: it brings the AWS SDK (about 0.3 s of CPU to
  // load, measured in docs/benchmarks.md), which a command refused for its input never needs.
  const { runContract } = await import('../contract-runner/run-contract.ts');
  const result = await runContract({
    target,
    rootDir,
    ...(settings ? { settings } : {}),
    ...(flags['reports-dir'] ? { reportsDir: flags['reports-dir'] } : {}),
    ...(flags.collection ? { collectionPath: flags.collection } : {}),
    ...(reporters ? { reporters } : {}),
    ...(iterations ? { iterations } : {}),
    ...(timeoutRequestMs ? { timeoutRequestMs } : {}),
    ...(maxResponseMs ? { maxResponseMs } : {}),
    ...(flags.force ? { force: true } : {}),
    // Ctrl-C during the run must still stop the stack before the process exits.
    onStackStarted: (stack) => onShutdown(() => stack.stop()),
    // A run interrupted before its reports were written leaves no empty folder (rmdir keeps a non-empty one).
    onRunFolderCreated: (folder) => onShutdown(() => rmdir(folder).catch(() => undefined)),
  });
  process.stdout.write(formatContractSummary(result, rootDir));
  return result.passed ? 0 : 1;
}

// The SDK's multi-line notice about future Node versions would drown the one-screen summary.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl-C at any moment, even while the stack is still starting, must end through the one exit path.
guardProcess();
runCli(main).then((code) => shutdown(code));
