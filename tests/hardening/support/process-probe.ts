/**
 * What a process owns, read from /proc (Linux): its descendants and the TCP ports it listens on. Taken
 * while the process runs, then checked again once it is gone, this proves that an interrupted command
 * left no process and no listening port behind, without guessing from output.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Every live descendant of `pid` (children, grandchildren, …). */
export async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number | undefined>();
  const pids = await allPids();
  // All at once: read one by one, a busy machine's few hundred processes took longer than some of the
  // moments the interrupt tests aim their signal at.
  const parentIds = await Promise.all(pids.map(parentOf));
  for (const [i, candidate] of pids.entries()) parents.set(candidate, parentIds[i]);
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const current = frontier.pop() as number;
    for (const [child, parent] of parents) {
      if (parent === current && !found.includes(child)) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Socket inodes held open by `pid`. */
async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match?.[1]) inodes.add(match[1]);
  }
  return inodes;
}

/** The TCP ports (IPv4 and IPv6) on which `pid` has a listening socket. */
export async function listeningPortsOf(pid: number): Promise<number[]> {
  const inodes = await socketInodes(pid);
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      // State 0A is LISTEN.
      if (state === '0A' && inode !== undefined && inodes.has(inode) && local) {
        ports.add(Number.parseInt(local.split(':').pop() ?? '0', 16));
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
