/**
 * One exit path for long-running commands: whatever ends the process (Ctrl-C, SIGTERM, SIGHUP, the
 * parent dying, an unexpected error), the registered cleanups run exactly once before it exits, so no
 * server, port, temporary directory or half-written file is left behind.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { abandonAtomicWrites } from './atomic-write.ts';
import { isAlive } from './processes.ts';

/** How long the exit waits for file writes in progress to remove their temporary files. */
const WRITES_SETTLE_MS = 2_000;

type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let exiting: Promise<never> | undefined;
let installed = false;

/**
 * Takes over signals, the parent's death and crashes now, before there is anything to clean up: a
 * command calls this first, so that Ctrl-C while it is still starting a server or writing a file ends
 * through `shutdown()` and `process.exit()`, whose 'exit' listeners remove half-made directories and
 * temporary files (local-stack/temp-dir.ts, common/atomic-write.ts). Without it, a signal that arrives
 * before the first `onShutdown` kills the process outright and nothing is removed.
 */
export function guardProcess(): void {
  installHandlers();
}

/** Registers a cleanup; cleanups run in reverse order of registration. Returns an unregister function. */
export function onShutdown(cleanup: Cleanup): () => void {
  installHandlers();
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

/** Runs the cleanups once, then exits with `code`. Safe to call from several places at once. */
export function shutdown(code: number): Promise<never> {
  exiting ??= (async () => {
    // Nothing more is written from here on; writes in progress remove their temporary files.
    const writesSettled = abandonAtomicWrites();
    // A second Ctrl-C while cleaning up should not be able to skip the cleanup.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep going: the remaining resources still need releasing.
      }
    }
    await Promise.race([writesSettled, delay(WRITES_SETTLE_MS)]);
    exitNow(code);
  })();
  return exiting;
}

/**
 * process.exit(), which throws when an 'exit' listener throws: the process then stayed up with its
 * servers listening, the error swallowed (a further error has nothing to add once exiting). A second
 * call skips the listeners, which have run once, and exits.
 */
function exitNow(code: number): never {
  try {
    process.exit(code);
  } catch (error) {
    process.stderr.write(
      `A cleanup at exit failed (${error instanceof Error ? error.message : String(error)}): exiting anyway.\n`,
    );
    process.exit(code);
  }
}

const signalExitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

function parentPidOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The chain of ancestors up to (not including) init, e.g. npm → sh → node. If any of them disappears,
 * whoever started us is gone and nobody will ever send us a signal: stop on our own.
 */
function ancestors(): number[] {
  const chain: number[] = [];
  let pid: number | undefined = process.ppid;
  while (pid !== undefined && pid > 1 && chain.length < 4) {
    chain.push(pid);
    pid = parentPidOf(pid);
  }
  return chain;
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  // Output nobody reads any more (a closed pipe, a dead terminal) fails with EPIPE. Unhandled, that
  // error became an uncaught exception whose report failed the same way, in a loop that spun the CPU and
  // never reached the cleanups. Lost output is not worth stopping the cleanup for.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  for (const [signal, code] of Object.entries(signalExitCodes)) {
    process.on(signal, () => {
      // Say once why the output stops here; a second Ctrl-C while cleaning up changes nothing.
      if (exiting === undefined)
        process.stderr.write(`\nInterrupted (${signal}): stopping and cleaning up.\n`);
      void shutdown(code);
    });
  }
  // An error nobody caught (e.g. thrown inside a reporter's event handler) would otherwise end the
  // process at once with a stack trace, leaving the stack's data directory (plaintext passwords) behind.
  const crashed = (error: unknown): void => {
    // Once the cleanups are running, a further error has nothing to add and must not delay them.
    if (exiting !== undefined) return;
    process.stderr.write(`${describeCrash(error)}\n`);
    if (process.argv.includes('--debug') && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    void shutdown(1);
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  const watched = ancestors();
  const originalParent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== originalParent || watched.some((pid) => !isAlive(pid))) void shutdown(129);
  }, 500);
  timer.unref();
}

function describeCrash(error: unknown): string {
  const described =
    error instanceof Error ? `${error.name}: ${error.message}` : `non-error value thrown: ${String(error)}`;
  const line = described.replace(/\s*\n\s*/g, ' ').trim();
  return `Unexpected failure (${line.length > 300 ? `${line.slice(0, 300)}…` : line}): stopped and cleaned up; re-run with --debug for the stack trace.`;
}
