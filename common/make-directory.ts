/**
 * `mkdir -p` that always terminates. Node 20's `mkdir(path, { recursive: true })` spins forever at full
 * CPU when a parent exists but refuses children (e.g. `/proc/x`: mkdir says ENOENT, the parent says
 * EEXIST, and libuv retries without end), so a mistyped `--reports-dir /proc/…` hung the command. This
 * walks up one level at a time and gives up with the error of the directory that cannot be made.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function makeDirectory(path: string, mode?: number): Promise<void> {
  const options = mode === undefined ? {} : { mode };
  try {
    await mkdir(path, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(path)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    await makeDirectory(parent, mode);
    // The parent now exists; a second ENOENT here (a pseudo file system) is final.
    await mkdir(path, options).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST' || !(await stat(path)).isDirectory()) throw again;
    });
  }
}
