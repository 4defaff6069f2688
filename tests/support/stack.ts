/** Starts one local stack for a test file (port 0) and stops it after, through node:test hooks. */
import { after, before } from 'node:test';
import { composeStack, type GatewayParts, type LocalStack } from '../../local-stack/stack.ts';

/**
 * Registers before/after hooks; call `get()` inside tests (it throws before the stack is up). Call it
 * inside a `describe`: on Node 20, top-level hooks do not hold back the file's suites.
 */
/** `parts`: the gateway's parts to replace (none: the product's stack). */
export function useStack(parts: GatewayParts = {}): { get(): LocalStack } {
  let stack: LocalStack | undefined;
  before(async () => {
    stack = await composeStack({}, parts);
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
