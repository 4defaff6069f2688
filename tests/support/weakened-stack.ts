/**
 * Tests' side of the composition root (local-stack/stack.ts, contract-runner/run-contract.ts), the way
 * cognito-local's integration-test setup builds its server from the same parts as its defaults: a stack
 * with some of its gateway's parts replaced, and a contract run against such a stack, watching the
 * token the run obtained. The product's options carry no test hook; the weakening happens here.
 */
import {
  type ContractOptions,
  type ContractResult,
  composeContractRun,
  DEFAULT_CONTRACT_PARTS,
} from '../../contract-runner/run-contract.ts';
import {
  type ComposedStack,
  composeStack,
  type GatewayParts,
  type LocalStackOptions,
} from '../../local-stack/stack.ts';
import type { TokenResult } from '../../token-helper/index.ts';

export type { GatewayParts } from '../../local-stack/stack.ts';

/** A stack whose gateway is built from `parts` in place of the product's own. */
export function startWeakenedStack(
  parts: GatewayParts,
  options: LocalStackOptions = {},
): Promise<ComposedStack> {
  return composeStack(options, parts);
}

export interface RunWith {
  /** The gateway's replaced parts; `api` serves another description than the contract's. */
  readonly parts?: GatewayParts;
  /** Told the token the run signed in with (to know which secrets must appear in no output). */
  readonly onToken?: (token: TokenResult) => void;
  /** The stack's own settings, over the ones the run gives it (e.g. another API to serve). */
  readonly stack?: LocalStackOptions;
  /** Told the stack the run started (its password, its ports), once it is up. */
  readonly onStack?: (stack: ComposedStack) => void;
}

/** A contract run composed with a weakened stack and/or a watched sign-in. */
export function runContractWith(options: ContractOptions, using: RunWith): Promise<ContractResult> {
  const { parts = {}, onToken, stack = {}, onStack } = using;
  return composeContractRun(options, {
    startStack: async (stackOptions) => {
      const started = await composeStack({ ...stackOptions, ...stack }, parts);
      onStack?.(started);
      return started;
    },
    obtainToken: async (...args) => {
      const token = await DEFAULT_CONTRACT_PARTS.obtainToken(...args);
      onToken?.(token);
      return token;
    },
  });
}
