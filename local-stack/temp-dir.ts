/**
 * The emulator's data directory: always under the OS temp directory, never inside the repository
 * (it holds users and plaintext passwords). The owning process id is part of the name so that a later
 * start can remove directories left behind by a process that was killed before it could clean up.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'hello-api-local-cognito-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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

export function createDataDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
}

export function removeDataDirectory(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true });
}
