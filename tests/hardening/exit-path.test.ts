/**
 * The one exit path (common/shutdown.ts) at the moments the end-to-end interrupt tests can only hit by
 * luck: a crash nobody caught, a signal while a file is half-written, a signal while the emulator's data
 * directory exists but the stack has not registered its stop yet. Each runs in a child process, since
 * the behaviour under test ends the process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dataDirectoriesOf } from '../support/lifecycle.ts';
import { repoRoot } from './support/contract-process.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardening-exit-path-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly pid: number;
}

/** Runs an ES module body (TypeScript imports allowed) in a fresh node process. */
function runModule(body: string): Promise<Ended> {
  const loader = join(repoRoot, 'tests', 'support', 'load-typescript.mjs');
  const child = spawn(process.execPath, ['--import', loader, '--input-type=module', '-e', body], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stderr, pid: child.pid ?? -1 });
    });
  });
}

const shutdownModule = JSON.stringify(join(repoRoot, 'common', 'shutdown.ts'));

test('an error nobody catches still runs every cleanup, then exits 1 with one line and no stack trace', async () => {
  const marker = join(dir, 'cleaned-up');
  const ended = await runModule(`
    import { writeFileSync } from 'node:fs';
    import { onShutdown } from ${shutdownModule};
    onShutdown(() => writeFileSync(${JSON.stringify(marker)}, 'yes'));
    setTimeout(() => { throw new TypeError('a reporter tripped over its template'); }, 10);
    setInterval(() => undefined, 1_000);
  `);
  assert.equal(ended.code, 1, ended.stderr);
  assert.equal(
    ended.stderr,
    'Unexpected failure (TypeError: a reporter tripped over its template): stopped and cleaned up; re-run with --debug for the stack trace.\n',
  );
  assert.ok((await stat(marker)).isFile(), 'the cleanup ran');
});

test('a promise rejection nobody handles ends the same way', async () => {
  const marker = join(dir, 'cleaned-up-after-rejection');
  const ended = await runModule(`
    import { writeFileSync } from 'node:fs';
    import { onShutdown } from ${shutdownModule};
    onShutdown(() => writeFileSync(${JSON.stringify(marker)}, 'yes'));
    void Promise.reject(new Error('nobody awaited this'));
    setInterval(() => undefined, 1_000);
  `);
  assert.equal(ended.code, 1, ended.stderr);
  assert.match(ended.stderr, /^Unexpected failure \(Error: nobody awaited this\): stopped and cleaned up/);
  assert.ok((await stat(marker)).isFile(), 'the cleanup ran');
});

test('a signal while a file is being written atomically leaves neither the file nor its temporary', async () => {
  const target = join(dir, 'env.json');
  const ended = await runModule(`
    import { readdirSync } from 'node:fs';
    import { guardProcess } from ${shutdownModule};
    import { writeFileAtomic } from ${JSON.stringify(join(repoRoot, 'common', 'atomic-write.ts'))};
    guardProcess();
    // Large enough that the write takes many turns of the event loop.
    void writeFileAtomic(${JSON.stringify(target)}, Buffer.alloc(256 * 1024 * 1024, 97));
    const poll = setInterval(() => {
      if (readdirSync(${JSON.stringify(dir)}).some((name) => name.endsWith('.tmp'))) {
        clearInterval(poll);
        process.kill(process.pid, 'SIGTERM');
      }
    }, 1);
  `);
  assert.equal(ended.code, 143, ended.stderr);
  assert.deepEqual(await readdir(dir).then((names) => names.filter((name) => name.includes('env.json'))), []);
});

test('a signal after the emulator data directory was made, before the stack could register its stop, removes it', async () => {
  const ended = await runModule(`
    import { guardProcess } from ${shutdownModule};
    import { createDataDirectory } from ${JSON.stringify(join(repoRoot, 'local-stack', 'temp-dir.ts'))};
    guardProcess();
    await createDataDirectory();
    process.kill(process.pid, 'SIGINT');
    setInterval(() => undefined, 1_000);
  `);
  assert.equal(ended.code, 130, ended.stderr);
  assert.deepEqual(await dataDirectoriesOf(ended.pid), []);
});

test("an 'exit' listener that throws does not keep the process up: it exits with the signal's code, in one line", async () => {
  const ended = await runModule(`
    import { guardProcess } from ${shutdownModule};
    guardProcess();
    process.on('exit', () => { throw new Error('a listener broke'); });
    // A server would keep the process up the same way: it used to stay, swallowing the error.
    setInterval(() => undefined, 1_000);
    process.kill(process.pid, 'SIGTERM');
  `);
  assert.equal(ended.signal, null, `still running after 20 s: ${ended.stderr}`);
  assert.equal(ended.code, 143, ended.stderr);
  assert.equal(
    ended.stderr,
    '\nInterrupted (SIGTERM): stopping and cleaning up.\nA cleanup at exit failed (a listener broke): exiting anyway.\n',
  );
});

/**
 * The emulator writing into its data directory on libuv's thread pool while the exit removes it: the
 * last rmdir fails with ENOTEMPTY (seen in interrupted starts). The failure is injected into fs.rmSync
 * for the first `failures` calls, so the case is the same every run.
 */
function removalFailing(failures: number): string {
  return `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    const realRmSync = fs.rmSync;
    let calls = 0;
    fs.rmSync = (...args) => {
      calls += 1;
      if (calls <= ${failures}) {
        throw Object.assign(new Error('ENOTEMPTY: directory not empty, rmdir'), { code: 'ENOTEMPTY' });
      }
      return realRmSync(...args);
    };
    syncBuiltinESMExports();
    const { guardProcess } = await import(${shutdownModule});
    const { createDataDirectory } = await import(${JSON.stringify(join(repoRoot, 'local-stack', 'temp-dir.ts'))});
    guardProcess();
    await createDataDirectory();
    process.kill(process.pid, 'SIGINT');
    setInterval(() => undefined, 1_000);
  `;
}

test('a data directory that is not empty on the first try at exit is listed again and removed', async () => {
  const ended = await runModule(removalFailing(2));
  assert.equal(ended.code, 130, ended.stderr);
  assert.equal(ended.stderr, '\nInterrupted (SIGINT): stopping and cleaning up.\n');
  assert.deepEqual(await dataDirectoriesOf(ended.pid), []);
});

test('a data directory that cannot be removed at exit is named, and the process still exits', async () => {
  const ended = await runModule(removalFailing(Number.POSITIVE_INFINITY));
  try {
    assert.equal(ended.code, 130, ended.stderr);
    assert.match(
      ended.stderr,
      /^\nInterrupted \(SIGINT\): stopping and cleaning up\.\nThe local Cognito's data directory \S+hello-api-local-cognito-\d+-\w+ could not be removed \(ENOTEMPTY\): the next start of the stack removes it\.\n$/,
    );
  } finally {
    for (const left of await dataDirectoriesOf(ended.pid)) await rm(left, { recursive: true, force: true });
  }
});
