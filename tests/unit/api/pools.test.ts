/**
 * The pool a run tests when a description's authorizers name several (api/pools.ts), and what the plan
 * and the generator make of it: the methods of the chosen pool get the full contract, the others every
 * clause generated and skipped with the same one sentence, and no clause of theirs is left to send.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { choosePool, poolLines, withPool } from '../../../api/pools.ts';
import { readApiDescription } from '../../../api/read-description.ts';
import { helloApi } from '../../../api/routes.ts';
import type { ApiSpec } from '../../../api/spec.ts';
import { generateContract } from '../../../collections/generate.ts';
import { planContract } from '../../../collections/plan.ts';
import { UsageError } from '../../../common/cli-error.ts';
import { ATTACKS } from '../../../security/catalogue.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const file = 'tests/fixtures/api/sam-two-pools.yaml';
const twoPools = await readApiDescription(join(repoRoot, file), file, {});

const [base] = helloApi.authorizers;
assert.ok(base !== undefined);
/** Three authorizers: A and B share nothing, C lists both pools (a token of either passes it). */
const threeAuthorizers: ApiSpec = {
  ...helloApi,
  authorizers: [
    { ...base, id: 'A', pools: [{ key: 'P1', label: 'P1' }] },
    { ...base, id: 'B', pools: [{ key: 'P2', label: 'P2' }] },
    {
      ...base,
      id: 'C',
      pools: [
        { key: 'P2', label: 'P2' },
        { key: 'P1', label: 'P1' },
      ],
    },
  ],
  routes: ['A', 'B', 'B', 'C'].map((authorizer, index) => ({
    method: 'GET',
    path: `/r${index}`,
    protection: { kind: 'cognito', authorizer, scopes: [] },
  })),
};

describe('the user pool a run tests', () => {
  it('defaults to the pool that protects the most methods, and leaves exactly the others', () => {
    const choice = choosePool(twoPools);
    assert.equal(choice?.label, 'arn:aws:2');
    assert.match(
      choice?.why ?? '',
      /^the pool that protects the most methods, 2 of 3; choose another with --pool/,
    );
    assert.deepEqual(
      choice?.left.map((method) => [method.route, method.authorizer, method.pools]),
      [['GET /admin/refunds', 'Staff', ['arn:aws:1']]],
    );
    assert.equal(
      choice?.left[0]?.reason,
      'authorizer Staff accepts only pool arn:aws:1: sign in to that pool to test these methods — --pool "arn:aws:1" or CONTRACT_POOL',
    );
  });

  it('counts a method for every pool its authorizer lists, and never leaves one a token of the chosen pool passes', () => {
    const choice = choosePool(threeAuthorizers);
    // P2: B, B, C (3 methods); P1: A, C (2).
    assert.deepEqual(
      choice?.pools.map((use) => [use.key, use.methods.length]),
      [
        ['P2', 3],
        ['P1', 2],
      ],
    );
    assert.deepEqual(
      choice?.left.map((method) => method.route),
      ['GET /r0'],
    );
  });

  it('takes the setting as a pool ARN, a pool id, or an authorizer name', () => {
    assert.equal(choosePool(withPool(twoPools, 'arn:aws:1'))?.key, 'arn:aws:1');
    assert.equal(choosePool(withPool(twoPools, 'Staff'))?.key, 'arn:aws:1');
    assert.equal(choosePool(withPool(threeAuthorizers, 'A'))?.key, 'P1');
    const arn = 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Staff';
    const byId: ApiSpec = {
      ...threeAuthorizers,
      authorizers: threeAuthorizers.authorizers.map((authorizer) =>
        authorizer.id === 'A' ? { ...authorizer, pools: [{ key: arn, arn, label: arn }] } : authorizer,
      ),
    };
    assert.equal(choosePool(withPool(byId, 'eu-west-1_Staff'))?.key, arn);
    // The pool the run signs in to on AWS, when the description names it and no setting does.
    const signedIn = choosePool(byId, 'eu-west-1_Staff');
    assert.equal(signedIn?.key, arn);
    assert.match(signedIn?.why ?? '', /signs in to \(COGNITO_USER_POOL_ID eu-west-1_Staff\)/);
  });

  it('refuses a setting that names nothing of the description, in one sentence listing what it could name', () => {
    assert.throws(
      () => withPool(twoPools, 'arn:aws:3', 'CONTRACT_POOL'),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          'CONTRACT_POOL is "arn:aws:3", which names no user pool or Cognito authorizer of the API description: use one of "arn:aws:2", "arn:aws:1", "Customers", "Staff".',
    );
    assert.equal(withPool(twoPools, undefined), twoPools);
  });

  it('says nothing more on the console for a description of one pool', () => {
    assert.deepEqual(poolLines(choosePool(helloApi)), []);
    assert.deepEqual(
      planContract(helloApi, ATTACKS).methods.filter((method) => method.skip),
      [],
    );
  });

  it('plans the left methods with the skip sentence, and the generator skips every clause of theirs and no other', () => {
    const { clauses, plan } = generateContract(twoPools);
    assert.deepEqual(
      plan.methods.filter((method) => method.skip !== undefined).map((method) => method.route),
      ['GET /admin/refunds'],
    );
    const reason = plan.pool?.left[0]?.reason;
    assert.match(reason ?? '', /^authorizer Staff accepts only pool arn:aws:1: /);
    const ofLeft = clauses.filter((clause) => clause.folder === 'GET /admin/refunds');
    assert.ok(ofLeft.length > 10, 'the left method still has its clauses generated');
    for (const clause of ofLeft) assert.equal(clause.skip, reason, clause.key);
    const others = clauses.filter((clause) => clause.folder !== 'GET /admin/refunds');
    assert.ok(others.some((clause) => clause.folder === 'GET /orders' && clause.kind === 'accepted'));
    for (const clause of others) assert.equal(clause.skip, undefined, clause.key);
    // With the other pool chosen, the roles swap.
    const swapped = generateContract(withPool(twoPools, 'Staff')).clauses;
    for (const clause of swapped.filter((entry) => entry.folder.endsWith('/orders'))) {
      assert.match(clause.skip ?? '', /^authorizer Customers accepts only pool arn:aws:2: /, clause.key);
    }
    assert.ok(
      swapped.filter((clause) => clause.folder === 'GET /admin/refunds').every((clause) => !clause.skip),
    );
  });

  it('names the pool and the left methods on the console', () => {
    const lines = poolLines(choosePool(twoPools));
    assert.deepEqual(lines, [
      'User pool: arn:aws:2 (the pool that protects the most methods, 2 of 3; choose another with --pool POOL or CONTRACT_POOL).',
      'Left for another run (skipped): GET /admin/refunds: authorizer Staff accepts only pool arn:aws:1: sign in to that pool to test these methods — --pool "arn:aws:1" or CONTRACT_POOL.',
    ]);
  });
});
