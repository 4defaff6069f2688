/** Starts one local stack for a test file (port 0) and stops it after, through node:test hooks. */
import { after, before } from 'node:test';
import { type LocalStack, type LocalStackOptions, startStack } from '../../local-stack/stack.ts';

/**
 * Registers before/after hooks; call `get()` inside tests (it throws before the stack is up). Call it
 * inside a `describe`: on Node 20, top-level hooks do not hold back the file's suites.
 */
export function useStack(options: LocalStackOptions = {}): { get(): LocalStack } {
  let stack: LocalStack | undefined;
  before(async () => {
    stack = await startStack(options);
  });
  after(async () => {
    await stack?.stop();
  });
  return {
    get() {
      if (stack === undefined) throw new Error('the local stack is not running (before hook failed?)');
      return stack;
    },
  };
}

/** The stack's test user signs in with these; the target for `adminSignIn`. */
export function cognitoTarget(stack: LocalStack) {
  const { endpoint, region, userPoolId, clientId } = stack.cognito;
  return { endpoint, region, userPoolId, clientId };
}
