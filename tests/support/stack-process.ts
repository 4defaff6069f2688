/**
 * Runs `npm run stack` (node common/run-ts.mjs scripts/stack.ts) as a real child process on free ports and
 * reads its dotenv lines, for end-to-end tests of the command. The state file it writes has a fixed
 * path, so `preserveStateFile` keeps a developer's own file safe around such tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../common/processes.ts';
import { stackFilePaths } from '../../local-stack/stack-files.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const paths = stackFilePaths(repoRoot);
export const stateFile = paths.settings;
export const qaEnvironmentFile = paths.qaEnvironment;
export const lockFile = paths.lock;
const script = 'scripts/stack.ts';
/** The launcher every npm script runs (package.json), so the test runs exactly what `npm run stack` runs. */
const launcher = 'common/run-ts.mjs';

export interface StackProcess {
  /** The spawned process: the stack itself, or the intermediate shell when `viaShell` is set. */
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the dotenv settings once the ready lines are out; rejects if the process ends first. */
  readonly ready: Promise<Record<string, string>>;
  /** Resolves when stdout closes, i.e. when the stack process (not the shell) has exited. */
  readonly closed: Promise<void>;
  /** The stack's own pid (parsed from the shell when `viaShell`). */
  stackPid(): number;
}

export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Run it as `sh -c '<stack> & wait'` so that the test can kill its parent. */
  readonly viaShell?: boolean;
  readonly readyTimeoutMs?: number;
  /** Flags for `npm run stack --`, e.g. --api-spec FILE. */
  readonly args?: readonly string[];
}

function childEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_API_PORT: '0', LOCAL_COGNITO_PORT: '0', ...extra };
  for (const name of ['CONTRACT_PASSWORD', 'CONTRACT_USERNAME', 'NODE_TEST_CONTEXT']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

export function spawnStack(options: SpawnOptions = {}): StackProcess {
  const env = childEnv(options.env ?? {});
  const child = options.viaShell
    ? spawn(
        'sh',
        [
          '-c',
          `"${process.execPath}" ${launcher} ${script} ${(options.args ?? []).join(' ')} & echo "STACK_PID=$!"; wait`,
        ],
        {
          cwd: repoRoot,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
    : spawn(process.execPath, [launcher, script, ...(options.args ?? [])], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });

  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    out += text;
  });
  child.stderr?.on('data', (text: string) => {
    out += text;
  });
  const closed = new Promise<void>((resolveClosed) => child.stdout?.once('close', () => resolveClosed()));

  const ready = new Promise<Record<string, string>>((resolveReady, rejectReady) => {
    const timer = setTimeout(
      () => rejectReady(new Error(`npm run stack not ready in time; output:\n${out}`)),
      options.readyTimeoutMs ?? 15_000,
    );
    const check = () => {
      const settings = parseDotenv(out);
      if (settings.CONTRACT_USERNAME !== undefined) {
        clearTimeout(timer);
        resolveReady(settings);
      }
    };
    child.stdout?.on('data', check);
    void closed.then(() => {
      clearTimeout(timer);
      rejectReady(new Error(`npm run stack ended before it was ready; output:\n${out}`));
    });
  });
  ready.catch(() => undefined);

  return {
    child,
    output: () => out,
    ready,
    closed,
    stackPid() {
      if (!options.viaShell) return child.pid ?? -1;
      const match = /^STACK_PID=(\d+)$/m.exec(out);
      if (!match) throw new Error('the shell did not report the stack pid');
      return Number(match[1]);
    },
  };
}

/** KEY=value lines (comments and other lines ignored). */
export function parseDotenv(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) settings[match[1] as string] = match[2] as string;
  }
  return settings;
}

/** Resolves with the exit code (or signal) once `child` has exited. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
}

/** Held by the one test file at a time that runs `npm run stack` (see `preserveStateFile`). */
const lockDir = resolve(repoRoot, 'environments', 'generated', '.tests-stack-lock');

/**
 * `npm run stack` writes and removes one fixed state file, so two test files running it at once
 * (`--test-concurrency`) would see each other's file. A directory made with `mkdir` is the lock: made
 * or refused atomically; the owner's pid inside lets a later test take over from a killed run.
 */
async function lockStackFiles(): Promise<() => Promise<void>> {
  const owner = join(lockDir, 'pid');
  for (;;) {
    try {
      await mkdir(lockDir, { recursive: false });
      await writeFile(owner, String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await mkdir(dirname(lockDir), { recursive: true });
        continue;
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
      const age = Date.now() - ((await stat(lockDir).catch(() => undefined))?.mtimeMs ?? Date.now());
      // A lock without a pid is being taken right now (or its taker died at once: give it 5 s); one
      // whose owner is gone is left over.
      if (pid > 0 ? !isAlive(pid) : age > 5_000) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      await sleep(100);
    }
  }
}

/**
 * Takes the stack-files lock (waiting for another test file to finish with them), then moves a
 * developer's existing state file aside for the duration of the tests and puts it back (content and
 * mode 0600) afterwards; returns the function that restores it and releases the lock.
 */
export async function preserveStateFile(): Promise<() => Promise<void>> {
  const unlock = await lockStackFiles();
  const saved = await readFile(stateFile).catch(() => undefined);
  return async () => {
    try {
      // Nothing to restore: the stack removes its own file, which the tests check.
      if (saved === undefined) return;
      await writeFile(stateFile, saved, { mode: 0o600 });
      await chmod(stateFile, 0o600);
    } finally {
      await unlock();
    }
  };
}
