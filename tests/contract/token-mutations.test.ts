/**
 * Proof that the security clauses have teeth (issue 5): the whole contract runs against a local
 * gateway whose authorizer is the tests' own verifier with exactly one check left out, and must fail
 * on exactly the clause that sends a token with that one defect. The verifiers are written in
 * ./support/weak-authorizers.ts on node:crypto, independently of the product's authorizer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clause } from './support/clauses.ts';
import {
  assertCaughtExactlyBy,
  describeFailures,
  failedAssertions,
  RUN_TIMEOUT_MS,
  runVariant,
} from './support/variant-run.ts';
import { type Hole, weakenedAuthorizer } from './support/weak-authorizers.ts';

interface Variant {
  readonly hole: Exclude<Hole, 'none'>;
  /** How the test names the weakness: "when the authorizer <does this>". */
  readonly weakness: string;
  readonly caughtBy: readonly string[];
}

const variants: readonly Variant[] = [
  {
    hole: 'signature',
    weakness: 'decodes the token and checks its claims but never its signature',
    // Every token whose only defect is its signature or algorithm; the claim checks still refuse the rest.
    caughtBy: [
      clause.tamperedPayload,
      clause.signatureRemoved,
      clause.algNone,
      clause.hs256,
      clause.otherKeyPoolKid,
      clause.otherKeyOwnKid,
    ],
  },
  { hole: 'exp', weakness: 'ignores exp', caughtBy: [clause.expired] },
  { hole: 'issuer', weakness: 'ignores the issuer', caughtBy: [clause.otherIssuer] },
  {
    hole: 'tokenUse',
    weakness: 'accepts access tokens as well as ID tokens',
    caughtBy: [clause.accessToken],
  },
  { hole: 'algNone', weakness: 'accepts an unsigned token with alg "none"', caughtBy: [clause.algNone] },
  {
    hole: 'hs256',
    weakness: "accepts HS256 keyed with the pool's public key (key confusion)",
    caughtBy: [clause.hs256],
  },
];

describe('the contract against a local gateway whose authorizer misses one check', () => {
  for (const variant of variants) {
    const names = variant.caughtBy.length === 1 ? 'exactly the clause' : 'exactly the clauses';
    it(`fails ${names} sending that defect when the authorizer ${variant.weakness}`, {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const result = await runVariant({ authorizer: weakenedAuthorizer(variant.hole) });
      assertCaughtExactlyBy(result, variant.caughtBy);
      for (const name of variant.caughtBy) {
        const found = result.clauses.find((c) => c.name === name);
        // Caught because the weakened gateway let the token through to the Lambda, not for some other reason.
        assert.equal(found?.actualStatus, 200, `${name}: ${describeFailures(result)}`);
        assert.ok(
          failedAssertions(result, name).some((test) => test.startsWith('Status is 401')),
          `${name}: the status check did not fail`,
        );
      }
    });
  }
});
