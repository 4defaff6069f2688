/**
 * Errors a person can act on, and the wrapper every CLI entry point runs under.
 *
 * A `UserError` carries one sentence that names the problem and the fix; `runCli` prints only that
 * sentence, so a new user never has to read a stack trace. The stack is still there for maintainers:
 * `--debug` prints it.
 */

/** Exit code for a wrong command line or configuration: the user must change what they typed or set. */
export const EXIT_USAGE = 2;
/** Exit code for everything else that went wrong (a remote service refused, a file could not be written). */
export const EXIT_FAILURE = 1;

export interface UserErrorOptions {
  /** `EXIT_USAGE` for usage and configuration mistakes, `EXIT_FAILURE` (the default) otherwise. */
  readonly exitCode?: number;
  readonly cause?: unknown;
}

export class UserError extends Error {
  override readonly name: string = 'UserError';
  readonly exitCode: number;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** A usage or configuration mistake: exit code 2. */
export class UsageError extends UserError {
  override readonly name: string = 'UsageError';

  constructor(message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT_USAGE });
  }
}

export interface RunCliOptions {
  readonly argv?: readonly string[];
  readonly stderr?: { write(text: string): unknown };
}

/** One line, however the message was built: a stray newline must not split the sentence. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs `main` and turns its outcome into an exit code (set on `process.exitCode`, so pending output
 * still flushes). A `UserError` prints its message alone; any other error prints its name and
 * message with a hint to re-run with `--debug`; `--debug` adds the stack trace.
 */
export async function runCli(
  main: (argv: readonly string[]) => Promise<number | undefined>,
  options: RunCliOptions = {},
): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const stderr = options.stderr ?? process.stderr;
  const debug = argv.includes('--debug');
  let code: number;
  try {
    code = (await main(argv)) ?? 0;
  } catch (error) {
    if (error instanceof UserError) {
      stderr.write(`${oneLine(error.message)}\n`);
      code = error.exitCode;
    } else {
      const described =
        error instanceof Error
          ? `${error.name}: ${error.message}`
          : `non-error value thrown: ${String(error)}`;
      stderr.write(
        `Unexpected failure (${oneLine(described)})${debug ? '.' : ': re-run with --debug for the stack trace.'}\n`,
      );
      code = EXIT_FAILURE;
    }
    if (debug) stderr.write(`${formatDebug(error)}\n`);
  }
  process.exitCode = code;
  return code;
}

function formatDebug(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('Caused by:');
  }
  return parts.join('\n');
}
