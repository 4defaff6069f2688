import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readLocalStackFile } from '../../../token-helper/local-stack-file.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-file-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const GOOD = {
  apiUrl: 'http://127.0.0.1:3000/dev',
  cognitoEndpoint: 'http://127.0.0.1:9229',
  region: 'us-east-1',
  userPoolId: 'local_abc',
  clientId: 'client1',
  username: 'contract-tester',
  password: 'stack-Generated-1',
};

test('no file means no running stack', async () => {
  assert.equal(await readLocalStackFile(join(dir, 'absent.json')), undefined);
});

test('a complete file gives the settings', async () => {
  const path = join(dir, 'good.json');
  await writeFile(path, JSON.stringify({ ...GOOD, extra: 1 }));
  assert.deepEqual(await readLocalStackFile(path), GOOD);
});

test('a broken file says to restart the stack, naming the missing fields and not the password', async () => {
  const path = join(dir, 'broken.json');
  await writeFile(path, JSON.stringify({ ...GOOD, userPoolId: '', clientId: 7 }));
  await assert.rejects(readLocalStackFile(path, 'local.stack.json'), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.equal(
      error.message,
      'The local stack settings file local.stack.json is broken (no userPoolId, clientId): stop and restart `npm run stack`.',
    );
    return true;
  });
  await writeFile(path, '{');
  await assert.rejects(readLocalStackFile(path, 'local.stack.json'), /is broken \(not JSON\)/);
});
