/**
 * Runs the collection with Newman, programmatically, the environment passed in memory (it holds the
 * live token and never touches disk here). Newman never sets the exit code itself: the caller decides
 * from `failed`, which covers a run error, request errors and failed assertions (GATEWAY.md §7).
 */
import { join } from 'node:path';
import type { NewmanRunOptions, NewmanRunSummary } from 'newman';
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

export async function runNewman(input: NewmanRunInput): Promise<NewmanRunResult> {
  // Loaded on demand: Newman takes about half a second to load, and commands that fail on their
  // configuration should not pay for it.
  const { default: newman } = await import('newman');
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
        skipEnvironmentVars: [...input.secretKeys],
        showEnvironmentData: false,
        showGlobalData: false,
        logs: false,
        displayProgressBar: false,
      },
      junit: { export: junit },
    },
  };

  const restoreStdout = redactWrites(process.stdout, input.redact);
  const restoreStderr = redactWrites(process.stderr, input.redact);
  try {
    return await new Promise<NewmanRunResult>((resolve) => {
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
      // Reporters queue their files on `beforeDone`; Newman writes them after. Redacting the queued
      // content here means no secret reaches the disk even if a reporter's own options fail us.
      emitter.on('beforeDone', () => {
        const queued: unknown = (emitter as unknown as { exports?: unknown }).exports;
        if (!Array.isArray(queued)) return;
        for (const file of queued as { content?: unknown }[]) {
          if (typeof file.content === 'string') file.content = input.redact(file.content);
          else if (file.content !== undefined)
            file.content = input.redact(JSON.stringify(file.content, null, 2));
        }
      });
    });
  } finally {
    restoreStderr();
    restoreStdout();
  }
}
