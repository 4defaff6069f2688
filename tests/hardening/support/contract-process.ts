/**
 * Runs `npm run contract` (node common/run-ts.mjs scripts/contract.ts, the command npm runs) as a real child
 * process, in a directory and with an environment of the test's choosing, so that neither the
 * developer's .env nor a running `npm run stack` can leak in. The process is node itself (not npm), so a
 * signal the test sends lands on the process that must clean up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The launcher every npm script runs (package.json). */
const launcher = join(repoRoot, 'common', 'run-ts.mjs');

export interface ContractRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly pid: number;
}

export interface ContractProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  /** Resolves once stdout contains a match for `pattern` (rejects after `timeoutMs` or at exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly done: Promise<ContractRun>;
}

export interface SpawnContractOptions {
  /** Working directory, i.e. the project root the command sees; default the repository. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** SIGKILL after this long, so a hang fails the test instead of stalling the suite. */
  readonly killAfterMs?: number;
  /** The script to run, relative to the repository; default scripts/contract.ts. */
  readonly script?: string;
  /**
   * RLIMIT_FSIZE in 512-byte blocks (`ulimit -f` of a shell that then execs node, keeping the pid): a
   * write past it fails with EFBIG, a real failing write without a full disk to fill.
   */
  readonly fileSizeLimitBlocks?: number;
}

export function spawnContract(args: readonly string[], options: SpawnContractOptions = {}): ContractProcess {
  const started = Date.now();
  const script = join(repoRoot, options.script ?? 'scripts/contract.ts');
  const cwd = options.cwd ?? repoRoot;
  const command =
    options.fileSizeLimitBlocks === undefined
      ? { file: process.execPath, args: [launcher, script, ...args] }
      : {
          file: '/bin/sh',
          args: [
            '-c',
            `ulimit -f ${options.fileSizeLimitBlocks} && exec "$0" "$@"`,
            process.execPath,
            launcher,
            script,
            ...args,
          ],
        };
  const child = spawn(command.file, command.args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      AWS_EC2_METADATA_DISABLED: 'true',
      LOCAL_API_PORT: '0',
      LOCAL_COGNITO_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    out += text;
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(out)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr?.on('data', (text: string) => {
    err += text;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
  const done = new Promise<ContractRun>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveDone({ code, signal, stdout: out, stderr: err, ms: Date.now() - started, pid: child.pid ?? -1 });
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    done,
    waitFor(pattern, timeoutMs = 30_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise<void>((resolveWait, rejectWait) => {
        const deadline = setTimeout(
          () => rejectWait(new Error(`no ${pattern} in time; stdout:\n${out}\nstderr:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(deadline);
            resolveWait();
          },
        });
        void done.then(() => {
          clearTimeout(deadline);
          rejectWait(new Error(`exited before ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
        });
      });
    },
  };
}

export function runContractCli(
  args: readonly string[],
  options: SpawnContractOptions = {},
): Promise<ContractRun> {
  return spawnContract(args, options).done;
}

/**
 * A scratch project root with the committed collection and environment templates (and package.json,
 * which the run summary reads), so a test may break any of them without touching the repository.
 */
export async function scratchRoot(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(join(repoRoot, 'collections'), join(dir, 'collections'), { recursive: true });
  await mkdir(join(dir, 'environments'));
  for (const name of ['local.postman_environment.json', 'aws.postman_environment.json']) {
    await cp(join(repoRoot, 'environments', name), join(dir, 'environments', name));
  }
  await cp(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  return dir;
}

/**
 * Every file under `dir`, recursively (absolute paths); none if it does not exist. An entry removed
 * between the listing and its stat (a test running beside this one cleaning up its own folder) is
 * not there, so it is left out rather than failing the caller.
 */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found?.isFile()) files.push(path);
  }
  return files;
}

/** Asserts nothing a crash would leave: the strings a sentence-only failure must not contain. */
export const STACK_TRACE = /\bat .*:\d+:\d+|^\s+at /m;
