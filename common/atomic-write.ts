/**
 * Write a file so that readers see either the old content or the whole new content, never a prefix,
 * and so that the new content is never readable by other users, not even for a moment.
 *
 * The temporary file sits in the target's own directory because rename(2) is atomic only within one
 * file system; it is created with `wx` and the final mode (0600 by default), fsynced, then renamed
 * over the target. On any failure the temporary file is removed.
 *
 * When the process is stopping (common/shutdown.ts calls `abandonAtomicWrites`), a write in progress
 * removes its temporary file instead of renaming it into place, and a new write does nothing: both
 * return a promise that never settles, since the process exits once the cleanups are done and nothing
 * should act on a file that was not written. Waiting for the writes in progress is what makes the
 * removal certain: an open(2) still running on libuv's thread pool when process.exit() runs can create
 * its file after the 'exit' listener below has looked for it (seen on Node 24: a `.junit.xml.….tmp`
 * left by a SIGTERM while the reports were written).
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of the new file; 0o600 unless said otherwise (the file may hold secrets). */
  readonly mode?: number;
}

/** Temporary files being written right now, by this process. */
const pending = new Set<string>();

/**
 * process.exit() (common/shutdown.ts on Ctrl-C) ends the process between two awaits, so the `finally`
 * below never runs: this synchronous 'exit' listener removes what it would have.
 */
function removePendingNow(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // Already renamed or removed.
    }
  }
}

function track(path: string): void {
  if (pending.size === 0) process.on('exit', removePendingNow);
  pending.add(path);
}

function untrack(path: string): void {
  pending.delete(path);
  if (pending.size === 0) process.off('exit', removePendingNow);
}

/** Writes in progress, so that shutdown can wait for each to remove its temporary file. */
const inFlight = new Set<Promise<void>>();
let abandoning = false;

class Abandoned extends Error {}

/**
 * For common/shutdown.ts only: from now on nothing is renamed into place; resolves once every write in
 * progress has removed its temporary file. A cleanup registered with onShutdown must not write files.
 */
export async function abandonAtomicWrites(): Promise<void> {
  abandoning = true;
  await Promise.allSettled([...inFlight]);
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (abandoning) return never();
  const work = write(path, data, options);
  inFlight.add(work);
  const forget = () => inFlight.delete(work);
  work.then(forget, forget);
  return work.catch((error: unknown) => (error instanceof Abandoned ? never() : Promise.reject(error)));
}

async function write(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let created = false;
  track(temporary);
  try {
    const handle = await open(temporary, 'wx', mode);
    created = true;
    try {
      // The umask may have removed bits from the requested mode; chmod makes it exact.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (abandoning) throw new Abandoned('the process is stopping');
    await rename(temporary, path);
    created = false;
  } finally {
    if (created) await unlink(temporary).catch(() => undefined);
    untrack(temporary);
  }
}
