/**
 * Proof that the contract has teeth: the whole contract runs against local
 * gateways that are each wrong in exactly one way (tests/contract/support/variants.ts: every weakness
 * the attack catalogue names, every real JWT library version, and gateways wrong outside the token
 * checks) and must fail on exactly the clauses meant to catch that weakness, while every other clause
 * still passes. Two controls pass everything in real Newman: the product's gateway, and the tests' own
 * reference verifier without a weakness, so each weakened copy differs from a passing verifier in one
 * thing only. The variants are judged by replaying the collection's recorded requests (support/replay.ts);
 * representative ones also run in real Newman, which must reach the same verdict assertion by assertion.
 * Two clause sets judge them, the same requests with different expectations: the default (what the
 * committed collection asserts: nothing open) for the controls and for each library exactly as its
 * README sets it up, which must pass it or fail exactly the rows of its README's weakness; and
 * `--strict all` (every open fact asserted as the local gateway's guess) for the weakened gateways,
 * some of whose weaknesses show only on open points (a token without exp, an iss array).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { generateClauses } from '../../collections/generate.ts';
import { ATTACKS } from '../../security/catalogue.ts';
import { libraryAuthorizers, missingLibraries } from './support/library-authorizers.ts';
import {
  assertCaughtExactlyBy,
  assertWholeContractPassed,
  describeRun,
  PROOF_TIMEOUT_MS,
  type Proof,
  type ProofRun,
  resultFor,
  startProof,
} from './support/proof.ts';
import { VARIANTS, type Variant, variantById } from './support/variants.ts';
import { weakenedAuthorizer } from './support/weak-authorizers.ts';

/** The contract as committed (nothing open asserted), and with every open fact asserted as the local guess. */
const clauses = generateClauses(helloApi);
const strictClauses = generateClauses(helloApi, ATTACKS, { strict: 'all' });
const clausesFor = (variant: Variant) => (variant.settings === 'default' ? clauses : strictClauses);

/**
 * The library versions are the proof's own install (tests/contract/package.json), kept out of the root
 * `npm ci` so a user installs no vulnerable version. Without it their tests are skipped with the reason,
 * except under CI=true, where .ci/run installs them and a missing one fails.
 */
const missing = missingLibraries();
const libraryGap =
  missing.length === 0
    ? undefined
    : `the proof's library versions are not installed (${missing.join(', ')}): run \`npm ci --prefix tests/contract\``;
if (libraryGap !== undefined && process.env.CI === 'true') {
  describe('the proof under CI', () => {
    it('has its library versions installed', () => {
      assert.fail(libraryGap);
    });
  });
}
const needsLibrary = (id: string) =>
  id.startsWith('library:') && libraryGap !== undefined ? libraryGap : false;

/** Variants also run end to end in Newman: one of each kind, so replay and Newman are compared on each. */
const THROUGH_NEWMAN = [
  'gateway:authorizer-off',
  'gateway:403-for-401',
  'weakness:verified-cache-keyed-by-signature',
  'weakness:crash-on-malformed',
  'library:node-jose-0.10.0',
  'library:jsonwebtoken-8.5.1-rs256',
  'library:aws-jwt-verify-5.2.1',
] as const;

let proof: Proof;
before(
  async () => {
    proof = await startProof();
  },
  { timeout: PROOF_TIMEOUT_MS },
);
after(async () => {
  await proof?.stop();
});

/** What a run says clause by clause: outcome and the failing assertions, for comparing two runs. */
function verdict(run: ProofRun): string[] {
  return run.results.map(
    (result) =>
      `${result.clause?.key} ${result.outcome} ${result.assertions
        .filter((assertion) => assertion.outcome !== 'passed')
        .map((assertion) => `${assertion.outcome}:${assertion.name}`)
        .join(' | ')}`,
  );
}

describe('the contract against correct gateways, in real Newman', () => {
  it('passes every generated clause against the product gateway', { timeout: PROOF_TIMEOUT_MS }, async () => {
    assertWholeContractPassed(await proof.run(), clauses);
  });

  it('passes every clause against the product gateway with every open fact asserted (--strict all: its guesses)', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.run(undefined, strictClauses), strictClauses);
  });

  it("passes every clause with the tests' own reference verifier, so its weakened copies differ in one thing only", {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.run({ authorizer: weakenedAuthorizer('none') }), clauses);
    assertWholeContractPassed(
      await proof.replay({ authorizer: weakenedAuthorizer('none') }, strictClauses),
      strictClauses,
    );
  });

  it('passes every clause replayed against the product gateway, as it does in Newman', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.replay({}), clauses);
  });
});

describe('the contract against a gateway wrong in exactly one way', { concurrency: 4 }, () => {
  for (const variant of VARIANTS) {
    const judgedBy = clausesFor(variant);
    const caughtBy = variant.caughtBy(judgedBy);
    const what =
      caughtBy.size === 0 ? 'passes every clause against' : 'fails exactly the clauses meant to catch';
    const settings = variant.settings === 'default' ? 'default settings' : '--strict all';
    it(`${what} a gateway that ${variant.description} (${settings}) [${variant.id}]`, {
      timeout: PROOF_TIMEOUT_MS,
      skip: needsLibrary(variant.id),
    }, async () => {
      const run = await proof.replay(variant.options(), judgedBy);
      if (caughtBy.size === 0) {
        assertWholeContractPassed(run, judgedBy);
        return;
      }
      assertCaughtExactlyBy(run, judgedBy, caughtBy);
      for (const key of caughtBy) {
        const status = resultFor(run, key).actualStatus ?? 0;
        // Caught for the right reason: the weakened gateway let the token through, or failed on it.
        if (variant.caughtAs === 'let-through')
          assert.ok(status >= 200 && status < 300, `${key}: ${status}\n${describeRun(run)}`);
        if (variant.caughtAs === 'server-error')
          assert.ok(status >= 500, `${key}: ${status}\n${describeRun(run)}`);
      }
    });
  }
});

describe('the replayed verdict is the one real Newman reaches', () => {
  for (const id of THROUGH_NEWMAN) {
    it(`for a gateway that ${variantById(id).description} [${id}]`, {
      timeout: PROOF_TIMEOUT_MS,
      skip: needsLibrary(id),
    }, async () => {
      const variant = variantById(id);
      const judgedBy = clausesFor(variant);
      const [newman, replayed] = [
        await proof.run(variant.options(), judgedBy),
        await proof.replay(variant.options(), judgedBy),
      ];
      assert.equal(newman.runError, undefined, newman.runError);
      assert.deepEqual(verdict(replayed), verdict(newman));
    });
  }
});

describe('the real library versions the proof runs on', () => {
  it('are installed at exactly the versions their table entries name', { skip: libraryGap ?? false }, () => {
    for (const library of libraryAuthorizers) {
      // The proof's own install, or the root's for the product's aws-jwt-verify.
      const path = [
        new URL(`./node_modules/${library.installedAs}/package.json`, import.meta.url),
        new URL(`../../node_modules/${library.installedAs}/package.json`, import.meta.url),
      ].find((candidate) => existsSync(candidate));
      assert.ok(path, `${library.installedAs} is not installed`);
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      assert.deepEqual([manifest.name, manifest.version], [library.package, library.version], library.id);
    }
  });

  it('include the well-kept libraries exactly as their READMEs set them up, judged on the default settings', () => {
    const readme = libraryAuthorizers.filter((library) => library.setUp === 'readme');
    assert.deepEqual(
      readme.filter((library) => library.expectedToFallTo.length === 0).map((library) => library.id),
      ['jose-6.2.18', 'aws-jwt-verify-5.2.1'],
      'the README controls',
    );
    // A README set-up that is weak is a weakness the contract must catch, by the row meant for it.
    assert.deepEqual(
      readme
        .filter((library) => library.expectedToFallTo.length > 0)
        .map((library) => [library.id, library.expectedToFallTo]),
      [['jsonwebtoken-8.5.1-rs256', ['access-token']]],
    );
    for (const library of readme)
      assert.equal(variantById(`library:${library.id}`).settings, 'default', library.id);
  });

  it('include vulnerable versions the contract catches and correct versions that pass it', () => {
    const uncaught = libraryAuthorizers.filter(
      (library) =>
        library.vulnerable && library.expectedToFallTo.length === 0 && library.acceptsGenuineTokens,
    );
    assert.deepEqual(
      uncaught.map((library) => library.id),
      [],
      'a vulnerable version the contract does not catch',
    );
    assert.ok(
      libraryAuthorizers.some((library) => !library.vulnerable && library.expectedToFallTo.length === 0),
      'no clean control',
    );
  });
});
