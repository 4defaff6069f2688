/**
 * local-stack/stack-files.ts when another stack of the checkout holds the lock: its settings file
 * decides what the refusal says. A stack whose file is there but unusable is not "still starting"
 * (the file is written once, atomically, when the stack is ready): the message says it is corrupt and
 * how to get a good one. The lock names a live process (this test's parent), as a running stack's would.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { UsageError } from '../../../common/cli-error.ts';
import {
  claimStackFiles,
  describeRunningStack,
  runningStack,
  stackFilePaths,
} from '../../../local-stack/stack-files.ts';

let root = '';
const livePid = process.ppid;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'stack-files-'));
  await mkdir(join(root, 'environments', 'generated'), { recursive: true });
  await writeFile(stackFilePaths(root).lock, `${JSON.stringify({ pid: livePid })}\n`);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(): Promise<string> {
  try {
    const claim = await claimStackFiles(root);
    await claim.release();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail('the files were claimed although a live stack holds them');
}

describe('another stack holds the checkout', () => {
  it('without a settings file yet, it is still starting', async () => {
    const info = await runningStack(root);
    assert.ok(info);
    assert.equal(describeRunningStack(info), `pid ${livePid}, still starting`);
  });

  for (const [content, reason] of [
    ['{"pid": 12, "apiUrl": "http://127.0.0.1:3000/d', 'not JSON'],
    ['[1, 2]', 'not a JSON object'],
    [JSON.stringify({ pid: livePid }), 'no apiUrl'],
  ] as const) {
    it(`a settings file that is ${reason} is named corrupt, with how to get a good one`, async () => {
      await writeFile(stackFilePaths(root).settings, content);

      const info = await runningStack(root);
      const message = await refusal();

      assert.ok(info);
      assert.doesNotMatch(describeRunningStack(info), /still starting/);
      assert.equal(
        message,
        `Another local stack of this checkout is running (pid ${livePid}) but its settings file environments/generated/local.stack.json is corrupt (${reason}): stop it (Ctrl-C in its shell, or \`kill ${livePid}\`) and run \`npm run stack\` again, which writes the file anew.`,
      );
    });
  }

  it('a good settings file names its URLs', async () => {
    await writeFile(
      stackFilePaths(root).settings,
      JSON.stringify({
        pid: livePid,
        apiUrl: 'http://127.0.0.1:3000/dev',
        cognitoEndpoint: 'http://127.0.0.1:9229',
      }),
    );
    assert.match(
      await refusal(),
      /\(pid \d+: API http:\/\/127\.0\.0\.1:3000\/dev, Cognito http:\/\/127\.0\.0\.1:9229\)/,
    );
  });
});
