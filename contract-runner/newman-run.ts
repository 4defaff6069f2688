/**
 * Runs the collection with Newman, programmatically, the environment passed in memory (it holds the
 * live token and never touches disk here). Newman never sets the exit code itself: the caller decides
 * from `failed`, which covers a run error, request errors and failed assertions (GATEWAY.md §7).
 */
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NewmanRunOptions, NewmanRunSummary } from 'newman';
import { markSkippedTestcases, skippedAssertionsByItem } from './junit-skipped.ts';
import { type Redactor, redactWrites } from './redaction.ts';

export type ReporterName = 'cli' | 'htmlextra' | 'junit';

export interface NewmanRunInput {
  readonly collection: object;
  readonly environment: object;
  readonly iterations: number;
  readonly timeoutRequestMs: number;
  /** Folder for the HTML and JUnit reports; reporters that write files are skipped without it. */
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
}

export interface NewmanRunResult {
  readonly summary: NewmanRunSummary;
  /** Newman's own failure (collection unreadable, reporter missing): the run did not happen properly. */
  readonly runError?: Error;
  readonly failed: boolean;
  readonly files: { readonly html?: string; readonly junit?: string };
}

export const HTML_REPORT = 'report.html';
export const JUNIT_REPORT = 'junit.xml';

/** htmlextra's own template loads jQuery, Bootstrap and fonts from CDNs; this one needs nothing. */
export const OFFLINE_TEMPLATE = fileURLToPath(new URL('./templates/offline-report.hbs', import.meta.url));

interface QueuedExport {
  name?: unknown;
  content?: unknown;
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
 * Every file Newman writes (reporter exports, and its own environment or globals exports) is queued
 * on `emitter.exports` first. Transforming each entry as it is queued covers them all, whatever
 * order the reporters' listeners run in: reporters attach theirs only after `newman.run` returns.
 */
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

function transformExports(emitter: RunEmitter, redact: Redactor): void {
  emitter.once('start', () => {
    const queue = emitter.exports;
    if (!Array.isArray(queue)) return;
    queue.push = (...files: QueuedExport[]): number => {
      for (const file of files) {
        if (file.content === undefined) continue;
        let content = typeof file.content === 'string' ? file.content : JSON.stringify(file.content, null, 2);
        // Newman's JUnit shows skipped tests as passed (GATEWAY.md §7): mark them <skipped/>.
        if (file.name === 'junit-reporter' && emitter.summary) {
          content = markSkippedTestcases(content, skippedAssertionsByItem(emitter.summary.run.executions));
        }
        file.content = redact(content);
      }
      return Array.prototype.push.apply(queue, files);
    };
  });
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

export async function runNewman(input: NewmanRunInput): Promise<NewmanRunResult> {
  // Loaded on demand: Newman takes about half a second to load, and commands that fail on their
  // configuration should not pay for it.
  const { default: newman } = await withoutWarning('DEP0176', () => import('newman'));
  const reporters = input.reporters.filter((name) => name === 'cli' || input.runFolder !== undefined);
  const html =
    input.runFolder && reporters.includes('htmlextra') ? join(input.runFolder, HTML_REPORT) : undefined;
  const junit =
    input.runFolder && reporters.includes('junit') ? join(input.runFolder, JUNIT_REPORT) : undefined;

  const options: NewmanRunOptions = {
    collection: input.collection as NewmanRunOptions['collection'],
    environment: input.environment as NewmanRunOptions['environment'],
    iterationCount: input.iterations,
    timeoutRequest: input.timeoutRequestMs,
    // The contract talks to one API; a 3xx from it is part of what is being tested, not to be followed.
    ignoreRedirects: true,
    reporters: [...reporters],
    reporter: {
      cli: { noBanner: true },
      htmlextra: {
        export: html,
        title: input.title,
        browserTitle: input.title,
        timezone: 'UTC',
        // htmlextra prints request headers, Authorization included, unless told not to (GATEWAY.md §7).
        skipHeaders: ['Authorization'],
        template: OFFLINE_TEMPLATE,
        skipEnvironmentVars: [...input.secretKeys],
        showEnvironmentData: false,
        showGlobalData: false,
        logs: false,
        displayProgressBar: false,
        ...input.htmlextra,
      },
      junit: { export: junit },
    },
  };

  const restoreStdout = redactWrites(process.stdout, input.redact);
  const restoreStderr = redactWrites(process.stderr, input.redact);
  try {
    return await new Promise<NewmanRunResult>((resolve, reject) => {
      const emitter = newman.run(options, (error, summary) => {
        const failures = summary?.run?.failures ?? [];
        // `run.error` exists at run time but is missing from @types/newman.
        const runError = error ?? (summary?.run as { error?: Error } | undefined)?.error;
        resolve({
          summary,
          ...(runError ? { runError } : {}),
          failed: Boolean(runError) || failures.length > 0,
          files: { ...(html ? { html } : {}), ...(junit ? { junit } : {}) },
        });
      });
      keepSkippedItems(emitter as RunEmitter);
      transformExports(emitter as RunEmitter, input.redact);
      failOnListenerError(emitter as RunEmitter, reject);
    });
  } finally {
    restoreStderr();
    restoreStdout();
  }
}
