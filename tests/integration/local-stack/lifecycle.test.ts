/**
 * Lifecycle of the in-process stack: stop() leaves no listening port and no data directory,
 * may be called twice, does not hang on open keep-alive connections; a busy port is a one-sentence
 * PortInUseError that names the setting to change, and a failed start leaves nothing behind either.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { PortInUseError } from '../../../local-stack/gateway/server.ts';
import { startStack } from '../../../local-stack/stack.ts';
import { dataDirectoriesOf, isListening, portOf } from '../../support/lifecycle.ts';

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) return reject(new Error('no address'));
      resolve({ server, port: address.port });
    });
  });
}

/** A port that was free a moment ago (bound, then released). */
async function freePort(): Promise<number> {
  const { server, port } = await occupyPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the local stack lifecycle', () => {
  it('stops listening on both ports and removes its data directory when stopped', async () => {
    const before = await dataDirectoriesOf(process.pid);
    const stack = await startStack();
    const apiPort = portOf(stack.apiUrl);
    const cognitoPort = portOf(stack.cognito.endpoint);
    assert.equal(await isListening(apiPort), true, 'gateway listens while running');
    assert.equal(await isListening(cognitoPort), true, 'emulator listens while running');
    const during = (await dataDirectoriesOf(process.pid)).filter((dir) => !before.includes(dir));
    assert.equal(during.length, 1, 'one data directory while running');

    await stack.stop();

    assert.equal(await isListening(apiPort), false, 'gateway port refuses connections');
    assert.equal(await isListening(cognitoPort), false, 'emulator port refuses connections');
    assert.deepEqual(await dataDirectoriesOf(process.pid), before, 'data directory removed');
  });

  it('can be stopped twice without an error', async () => {
    const stack = await startStack();
    await stack.stop();
    await stack.stop();
  });

  it('stops promptly even while a client holds a keep-alive connection open', async () => {
    const stack = await startStack();
    const url = new URL(`${stack.apiUrl}/hello`);
    await new Promise<void>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { Connection: 'keep-alive' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const started = Date.now();
    await stack.stop();
    assert.ok(Date.now() - started < 2_000, `stop took ${Date.now() - started} ms`);
  });

  for (const [option, setting] of [
    ['apiPort', 'LOCAL_API_PORT'],
    ['cognitoPort', 'LOCAL_COGNITO_PORT'],
  ] as const) {
    it(`refuses a busy ${option} with a one-sentence PortInUseError naming ${setting}, leaving nothing behind`, async () => {
      const before = await dataDirectoriesOf(process.pid);
      const otherPort = await freePort();
      const busy = await occupyPort();
      const other = option === 'apiPort' ? { cognitoPort: otherPort } : { apiPort: otherPort };
      try {
        await assert.rejects(startStack({ ...other, [option]: busy.port }), (error: unknown) => {
          assert.ok(error instanceof PortInUseError, `got ${String(error)}`);
          assert.match(error.message, new RegExp(`\\b${busy.port}\\b`));
          assert.match(error.message, new RegExp(setting));
          assert.match(error.message, /^[^\n]+\.$/, 'one line ending in a full stop');
          assert.equal(error.message.split(/\.\s/).length, 1, 'one sentence');
          return true;
        });
        assert.deepEqual(await dataDirectoriesOf(process.pid), before, 'no data directory left behind');
        if (option === 'apiPort') {
          assert.equal(await isListening(otherPort), false, 'the emulator started first was stopped again');
        }
      } finally {
        await new Promise((resolve) => busy.server.close(resolve));
      }
    });
  }
});
