/**
 * Proof that the contract has teeth (issue 4 and 5): the whole contract runs, in-process, against a
 * local gateway that is wrong in exactly one way, injected through the stack's test hooks, and must
 * fail on exactly the clauses meant to catch that weakness while every other clause still passes.
 * The correct gateway, and the tests' own reference authorizer, must pass everything, or a "caught"
 * weakness could be collateral damage of something else being broken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ApiSpec, helloApi } from '../../api/routes.ts';
import type { GatewayResponse } from '../../local-stack/gateway/responses.ts';
import { clause, refusedWith401 } from './support/clauses.ts';
import {
  assertCaughtExactlyBy,
  assertWholeContractPassed,
  describeFailures,
  failedAssertions,
  RUN_TIMEOUT_MS,
  runVariant,
} from './support/variant-run.ts';
import { authorizerOff, weakenedAuthorizer } from './support/weak-authorizers.ts';

const STATUS_401 = 'Status is 401: the authorizer refused the token';
const GREETING_ABSENT = "The Lambda's greeting is absent (the request never reached the Lambda)";

function withBody(answer: GatewayResponse, body: string): GatewayResponse {
  const bytes = Buffer.from(body, 'utf8');
  return { ...answer, headers: { ...answer.headers, 'Content-Length': String(bytes.length) }, body: bytes };
}

/** The tutorial's mistake of adding a method without the authorizer: POST /hello reaches the Lambda. */
const apiAllowingPost: ApiSpec = {
  ...helloApi,
  routes: [
    ...helloApi.routes,
    {
      method: 'POST',
      path: '/hello',
      authorization: 'NONE',
      integration: 'AWS_PROXY',
      handler: { file: 'lambda/hello.ts', exportName: 'handler' },
    },
  ],
};

describe('the contract against a correct local gateway', () => {
  it('passes every one of the 18 clauses', { timeout: RUN_TIMEOUT_MS }, async () => {
    const result = await runVariant();
    assertWholeContractPassed(result);
    assert.equal(result.counts.clauses.total, 18);
  });

  it("passes every clause with the tests' own reference authorizer, so its weakened copies differ in one check only", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({ authorizer: weakenedAuthorizer('none') });
    assertWholeContractPassed(result);
  });
});

describe('the contract against a local gateway that is wrong in one way', () => {
  it('fails the no-header clause and every refused-token clause when the authorizer is off', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({ authorizer: () => authorizerOff() });
    // The oversized header never reaches any authorizer: the gateway's header limit refuses it first.
    assertCaughtExactlyBy(result, refusedWith401);
  });

  it('fails both greeting clauses, on their body check only, when the Lambda answers another greeting', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({
      handlers: {
        'GET /hello': async () => ({ statusCode: 200, body: JSON.stringify('Hello from a stranger!') }),
      },
    });
    assertCaughtExactlyBy(result, [clause.rawToken, clause.bearerToken]);
    for (const name of [clause.rawToken, clause.bearerToken]) {
      assert.deepEqual(failedAssertions(result, name), [
        'Body is exactly "Hello from Lambda!" (the Lambda\'s JSON string, quotes included)',
      ]);
    }
  });

  it('fails every 401 clause, on its status check only, when the gateway answers 403 instead of 401', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({
      tamperResponse: (answer) => (answer.status === 401 ? { ...answer, status: 403 } : answer),
    });
    assertCaughtExactlyBy(result, refusedWith401);
    for (const name of refusedWith401) {
      assert.deepEqual(failedAssertions(result, name), [STATUS_401], describeFailures(result));
    }
  });

  it("fails every 401 clause on the greeting-absent check when a 401 body leaks the Lambda's greeting", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({
      tamperResponse: (answer) =>
        answer.status === 401
          ? withBody(answer, '{"message":"Unauthorized","preview":"\\"Hello from Lambda!\\""}')
          : answer,
    });
    assertCaughtExactlyBy(result, refusedWith401);
    for (const name of refusedWith401) {
      const failed = failedAssertions(result, name);
      assert.ok(failed.includes(GREETING_ABSENT), `${name}: the leak was not named: ${failed.join(' | ')}`);
      assert.ok(
        failed.some((test) => test.startsWith('Body is exactly ')),
        `${name}: ${failed.join(' | ')}`,
      );
    }
  });

  it('fails exactly the POST clause when the API also routes POST /hello to the Lambda', {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const result = await runVariant({ api: apiAllowingPost });
    assertCaughtExactlyBy(result, [clause.post]);
    assert.ok(failedAssertions(result, clause.post).includes(GREETING_ABSENT));
    assert.equal(result.clauses.find((c) => c.name === clause.post)?.actualStatus, 200);
  });
});
