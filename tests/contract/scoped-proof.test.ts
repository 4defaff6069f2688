/**
 * The mutation proof for a method with OAuth scopes, which the tutorial's route table does not have: the
 * same harness (support/proof.ts) on the route table plus one scoped method. Its scope is the one every
 * Cognito access token carries (`aws.cognito.signin.user.admin`), so the accepted clauses run, nothing
 * skipped. The contract passes whole against the product gateway, and a gateway that matches scopes as
 * substrings fails exactly the clauses that send a token whose scope only contains the method's inside a
 * longer one (`xaws.cognito.signin.user.admin2`).
 */
import { after, before, describe, it } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import type { ApiSpec } from '../../api/spec.ts';
import { generateClauses } from '../../collections/generate.ts';
import {
  assertCaughtExactlyBy,
  assertWholeContractPassed,
  PROOF_TIMEOUT_MS,
  type Proof,
  startProof,
} from './support/proof.ts';
import { scopeSubstring } from './support/request-weaknesses.ts';

const scopedApi: ApiSpec = {
  ...helloApi,
  routes: [
    ...helloApi.routes,
    {
      method: 'GET',
      path: '/admin',
      protection: {
        kind: 'cognito',
        authorizer: 'CognitoUserPoolAuthorizer',
        scopes: ['aws.cognito.signin.user.admin'],
      },
      integration: 'AWS_PROXY',
      handler: { file: 'lambda/hello.ts', exportName: 'handler' },
      authorized: helloApi.routes[0]?.authorized ?? { status: 200 },
    },
  ],
};
const clauses = generateClauses(scopedApi);

let proof: Proof;
before(
  async () => {
    proof = await startProof(scopedApi);
  },
  { timeout: PROOF_TIMEOUT_MS },
);
after(async () => {
  await proof?.stop();
});

describe('the contract of a method with OAuth scopes', () => {
  it('passes whole against the product gateway, in real Newman', { timeout: PROOF_TIMEOUT_MS }, async () => {
    assertWholeContractPassed(await proof.run(), clauses);
  });

  it('fails exactly the longer-scope clauses against a gateway that matches scopes as substrings', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    const caughtBy = new Set(
      clauses
        .filter(
          (clause) => clause.send.authorization === 'token' && clause.send.token.kind === 'scope-superstring',
        )
        .map((clause) => clause.key),
    );
    assertCaughtExactlyBy(await proof.replay(scopeSubstring()), clauses, caughtBy);
  });
});
