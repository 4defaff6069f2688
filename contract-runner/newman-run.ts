/**
 * Runs the collection with Newman, programmatically, the environment passed in memory (it holds the
 * live token and never touches disk here). Newman never sets the exit code itself: the caller decides
 * from the per-clause results (verdict.ts). Only the cli and htmlextra reporters are Newman's; junit.xml
 * is written by junit-report.ts from the per-clause results, because Newman's JUnit reporter keeps one
 * result per assertion and so loses the failures of every iteration but the last (docs/reference.md §7).
 */
import type { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { NewmanRunOptions, NewmanRunSummary } from 'newman';
import type { ClauseInfo } from '../collections/clause.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { clauseAnchor } from './html.ts';
import { htmlextraOptions } from './html-report.ts';
import { describeNoResponse, uncheckedForWantOfResponse } from './observed.ts';
import { type Redactor, redactWrites } from './redaction.ts';
import type { ReporterName } from './reporters.ts';
import { type ClauseResult, clauseResults } from './results.ts';
import { useImmediateHops } from './runtime-hops.ts';

export interface NewmanRunInput {
  readonly collection: object;
  /**
   * The collection's clause metadata by item id (collections/clause.ts readClauseTable): what decides a
   * clause's outcome, here for the HTML report and in the result for everything else. Empty for a
   * collection without it (test fixtures).
   */
  readonly clauseTable?: ReadonlyMap<string, ClauseInfo> | undefined;
  readonly environment: object;
  readonly iterations: number;
  /** One object of variables per iteration (Newman's iteration data); overrides `iterations`. */
  readonly iterationData?: readonly Readonly<Record<string, string>>[];
  readonly timeoutRequestMs: number;
  /** Folder for the HTML report; htmlextra is skipped without it. */
  readonly runFolder?: string;
  readonly reporters: readonly ReporterName[];
  /** Report title, e.g. "hello-api contract: local (http://127.0.0.1:3000/dev)". */
  readonly title: string;
  /** Environment keys holding secrets: never shown by htmlextra. */
  readonly secretKeys: readonly string[];
  readonly redact: Redactor;
  /**
   * Options merged over the htmlextra defaults below. Tests use it to make the reporter leak on purpose
   * (default template, headers and environment shown) and prove that the redactor still catches it.
   */
  readonly htmlextra?: Readonly<Record<string, unknown>>;
  /**
   * Aborted when the run is interrupted (Ctrl-C): from then on nothing a reporter prints reaches the
   * console (the requests still in flight fail only because the stack is being stopped, and their
   * failures would read as an API that broke), the run is aborted, and runNewman rejects with
   * RunInterruptedError.
   */
  readonly signal?: AbortSignal;
}

export interface NewmanRunResult {
  readonly summary: NewmanRunSummary;
  /** One result per execution, decided once (results.ts), as the HTML report shows them. */
  readonly clauses: readonly ClauseResult[];
  /** Newman's own failure (collection unreadable, reporter missing): the run did not happen properly. */
  readonly runError?: Error;
  readonly files: { readonly html?: string };
}

/** The run was interrupted: its results are not a verdict on the API and are not reported. */
export class RunInterruptedError extends Error {
  override readonly name = 'RunInterruptedError';
  constructor() {
    super('the contract run was interrupted before it finished');
  }
}

/** Reporters runNewman hands to Newman; `junit` is ours (junit-report.ts). */
const NEWMAN_REPORTERS: readonly ReporterName[] = ['cli', 'htmlextra'];

interface QueuedExport {
  name?: unknown;
  content?: unknown;
  path?: unknown;
}

/** A file a reporter asked Newman to write, taken off Newman's queue to be written atomically here. */
interface CapturedExport {
  readonly path: string;
  readonly content: string;
}

/**
 * A report file could not be written (disk full, file-size limit, read-only folder): the run itself
 * happened and was decided; `result` carries it, so the caller can still say what the verdict was.
 */
export class ReportWriteError extends Error {
  override readonly name = 'ReportWriteError';
  readonly result: NewmanRunResult;
  readonly path: string;
  constructor(path: string, result: NewmanRunResult, cause: unknown) {
    super(`cannot write ${path}`, { cause });
    this.path = path;
    this.result = result;
  }
}

interface RunEmitter extends EventEmitter {
  summary?: NewmanRunSummary;
  exports?: QueuedExport[];
}

interface CursorArgs {
  cursor?: { ref?: string };
  item?: { id?: string };
  assertion?: string;
  skipped?: boolean;
}

interface MutableError {
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  address?: unknown;
  port?: unknown;
}

function isErrorLike(value: unknown): value is MutableError {
  return typeof value === 'object' && value !== null;
}

/**
 * A request that got no response still runs its test script, and every check written for a response
 * then fails with its own words ("the greeting leaked"). This rewrites, as the events happen, the request
 * error into what was observed (observed.ts) and each check that failed for want of a response into "not
 * checked, <what was observed>". Newman hands the same error objects to its run summary and to every
 * reporter, and these listeners are attached before the reporters', so all of them print the rewritten
 * words.
 */
function sayWhatWasObserved(emitter: RunEmitter, timeoutRequestMs: number): void {
  const noResponse = new Map<string, string>();
  emitter.on('request', (error: unknown, args: CursorArgs & { response?: unknown }) => {
    const ref = args?.cursor?.ref;
    if (!ref || !isErrorLike(error) || args.response !== undefined) return;
    const observed = describeNoResponse(error, timeoutRequestMs);
    noResponse.set(ref, observed);
    error.message = observed;
    if (typeof error.stack === 'string') error.stack = `Error: ${observed}`;
  });
  emitter.on('assertion', (error: unknown, args: CursorArgs | undefined) => {
    const observed = noResponse.get(args?.cursor?.ref ?? '');
    if (observed === undefined || !isErrorLike(error)) return;
    const message = uncheckedForWantOfResponse(observed);
    error.message = message;
    error.stack = `AssertionError: ${message}`;
    // Newman passes two error objects, its own (the first argument, which its run summary keeps) and
    // the assertion's (args.error); a reporter may read either, so both say the same.
    const own = (args as { error?: unknown } | undefined)?.error;
    if (isErrorLike(own) && own !== error) {
      own.message = message;
      own.stack = `AssertionError: ${message}`;
    }
  });
}

/**
 * Newman records an execution only when a request goes out, so a clause skipped in its pre-request
 * (`pm.test.skip` then `pm.execution.skipRequest`) would vanish from every reporter and from the
 * results. This adds an execution without request or response for each such item, before reporters
 * read the executions on `beforeDone`.
 */
function keepSkippedItems(emitter: RunEmitter): void {
  const assertions = new Map<string, { assertion: unknown; skipped: unknown; error: unknown }[]>();
  emitter.on('assertion', (error: unknown, args: CursorArgs | undefined) => {
    const ref = args?.cursor?.ref;
    if (!ref) return;
    const list = assertions.get(ref) ?? [];
    list.push({ assertion: args.assertion, skipped: args.skipped, error: error ?? undefined });
    assertions.set(ref, list);
  });
  emitter.on('item', (_error: unknown, args: CursorArgs | undefined) => {
    const ref = args?.cursor?.ref;
    const executions = emitter.summary?.run.executions as unknown as object[] | undefined;
    if (!ref || !executions) return;
    const recorded = executions.some(
      (execution) => (execution as { cursor?: { ref?: unknown } }).cursor?.ref === ref,
    );
    if (!recorded) {
      executions.push({
        cursor: args.cursor,
        item: args.item,
        id: args.item?.id,
        assertions: assertions.get(ref) ?? [],
      });
    }
    assertions.delete(ref);
  });
}

/**
 * The HTML template shows each clause's outcome and reason as results.ts decides them, not as it could
 * work them out from Newman's counts itself: on `beforeDone`, before htmlextra (whose listener comes
 * later) renders, each execution's cursor gets `contract: { anchor, outcome, reason }`. clauseResults maps the
 * executions one to one, in order.
 */
function annotateOutcomes(
  emitter: RunEmitter,
  table: ReadonlyMap<string, ClauseInfo> | undefined,
  keep: (results: ClauseResult[]) => void,
): void {
  emitter.on('beforeDone', () => {
    const executions = emitter.summary?.run.executions as unknown as { cursor?: unknown }[] | undefined;
    if (!executions) return;
    const results = clauseResults(emitter.summary, table);
    keep(results);
    executions.forEach((execution, index) => {
      const result = results[index];
      if (result === undefined || typeof execution.cursor !== 'object' || execution.cursor === null) return;
      (execution.cursor as { contract?: unknown }).contract = {
        anchor: clauseAnchor(index),
        outcome: result.outcome,
        ...(result.reason === undefined ? {} : { reason: result.reason }),
      };
    });
  });
}

/**
 * A reporter that throws inside one of its event listeners (a broken template, a full disk) makes the
 * error escape from Newman's own callback, and Newman then never calls back: the run would hang with the
 * stack still up. Catching it at `emit` turns it into a rejected run, so the caller can clean up.
 */
function failOnListenerError(emitter: RunEmitter, reject: (error: unknown) => void): void {
  const emit = emitter.emit.bind(emitter);
  emitter.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    try {
      return emit(event, ...args);
    } catch (error) {
      reject(error);
      return true;
    }
  };
}

/**
 * Every file Newman would write (reporter exports, and its own environment or globals exports) is queued
 * on `emitter.exports` first. Taking each entry as it is queued, redacted, covers them all, whatever
 * order the reporters' listeners run in (reporters attach theirs only after `newman.run` returns), and
 * leaves Newman nothing to write: it would write with a plain fs.writeFile, which leaves a truncated
 * report.html behind on a full disk. runNewman writes them atomically once the run is decided, or not at
 * all when it was interrupted.
 */
function captureExports(emitter: RunEmitter, redact: Redactor): CapturedExport[] {
  const captured: CapturedExport[] = [];
  emitter.once('start', () => {
    const queue = emitter.exports;
    if (!Array.isArray(queue)) return;
    queue.push = (...files: QueuedExport[]): number => {
      for (const file of files) {
        if (file.content === undefined || typeof file.path !== 'string') continue;
        const content =
          typeof file.content === 'string' ? file.content : JSON.stringify(file.content, null, 2);
        captured.push({ path: resolve(file.path), content: redact(content) });
      }
      return queue.length;
    };
  });
  return captured;
}

/** The postman-runtime run object Newman passes on 'start'; only `abort` is used. */
interface AbortableRun {
  abort?: () => void;
}

/**
 * Runs `load` with one warning code silenced. Newman 6.2.2 reads `fs.F_OK` and its siblings while it
 * loads (lib/run/secure-fs.js), which Node 24 deprecates at run time (DEP0176): two lines on stderr at
 * every run, about Newman's code, that tell a user of the contract nothing. Every other warning, and
 * this one outside the load, still shows.
 */
async function withoutWarning<T>(code: string, load: () => Promise<T>): Promise<T> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const warningCode =
      typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : rest[1];
    if (warningCode === code) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Writes each captured export whole or not at all; the first that failed, if one did. */
async function writeCaptured(
  files: readonly CapturedExport[],
): Promise<{ readonly path: string; readonly error: unknown } | undefined> {
  for (const file of files) {
    try {
      // The report is for auditors to share: readable by others, like the rest of the run folder.
      await writeFileAtomic(file.path, file.content, { mode: 0o644 });
    } catch (error) {
      return { path: file.path, error };
    }
  }
  return undefined;
}

export async function runNewman(input: NewmanRunInput): Promise<NewmanRunResult> {
  if (input.signal?.aborted) throw new RunInterruptedError();
  // The runtime's 0 ms timer hops become setImmediate (runtime-hops.ts), before Newman loads it.
  useImmediateHops();
  // Loaded on demand: Newman takes about half a second to load, and commands that fail on their
  // configuration should not pay for it.
  const { default: newman } = await withoutWarning('DEP0176', () => import('newman'));
  const reporters = input.reporters.filter(
    (name) => NEWMAN_REPORTERS.includes(name) && (name === 'cli' || input.runFolder !== undefined),
  );
  const htmlextra =
    input.runFolder && reporters.includes('htmlextra')
      ? htmlextraOptions({
          runFolder: input.runFolder,
          title: input.title,
          secretKeys: input.secretKeys,
          ...(input.htmlextra ? { overrides: input.htmlextra } : {}),
        })
      : undefined;

  const options: NewmanRunOptions = {
    collection: input.collection as NewmanRunOptions['collection'],
    environment: input.environment as NewmanRunOptions['environment'],
    iterationCount: input.iterationData?.length ?? input.iterations,
    ...(input.iterationData ? { iterationData: input.iterationData.map((row) => ({ ...row })) } : {}),
    timeoutRequest: input.timeoutRequestMs,
    // The contract talks to one API; a 3xx from it is part of what is being tested, not to be followed.
    ignoreRedirects: true,
    reporters: [...reporters],
    reporter: {
      cli: { noBanner: true },
      ...(htmlextra ? { htmlextra: htmlextra.options } : {}),
    },
  };

  // After an interrupt, reporter output is dropped rather than redacted (see NewmanRunInput.signal),
  // until Newman has called back: an aborted run still prints its closing table.
  const muted = () => input.signal?.aborted === true;
  const redact: Redactor = (text) => (muted() ? '' : input.redact(text));
  // Only the cli reporter writes to the terminal. Without it nothing is patched, so runs in one process
  // (the mutation proof runs several at once) cannot restore each other's streams out of order.
  const printing = reporters.includes('cli');
  const restoreStdout = printing ? redactWrites(process.stdout, redact) : () => undefined;
  const restoreStderr = printing ? redactWrites(process.stderr, redact) : () => undefined;
  const restore = () => {
    restoreStderr();
    restoreStdout();
  };
  return new Promise<NewmanRunResult>((resolve, reject) => {
    let run: AbortableRun | undefined;
    let decided: ClauseResult[] | undefined;
    const interrupted = () => {
      run?.abort?.();
      reject(new RunInterruptedError());
    };
    input.signal?.addEventListener('abort', interrupted, { once: true });
    const emitter = newman.run(options, (error, summary) => {
      restore();
      input.signal?.removeEventListener('abort', interrupted);
      if (input.signal?.aborted) {
        reject(new RunInterruptedError());
        return;
      }
      // `run.error` exists at run time but is missing from @types/newman.
      const runError = error ?? (summary?.run as { error?: Error } | undefined)?.error;
      const result: NewmanRunResult = {
        summary,
        clauses: decided ?? clauseResults(summary, input.clauseTable),
        ...(runError ? { runError } : {}),
        files:
          htmlextra && captured.some((file) => file.path === htmlextra.path) ? { html: htmlextra.path } : {},
      };
      writeCaptured(captured).then((failure) =>
        failure === undefined
          ? resolve(result)
          : reject(new ReportWriteError(failure.path, result, failure.error)),
      );
    });
    const captured = captureExports(emitter as RunEmitter, input.redact);
    (emitter as RunEmitter).once('start', (_error: unknown, args: { run?: AbortableRun } | undefined) => {
      run = args?.run;
    });
    sayWhatWasObserved(emitter as RunEmitter, input.timeoutRequestMs);
    keepSkippedItems(emitter as RunEmitter);
    annotateOutcomes(emitter as RunEmitter, input.clauseTable, (results) => {
      decided = results;
    });
    failOnListenerError(emitter as RunEmitter, (error) => {
      restore();
      reject(error);
    });
  });
}
