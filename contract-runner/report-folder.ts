/**
 * One folder per run under the reports directory, named by UTC start time and target, e.g.
 * reports/2026-11-28T05-56-01Z-local. Folders are kept and never overwritten: a second run within the same
 * second gets a numbered suffix.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, UserError } from '../common/cli-error.ts';
import { makeDirectory } from '../common/make-directory.ts';

/** What runFolderName makes (a numbered suffix for a second run in the same second). */
const RUN_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[a-z]+(?:-\d+)?$/;

/** True for the names of run folders: other tools keep their own folders in the reports directory too. */
export function isRunFolderName(name: string): boolean {
  return RUN_FOLDER.test(name);
}

export function runFolderName(startedAt: Date, target: string): string {
  return `${startedAt
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-')}-${target}`;
}

export async function createRunFolder(reportsDir: string, startedAt: Date, target: string): Promise<string> {
  try {
    await makeDirectory(reportsDir);
  } catch (error) {
    throw unwritable(reportsDir, error);
  }
  const base = runFolderName(startedAt, target);
  for (let attempt = 1; attempt < 100; attempt += 1) {
    const path = join(reportsDir, attempt === 1 ? base : `${base}-${attempt}`);
    try {
      await mkdir(path);
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(reportsDir, error);
    }
  }
  throw new UserError(
    `Too many runs started in the same second in ${reportsDir}; wait a second and run again.`,
  );
}

/** A reports folder the run cannot write is a configuration mistake (--reports-dir): exit code 2. */
function unwritable(dir: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const problem =
    code === 'EEXIST' || code === 'ENOTDIR'
      ? 'a file is in the way of that folder'
      : code === 'ENOENT'
        ? 'that folder cannot be created there'
        : 'the folder is not writable';
  return new UsageError(
    `Cannot write reports to ${dir} (${code}: ${problem}): choose a writable folder with --reports-dir.`,
    { cause: error },
  );
}
