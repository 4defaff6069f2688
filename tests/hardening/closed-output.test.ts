/**
 * A stack whose output nobody reads any more (its pipe closed, as when `npm run stack | head -1`
 * finishes first) must still stop cleanly on a signal. Writing its last words to the closed pipe used to
 * raise EPIPE as an uncaught error whose report failed the same way, a loop that spun the CPU and
 * never reached the cleanups.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirectoriesOf, eventually, isListening, portOf } from '../support/lifecycle.ts';
import { exited, preserveStateFile, spawnStack } from '../support/stack-process.ts';

let restoreStateFile: () => Promise<void>;
before(async () => {
  restoreStateFile = await preserveStateFile();
});
after(() => restoreStateFile());

test('npm run stack with its output pipes closed stops on SIGTERM and leaves nothing behind', {
  timeout: 60_000,
}, async () => {
  const stack = spawnStack();
  const settings = await stack.ready;
  const pid = stack.stackPid();
  const ports = [portOf(settings.API_URL ?? ''), portOf(settings.COGNITO_ENDPOINT ?? '')];
  const ended = exited(stack.child);

  stack.child.stdout?.destroy();
  stack.child.stderr?.destroy();
  stack.child.kill('SIGTERM');

  const outcome = await Promise.race([
    ended,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000).unref()),
  ]);
  if (outcome === 'still running') stack.child.kill('SIGKILL');
  assert.notEqual(outcome, 'still running', 'the stack did not exit within 15 s of SIGTERM');
  const portsFreed = await eventually(async () => {
    const listening = await Promise.all(ports.map((port) => isListening(port)));
    return listening.every((open) => !open);
  });
  assert.ok(portsFreed, `a port is still listening: ${ports.join(', ')}`);
  assert.deepEqual(await dataDirectoriesOf(pid), []);
});
