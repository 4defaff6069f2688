/**
 * The emulator's data directory: always under the OS temp directory, never inside the repository
 * (it holds users and plaintext passwords). The owning process id is part of the name so that a later
 * start can remove directories left behind by a process that was killed before it could clean up.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../common/processes.ts';

const PREFIX = 'hello-api-local-cognito-';

export async function sweepStaleDataDirectories(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name.startsWith(PREFIX))
      .map(async (name) => {
        const pid = Number(name.slice(PREFIX.length).split('-')[0]);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) {
          await rm(join(tmpdir(), name), { recursive: true, force: true });
        }
      }),
  );
}

/** Directories this process made and has not removed yet. */
const live = new Set<string>();

/** Attempts at removing one directory at exit; each lists what is left afresh. */
const EXIT_REMOVAL_ATTEMPTS = 5;

/**
 * Last resort for an exit that skipped the stack's stop(): a crash, or an exit while the stack was
 * still starting. 'exit' listeners must be synchronous, hence rmSync. The emulator may still be
 * writing into the directory on libuv's thread pool, so a file can appear while rmSync empties it and
 * its last rmdir fails with ENOTEMPTY: each attempt lists the directory again. It never throws: an
 * 'exit' listener that throws makes process.exit() throw instead of exiting, and the process stayed
 * up with its servers listening (seen once in 60 interrupted starts). What cannot be removed is named
 * on stderr; the sweep above removes it on the next start, as it does after a SIGKILL.
 */
function removeLiveDirectoriesNow(): void {
  for (const path of live) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        rmSync(path, { recursive: true, force: true });
        break;
      } catch (error) {
        if (attempt < EXIT_REMOVAL_ATTEMPTS) continue;
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        process.stderr.write(
          `The local Cognito's data directory ${path} could not be removed (${code}): the next start of the stack removes it.\n`,
        );
        break;
      }
    }
  }
}

export async function createDataDirectory(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  if (live.size === 0) process.on('exit', removeLiveDirectoriesNow);
  live.add(path);
  return path;
}

export async function removeDataDirectory(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  live.delete(path);
  if (live.size === 0) process.off('exit', removeLiveDirectoriesNow);
}
