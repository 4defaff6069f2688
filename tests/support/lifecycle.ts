/** Probes for what a stopped stack must leave behind: nothing listening, no data directory. */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves true if something accepts a TCP connection on 127.0.0.1:`port`, false if it is refused. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** The emulator data directories owned by process `pid` (the stack names them after its pid). */
export async function dataDirectoriesOf(pid: number): Promise<string[]> {
  const prefix = `hello-api-local-cognito-${pid}-`;
  const entries = await readdir(tmpdir());
  return entries.filter((name) => name.startsWith(prefix)).map((name) => join(tmpdir(), name));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}
