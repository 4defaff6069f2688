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

/**
 * Last resort for an exit that skipped the stack's stop(): Ctrl-C while the stack was still starting, or
 * a crash. 'exit' listeners must be synchronous, hence rmSync. (A SIGKILL runs nothing; the sweep above
 * removes that directory on the next start.)
 */
function removeLiveDirectoriesNow(): void {
  for (const path of live) rmSync(path, { recursive: true, force: true });
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
