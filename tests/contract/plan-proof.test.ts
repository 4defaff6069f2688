/**
 * Proof that the planned attack matrix (collections/plan.ts) still catches a method that is not behind
 * the authorizer its representative proved: an API with two methods behind one authorizer, GET /hello
 * (the representative, whole catalogue) and GET /goodbye (sampled), run in the default mode against
 * gateways that attach nothing, or another pool's authorizer, to GET /goodbye alone. Each must fail
 * exactly the clauses of GET /goodbye meant to catch it, and every other clause must pass. Judged by
 * replaying the collection's recorded requests (support/replay.ts) and, for one, in real Newman too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { helloApi } from '../../api/routes.ts';
import type { ApiSpec, RouteSpec } from '../../api/spec.ts';
import { EXPIRED } from '../../collections/assertions.ts';
import { assertsCheck as asserts, type Clause } from '../../collections/clause.ts';
import { generateClauses } from '../../collections/generate.ts';
import { planContract, SAMPLE_ROWS } from '../../collections/plan.ts';
import { createCognitoAuthorizer } from '../../local-stack/gateway/authorizer.ts';
import type { GatewayParts } from '../../local-stack/stack.ts';
import { attackerKey } from '../../security/attacker-key.ts';
import { ATTACKS } from '../../security/catalogue.ts';
import {
  assertCaughtExactlyBy,
  assertLetThrough,
  assertWholeContractPassed,
  describeRun,
  PROOF_TIMEOUT_MS,
  type Proof,
  type ProofRun,
  resultFor,
  startProof,
  unguardedRequestRow,
} from './support/proof.ts';

const SAMPLED = 'GET /goodbye';
const goodbye: RouteSpec = {
  ...(helloApi.routes[0] as RouteSpec),
  path: '/goodbye',
};
const api: ApiSpec = { ...helloApi, routes: [...helloApi.routes, goodbye] };
const clauses = generateClauses(api);

const keysOf = (keep: (clause: Clause) => boolean) =>
  new Set(clauses.filter((clause) => clause.folder === SAMPLED && keep(clause)).map((clause) => clause.key));

/** The gateway serves GET /goodbye without any authorizer. */
const forgotten = (): GatewayParts => ({
  api: {
    ...api,
    routes: api.routes.map((route) =>
      route.path === '/goodbye' ? { ...route, protection: { kind: 'none' as const } } : route,
    ),
  },
});

/**
 * The gateway attaches to GET /goodbye an authorizer of another pool: another issuer, and another key
 * under the same key id, so the user's genuine tokens fail its signature check.
 */
const otherPool = (): GatewayParts => ({
  authorizer: (real, settings) => {
    let other: ReturnType<typeof createCognitoAuthorizer> | undefined;
    return async (header, scopes, route) => {
      if (route !== SAMPLED) return real(header, scopes, route);
      if (other === undefined) {
        const issuer = `${settings.endpoint}/local_OtherPool`;
        const kid = proof.stack.jwks.keys[0]?.kid;
        other = createCognitoAuthorizer({
          issuer,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          jwks: { keys: [{ ...attackerKey().publicJwk, ...(kid ? { kid } : {}) }] } as Jwks,
        });
      }
      return other(header, scopes, route);
    };
  },
});

let proof: Proof;
before(
  async () => {
    proof = await startProof(api);
  },
  { timeout: PROOF_TIMEOUT_MS },
);
after(async () => {
  await proof?.stop();
});

describe('the planned matrix on two methods behind one authorizer', () => {
  it('samples the second method in the default mode', () => {
    const plan = planContract(api, ATTACKS);
    assert.deepEqual(
      plan.methods.map((method) => [method.route, method.coverage]),
      [
        ['GET /hello', 'catalogue'],
        [SAMPLED, 'sample'],
      ],
    );
    assert.deepEqual(
      clauses.filter((clause) => clause.folder === SAMPLED && clause.kind === 'attack').map((c) => c.row),
      [...SAMPLE_ROWS],
    );
  });

  it('passes every clause against the product gateway, in real Newman', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.run(), clauses);
  });

  it('fails exactly the no-header and sampled refusals of a method whose gateway forgets the authorizer, in Newman and replayed alike', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    const caughtBy = new Set([
      ...keysOf(
        (clause) => clause.kind === 'no-header' || (clause.kind === 'attack' && asserts(clause, 'refused')),
      ),
      // The request rows every resource and method gets reach the unguarded method too.
      ...clauses.filter((clause) => unguardedRequestRow(clause, SAMPLED, api)).map((clause) => clause.key),
    ]);
    const [newman, replayed] = [await proof.run(forgotten()), await proof.replay(forgotten())];
    for (const run of [newman, replayed] as ProofRun[]) {
      assertCaughtExactlyBy(run, clauses, caughtBy);
      assertLetThrough(run, caughtBy);
    }
  });

  it("fails exactly the genuine-token clauses (and the expiry message) of a method whose gateway attaches another pool's authorizer", {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    const caughtBy = keysOf(
      (clause) =>
        clause.kind === 'accepted' ||
        clause.kind === 'persistence' ||
        // The other pool cannot verify the signature, so it never gets as far as the expiry: caught
        // where the clause asserts the expiry message.
        (clause.kind === 'attack' && clause.row === 'expired' && asserts(clause, 'body', EXPIRED)),
    );
    const run = await proof.replay(otherPool());
    assertCaughtExactlyBy(run, clauses, caughtBy);
    for (const key of caughtBy) {
      assert.equal(resultFor(run, key).actualStatus, 401, `${key}\n${describeRun(run)}`);
    }
  });
});
