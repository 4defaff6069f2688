/**
 * A description whose authorizers name two user pools (tests/fixtures/api/sam-two-pools.yaml: placeholder
 * ARNs `arn:aws:2` for customers, `arn:aws:1` for staff), end to end: real Newman against the local stack
 * serving it. The run signs in to one pool and passes: the methods of that pool get the full contract,
 * the staff method's clauses are all skipped with which pool tests it (and nothing is sent for them),
 * and the reports say which pool ran. The stack serves the staff authorizer faithfully: it refuses the
 * seeded user's genuine token, exactly as API Gateway refuses a token of another pool.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withPool } from '../../api/pools.ts';
import { readApiDescription } from '../../api/read-description.ts';
import { formatContractSummary } from '../../contract-runner/console-summary.ts';
import { runContract } from '../../contract-runner/run-contract.ts';
import { adminSignIn } from '../support/cognito.ts';
import { send } from '../support/http.ts';
import { cognitoTarget, useStack } from '../support/stack.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const TIMEOUT_MS = 300_000;
const file = 'tests/fixtures/api/sam-two-pools.yaml';
const api = await readApiDescription(join(repoRoot, file), file, {});
const LEFT =
  'authorizer Staff accepts only pool arn:aws:1: sign in to that pool to test these methods — --pool "arn:aws:1" or CONTRACT_POOL';

describe('a description of two user pools, against the local stack serving it', () => {
  it('passes, testing the pool of the most methods and skipping the staff method with why', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const result = await runContract({
      target: 'local',
      rootDir: repoRoot,
      reporters: [],
      api,
      allowUnprotected: 'GET /health',
    });
    const failed = result.clauses.filter((clause) => clause.outcome === 'failed');
    assert.deepEqual(
      failed.map((clause) => clause.name),
      [],
    );
    assert.equal(result.passed, true);
    const staff = result.clauses.filter((clause) => clause.clause?.folder === 'GET /admin/refunds');
    assert.ok(staff.length > 10);
    for (const clause of staff) {
      assert.equal(clause.outcome, 'skipped', clause.name);
      assert.equal(clause.reason, LEFT, clause.name);
      assert.equal(clause.actualStatus, undefined, `${clause.name}: nothing is sent`);
    }
    // The customer methods got the full contract, accepted with the seeded user's token.
    for (const folder of ['GET /orders', 'POST /orders']) {
      const ofMethod = result.clauses.filter((clause) => clause.clause?.folder === folder);
      assert.ok(ofMethod.length > 0, folder);
      for (const clause of ofMethod) assert.equal(clause.outcome, 'passed', clause.name);
      assert.ok(ofMethod.some((clause) => clause.clause?.kind === 'accepted' && clause.actualStatus === 200));
    }
    assert.equal(result.plan?.pool?.label, 'arn:aws:2');
    const summary = formatContractSummary(result, repoRoot);
    assert.match(summary, /^User pool: arn:aws:2 \(the pool that protects the most methods, 2 of 3; /m);
    assert.ok(summary.includes(`Left for another run (skipped): GET /admin/refunds: ${LEFT}.`));
    // Named once, not clause by clause.
    assert.doesNotMatch(summary, /SKIPPED GET \/admin\/refunds/);
  });

  describe('the local stack', () => {
    const stack = useStack({ api });
    const staffStack = useStack({ api: withPool(api, 'Staff') });

    async function idTokenOf(running: ReturnType<typeof stack.get>): Promise<string> {
      const { cognito } = running;
      return (await adminSignIn(cognitoTarget(running), cognito.username, cognito.password)).idToken;
    }

    it('serves the chosen pool through the seeded pool, and the other pool as refusing its genuine token', {
      timeout: TIMEOUT_MS,
    }, async () => {
      const running = stack.get();
      const token = await idTokenOf(running);
      const orders = await send(`${running.apiUrl}/orders`, { headers: [['Authorization', token]] });
      assert.equal(orders.status, 200);
      const refunds = await send(`${running.apiUrl}/admin/refunds`, { headers: [['X-Staff-Token', token]] });
      assert.equal(refunds.status, 401);
      assert.equal(refunds.body.toString('utf8'), '{"message":"Unauthorized"}');
    });

    it('swaps the roles when the other pool is chosen', { timeout: TIMEOUT_MS }, async () => {
      const running = staffStack.get();
      const token = await idTokenOf(running);
      const refunds = await send(`${running.apiUrl}/admin/refunds`, { headers: [['X-Staff-Token', token]] });
      assert.equal(refunds.status, 200);
      const orders = await send(`${running.apiUrl}/orders`, { headers: [['Authorization', token]] });
      assert.equal(orders.status, 401);
    });
  });
});
