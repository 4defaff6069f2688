import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { abandonAtomicWrites, writeFileAtomic } from '../../../common/atomic-write.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-write-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('writes the content with mode 0600 by default, whatever the umask', async () => {
  const path = join(dir, 'secret.json');
  const previous = process.umask(0);
  try {
    await writeFileAtomic(path, '{"a":1}');
  } finally {
    process.umask(previous);
  }
  assert.equal(await readFile(path, 'utf8'), '{"a":1}');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('replaces an existing world-readable file with a 0600 one and leaves no temporary file', async () => {
  const path = join(dir, 'replace.json');
  await writeFile(path, 'old', { mode: 0o644 });
  await writeFileAtomic(path, 'new');
  assert.equal(await readFile(path, 'utf8'), 'new');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.includes('replace')),
    ['replace.json'],
  );
});

test('honours an explicit mode exactly, even under a strict umask', async () => {
  const path = join(dir, 'public.txt');
  const previous = process.umask(0o077);
  try {
    await writeFileAtomic(path, 'x', { mode: 0o644 });
  } finally {
    process.umask(previous);
  }
  assert.equal((await stat(path)).mode & 0o777, 0o644);
});

test('a failed rename removes the temporary file and keeps the error code', async () => {
  const target = join(dir, 'a-directory');
  await mkdir(target);
  await assert.rejects(writeFileAtomic(target, 'x'), { code: 'EISDIR' });
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
  );
});

test('a directory that does not exist fails with ENOENT and creates nothing', async () => {
  await assert.rejects(writeFileAtomic(join(dir, 'no', 'such', 'file'), 'x'), { code: 'ENOENT' });
});

// Last in this file on purpose: abandoning is for a process that is about to exit, and it stays on for
// the rest of this test process (each test file runs in its own).
test('once the process is stopping, a write in progress removes its temporary file and renames nothing, and a new write writes nothing', async () => {
  const inProgress = join(dir, 'in-progress.json');
  const later = join(dir, 'later.json');
  let settled = false;
  const write = writeFileAtomic(inProgress, 'x'.repeat(4 * 1024 * 1024)).finally(() => {
    settled = true;
  });
  await abandonAtomicWrites();
  void writeFileAtomic(later, 'y').finally(() => {
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.includes('in-progress') || name.includes('later')),
    [],
    'neither the target nor a temporary file',
  );
  assert.equal(settled, false, 'the writes never settle: the process exits without acting on them');
  void write;
});
