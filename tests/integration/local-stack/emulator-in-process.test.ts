/**
 * The stack seeds its pool through `RunningEmulator.call` (the emulator's own router, in this process)
 * instead of four HTTP round trips. Each operation must answer exactly as the HTTP API answers the same
 * request on the same emulator: same fields, dates as epoch seconds, and the same error type and
 * message for a Cognito error and for an operation cognito-local does not support.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '../../../local-stack/cognito/emulator.ts';
import { CognitoJsonApiError, callCognito } from '../../../local-stack/cognito/json-api.ts';
import { createDataDirectory, removeDataDirectory } from '../../../local-stack/temp-dir.ts';

/** The answer with the fields that differ per call (ids, times) replaced by their type. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return typeof value;
}

async function failureOf(call: Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof CognitoJsonApiError, `a CognitoJsonApiError, got ${String(error)}`);
    return { type: error.type, message: error.message };
  }
  assert.fail('the call succeeded');
}

describe('the emulator called in-process answers as its HTTP API does', () => {
  let emulator: RunningEmulator;
  let dataDirectory: string;
  const http = (operation: string, input: Record<string, unknown>) =>
    callCognito(emulator.endpoint, operation, input);

  before(async () => {
    dataDirectory = await createDataDirectory();
    emulator = await startEmulator({ host: '127.0.0.1', port: 0, dataDirectory });
  });
  after(async () => {
    await emulator?.stop();
    await removeDataDirectory(dataDirectory);
  });

  it('creates a pool with the same answer, dates as epoch seconds, and HTTP sees the pool', async () => {
    const input = { PoolName: 'same', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } };
    const inProcess = await emulator.call('CreateUserPool', input);
    const overHttp = await http('CreateUserPool', input);

    assert.deepEqual(shape(inProcess), shape(overHttp));
    const pool = inProcess.UserPool as { Id: string; CreationDate: unknown };
    assert.equal(typeof pool.CreationDate, 'number', 'a Date becomes epoch seconds, as on the wire');
    const described = await http('DescribeUserPool', { UserPoolId: pool.Id });
    assert.equal((described.UserPool as { Id: string }).Id, pool.Id);
  });

  it('fails a Cognito error with the same type and message', async () => {
    const input = { UserPoolId: 'us-east-1_Missing00', Username: 'nobody' };

    const inProcess = await failureOf(emulator.call('AdminGetUser', input));
    const overHttp = await failureOf(http('AdminGetUser', input));

    assert.deepEqual(inProcess, overHttp);
    assert.equal(inProcess.type, 'ResourceNotFoundException');
  });

  it('fails an operation cognito-local does not support with the same type and message', async () => {
    const inProcess = await failureOf(emulator.call('NoSuchOperation', {}));
    const overHttp = await failureOf(http('NoSuchOperation', {}));

    assert.deepEqual(inProcess, overHttp);
    assert.equal(inProcess.type, 'CognitoLocal#Unsupported');
  });
});
