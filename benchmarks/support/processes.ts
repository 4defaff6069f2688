/**
 * Child processes for the bench: every measured command runs as its own process, started with `node`
 * directly (not through npm or npx, whose own start-up would add a few hundred milliseconds to both
 * sides of every comparison), timed from spawn to exit, and killed by its own pid if it overstays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The launcher of every npm script (common/run-ts.mjs), absolute so that any working directory works. */
export const launcher = resolve(repoRoot, 'common', 'run-ts.mjs');

/** The command line of an npm script as package.json spells it, e.g. `node common/run-ts.mjs scripts/contract.ts`. */
export function npmScriptCommand(name: string): string {
  const manifest = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const command = manifest.scripts?.[name];
  if (command === undefined) throw new Error(`package.json has no script named ${name}`);
  return command;
}

/**
 * The node arguments of an npm script such as `node common/run-ts.mjs scripts/contract.ts`, so the bench
 * times exactly what `npm run <name>` runs, minus npm's own start-up. File arguments (and an `--import`
 * specifier) are made absolute so the command also works from another working directory.
 */
export function npmScriptArgs(name: string): string[] {
  const words = npmScriptCommand(name).split(/\s+/);
  if (words[0] !== 'node') throw new Error(`npm run ${name} is not a plain node command: ${words.join(' ')}`);
  return words.slice(1).map((arg, i, args) => {
    if (args[i - 1] === '--import') return import.meta.resolve(arg);
    return /\.m?[jt]s$/.test(arg) ? resolve(repoRoot, arg) : arg;
  });
}

/** The node arguments that run `entry` (a .ts file of the repository) the way the npm scripts do. */
export function launcherArgs(entry: string): string[] {
  const words = npmScriptArgs('stack');
  return [...words.slice(0, -1), resolve(repoRoot, entry)];
}
export const newmanBin = resolve(repoRoot, 'node_modules', 'newman', 'bin', 'newman.js');

/**
 * A bare `newman run` of `collection` with `environment`, as the floors run it: the runner's request
 * default request timeout (10 s) and its redirect setting (contract-runner/newman-run.ts), then `extra`
 * (reporters, iterations).
 */
export function bareNewmanArgs(collection: string, environment: string, extra: readonly string[]): string[] {
  return [
    newmanBin,
    'run',
    collection,
    '--environment',
    environment,
    ...extra,
    '--timeout-request',
    '10000',
    '--ignore-redirects',
  ];
}

export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export interface CommandResult {
  readonly ms: number;
  readonly code: number | null;
  readonly output: string;
}

/** Keeps the last part of a child's output: enough to explain a failure, bounded in memory. */
function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

export async function timeCommand(
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  const ms = performance.now() - started;
  clearTimeout(timer);
  return { ms, code, output: output() };
}

export function failure(what: string, result: CommandResult): Error {
  return new Error(`${what} exited with ${result.code}; its last output:\n${result.output.slice(-3_000)}`);
}

export interface LongRunning {
  readonly child: ChildProcess;
  /** Milliseconds from spawn until `ready` matched a line of stdout. */
  readonly readyMs: number;
  /** stdout up to and including the ready line. */
  readonly stdout: string;
  stop(): Promise<void>;
}

/** Starts a server process and resolves once a stdout line matches `ready`. */
export async function startLongRunning(
  args: readonly string[],
  ready: RegExp,
  options: CommandOptions = {},
): Promise<LongRunning> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = collect(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  let stdout = '';
  try {
    const readyMs = await new Promise<number>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${options.timeoutMs ?? 30_000} ms:\n${output()}`)),
        options.timeoutMs ?? 30_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.split('\n').some((line) => ready.test(line))) {
          clearTimeout(timer);
          resolveReady(performance.now() - started);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before it was ready:\n${output()}`));
      });
    });
    return { child, readyMs, stdout, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
