/**
 * Proof that the contract has teeth: the whole contract runs against local
 * gateways that are each wrong in exactly one way (tests/contract/support/variants.ts: every weakness
 * the attack catalogue names, every real JWT library version, and gateways wrong outside the token
 * checks) and must fail on exactly the clauses meant to catch that weakness, while every other clause
 * still passes. Two controls pass everything: the product's gateway, in real Newman (default settings
 * and --strict all), and the tests' own reference verifier without a weakness, so each weakened copy
 * differs from a passing verifier in one thing only. The reference verifier and the variants are judged by
 * replaying the collection's recorded requests (support/replay.ts); a few variants, one per way the replay
 * imitates Newman (THROUGH_NEWMAN), also run in real Newman, which must reach the same verdict assertion by
 * assertion.
 * Everything is judged on the default settings, what users run (`npm run contract`, nothing open
 * asserted): each weakness must fail exactly the clauses of its rows that assert what it breaks, read
 * from the clauses' facts, never listed by hand. A weakness only an open fact can catch is declared in
 * the catalogue (OPEN_ONLY_WEAKNESSES, with the fact and the reason), listed here for the reviewer, and
 * proven under `--strict` of that fact alone. Correct gateways that differ from the reference only on
 * open points (support/variants.ts, CONTROLS) must pass the default contract with nothing skipped.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { DEFAULT_SETTINGS, rowAssertions } from '../../collections/assertions.ts';
import type { Clause } from '../../collections/clause.ts';
import { generateClauses } from '../../collections/generate.ts';
import type { GatewayParts } from '../../local-stack/stack.ts';
import { ATTACKS, OPEN_ONLY_WEAKNESSES, WEAKNESSES, type WeaknessId } from '../../security/catalogue.ts';
import { FACTS, type FactId, STRICT_FACTS } from '../../security/facts.ts';
import { libraryAuthorizers, missingLibraries } from './support/library-authorizers.ts';
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
} from './support/proof.ts';
import { brokenCheck, CONTROLS, VARIANTS, type Variant, variantById } from './support/variants.ts';
import { weakenedAuthorizer } from './support/weak-authorizers.ts';

/** The contract as committed (nothing open asserted), and with every open fact asserted as the local guess. */
const clauses = generateClauses(helloApi);
const strictClauses = generateClauses(helloApi, ATTACKS, { strict: 'all' });
/** `--strict FACT` of one open fact, made once per fact (the proof's collections are cached by identity). */
const strictOf = new Map<FactId, readonly Clause[]>();
function clausesStrictOn(fact: FactId): readonly Clause[] {
  let made = strictOf.get(fact);
  if (made === undefined) {
    made = generateClauses(helloApi, ATTACKS, { strict: [fact] });
    strictOf.set(fact, made);
  }
  return made;
}
const clausesFor = (variant: Variant) =>
  variant.strict === undefined ? clauses : clausesStrictOn(variant.strict);
const settingsOf = (variant: Variant) =>
  variant.strict === undefined ? 'default settings' : `--strict ${variant.strict}`;

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

/**
 * Variants also run end to end in Newman, and the replay must reach Newman's verdict on each: one per
 * way the replay imitates Newman beyond sending the recorded requests in order. The other variants,
 * whatever their kind, differ only in the answers; the replay's judge is the collection's own check(),
 * compared with Newman's on the product gateway under the default settings and under --strict all.
 * - a token variant whose verdict depends on what the run sent before (an authorizer's cache, fed in
 *   order: a transplanted signature passes once the other genuine token verified);
 * - Newman's query strings (a token in the query) and a clause's own Host header;
 * - Newman's own cookie jar (a cookie the gateway set comes back on later requests);
 * - a real library whose key cache the run itself fills from the attacker's key server, in order
 *   (get-jwks 11.0.1, CVE-2025-59936);
 * - a failing run judged under `--strict` of an open fact (the replay's checks with that fact asserted),
 *   where the product gateway's strict run passes every clause;
 * - answers other than a let-through judged alike: a 500 from an authorizer that crashes on a malformed
 *   token, and a 403 where API Gateway answers 401 (a rewritten answer, as the controls make them).
 * Variants listed together run as one gateway wrong in each of their ways, one Newman run for all: at most
 * one replaces the authorizer, the others add a front door only, and no clause is caught by two of them
 * (asserted), so each clause's verdict rests on one of them, and both runs must fail exactly the union of
 * their clauses. The session cookie stands alone: it lets through a request without an Authorization
 * header, which a token in the query is too, and it rewrites answers (its cookie). The crash replaces the
 * authorizer, as the other authorizers listed do; the 403 rewrites every 401.
 */
const THROUGH_NEWMAN: readonly (readonly string[])[] = [
  [
    'weakness:verified-cache-keyed-by-signature',
    'request:token-from-query',
    'request:host-localhost-trusted',
  ],
  ['request:session-cookie'],
  ['weakness:crash-on-malformed'],
  ['library:get-jwks-11.0.1'],
  ['weakness:exp-optional'],
  ['gateway:403-for-401'],
];

/** One gateway wrong in each of the variants' ways (see THROUGH_NEWMAN for when that is sound). */
function together(variants: readonly Variant[]): GatewayParts {
  const parts = variants.map((variant) => variant.options());
  if (parts.length === 1) return parts[0] as GatewayParts;
  const authorizers = parts.flatMap((part) => (part.authorizer ? [part.authorizer] : []));
  assert.ok(authorizers.length <= 1, 'two of the variants replace the authorizer');
  const doors = parts.flatMap((part) => {
    const { authorizer: _, server, ...rest } = part;
    const { frontDoor, ...otherServer } = server ?? {};
    assert.deepEqual(
      [...Object.keys(rest), ...Object.keys(otherServer)],
      [],
      'a variant changes more than its front door',
    );
    return frontDoor ? [frontDoor] : [];
  });
  return {
    ...(authorizers[0] ? { authorizer: authorizers[0] } : {}),
    server: {
      frontDoor: (request) => {
        for (const door of doors) {
          const decision = door(request);
          if (decision !== undefined) return decision;
        }
        return undefined;
      },
    },
  };
}

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

describe('the contract against correct gateways', () => {
  it('passes every generated clause against the product gateway, in real Newman', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.run(), clauses);
  });

  it('passes every clause against the product gateway with every open fact asserted (--strict all: its guesses), in real Newman and replayed alike', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    const newman = await proof.run(undefined, strictClauses);
    assertWholeContractPassed(newman, strictClauses);
    // The replay judges the strict expectations as the sandbox does.
    const replayed = await proof.replay({}, strictClauses);
    assertWholeContractPassed(replayed, strictClauses);
    assert.deepEqual(verdict(replayed), verdict(newman));
  });

  it("passes every clause with the tests' own reference verifier, so its weakened copies differ in one thing only", {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    assertWholeContractPassed(await proof.replay({ authorizer: weakenedAuthorizer('none') }), clauses);
    assertWholeContractPassed(
      await proof.replay({ authorizer: weakenedAuthorizer('none') }, strictClauses),
      strictClauses,
    );
  });

  it('passes every clause replayed against the product gateway, as it does in Newman', {
    timeout: PROOF_TIMEOUT_MS,
  }, async () => {
    const replayed = await proof.replay({});
    assertWholeContractPassed(replayed, clauses);
    assert.deepEqual(verdict(replayed), verdict(await proof.run()));
  });
});

describe('the contract against a gateway wrong in exactly one way', { concurrency: 4 }, () => {
  for (const variant of VARIANTS) {
    const judgedBy = clausesFor(variant);
    const caughtBy = variant.caughtBy(judgedBy);
    const what =
      caughtBy.size === 0 ? 'passes every clause against' : 'fails exactly the clauses meant to catch';
    const settings = settingsOf(variant);
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
      // Caught for the right reason: the weakened gateway let the token through, or failed on it.
      if (variant.caughtAs === 'let-through') assertLetThrough(run, caughtBy);
      if (variant.caughtAs === 'server-error') {
        for (const key of caughtBy) {
          const status = resultFor(run, key).actualStatus ?? 0;
          assert.ok(status >= 500, `${key}: ${status}\n${describeRun(run)}`);
        }
      }
    });
  }
});

describe('correct gateways that differ from the reference only on open points', () => {
  for (const control of CONTROLS) {
    it(`pass the default contract, with answers changed, against a gateway that ${control.description} [${control.id}]`, {
      timeout: PROOF_TIMEOUT_MS,
    }, async () => {
      const options = control.options();
      const tamper = options.server?.finish;
      assert.ok(tamper, 'a control changes answers of the product gateway');
      let changed = 0;
      const run = await proof.replay(
        {
          ...options,
          server: {
            ...options.server,
            finish: (answer, request) => {
              const made = tamper(answer, request);
              if (made !== answer) changed += 1;
              return made;
            },
          },
        },
        clauses,
      );
      assertWholeContractPassed(run, clauses);
      assert.ok(changed > 0, 'the control answered nothing differently: it proves nothing');
    });
    if (!control.failsStrict) continue;
    it(`really differ there: --strict ${control.differsOn} fails a gateway that ${control.description} [${control.id}]`, {
      timeout: PROOF_TIMEOUT_MS,
    }, async () => {
      assert.ok((STRICT_FACTS as readonly FactId[]).includes(control.differsOn), control.differsOn);
      const strict = clausesStrictOn(control.differsOn);
      const run = await proof.replay(control.options(), strict);
      const failed = run.results.filter((result) => result.outcome === 'failed');
      assert.ok(failed.length > 0, `nothing failed under --strict ${control.differsOn}`);
      // Every failing clause asserts the fact the control differs on: it fails on that point only.
      for (const result of failed) {
        const clause = strict.find((each) => each.key === result.clause?.key);
        assert.ok(clause?.expect.kind === 'answer', result.clause?.key);
        assert.ok(
          clause.expect.assertions.some((assertion) => assertion.facts.includes(control.differsOn)),
          `${result.clause?.key} failed on something other than ${control.differsOn}\n${describeRun(run)}`,
        );
      }
    });
  }

  it('are one per open fact the hello API asks about, but for those named as having none', () => {
    assert.deepEqual(
      CONTROLS.map((control) => control.differsOn),
      [
        'expired-error-type',
        'pool-signed-odd-claims',
        'path-variant-status',
        'request-variant-status',
        'sigv4-complaint-text',
      ],
    );
    const asked = new Set(
      clauses.flatMap((clause) =>
        clause.expect.kind === 'answer'
          ? clause.expect.unasserted.flatMap((assertion) =>
              assertion.facts.filter((fact) => FACTS[fact].grade === 'open'),
            )
          : [],
      ),
    );
    const covered = new Set<FactId>([...CONTROLS.map((control) => control.differsOn), 'several-defects']);
    assert.deepEqual(
      [...asked].filter((fact) => !covered.has(fact)),
      [],
      'an open fact without a control',
    );
  });
});

describe('what the default settings do not catch', () => {
  it('is only weaknesses every row of which rests on an open fact, each declared with its reason', () => {
    // The reviewer's list: gateways with these weaknesses pass `npm run contract` as users run it.
    const openOnly = Object.entries(OPEN_ONLY_WEAKNESSES).map(([weakness, why]) => [weakness, why?.fact]);
    assert.deepEqual(openOnly, [
      ['token-use-case-insensitive', 'pool-signed-odd-claims'],
      ['token-use-optional', 'pool-signed-odd-claims'],
      ['iss-array-contains', 'pool-signed-odd-claims'],
      ['exp-optional', 'pool-signed-odd-claims'],
      ['exp-coerced', 'pool-signed-odd-claims'],
    ]);
    for (const weakness of Object.keys(WEAKNESSES) as WeaknessId[]) {
      const variant = variantById(`weakness:${weakness}`);
      const declared = OPEN_ONLY_WEAKNESSES[weakness];
      const check = brokenCheck(variant.caughtAs);
      const rows = ATTACKS.filter((row) => row.catches.includes(weakness));
      // The facts the check the weakness breaks rests on, row by row, on the default settings.
      const restsOn = rows.map((row) => {
        const made = rowAssertions(row, 'x', DEFAULT_SETTINGS);
        const found = [...made.assertions, ...made.unasserted].find((assertion) => assertion.check === check);
        assert.ok(found, `${weakness}: the row ${row.id} has no "${check}" check`);
        return { row: row.id, facts: found.facts, grade: found.grade };
      });
      const firm = restsOn.filter((rest) => rest.grade !== 'open');
      if (declared === undefined) {
        assert.ok(
          firm.length > 0,
          `${weakness}: every row listing it rests on an open fact, so the default settings cannot catch it; declare it in OPEN_ONLY_WEAKNESSES (security/catalogue.ts) with the fact and the reason`,
        );
        assert.ok(
          variant.caughtBy(clauses).size > 0,
          `${weakness}: caught by no clause on the default settings`,
        );
        continue;
      }
      assert.deepEqual(
        firm.map((rest) => rest.row),
        [],
        `${weakness} is declared open-only, but these rows rest on firm or likely facts: the default settings must catch it`,
      );
      for (const rest of restsOn)
        assert.ok(
          rest.facts.includes(declared.fact),
          `${weakness}: ${rest.row} does not rest on ${declared.fact}`,
        );
      assert.equal(FACTS[declared.fact].grade, 'open', declared.fact);
      assert.ok(declared.reason.length > 0, `${weakness}: no reason`);
      assert.equal(variant.caughtBy(clauses).size, 0, `${weakness}: the default settings catch it after all`);
      assert.equal(variant.strict, declared.fact, `${weakness}: proven under --strict ${declared.fact}`);
    }
  });
});

describe('the replayed verdict is the one real Newman reaches', () => {
  for (const ids of THROUGH_NEWMAN) {
    const variants = ids.map(variantById);
    it(`for a gateway that ${variants.map((variant) => variant.description).join(', and that ')} [${ids.join(' + ')}]`, {
      timeout: PROOF_TIMEOUT_MS,
      skip: ids.map(needsLibrary).find((reason) => reason !== false) ?? false,
    }, async () => {
      const judgedBy = clausesFor(variants[0] as Variant);
      assert.ok(
        variants.every((variant) => clausesFor(variant) === judgedBy),
        'variants run together are judged on the same settings',
      );
      const union = new Set<string>();
      for (const variant of variants) {
        for (const key of variant.caughtBy(judgedBy)) {
          assert.ok(!union.has(key), `${key} is caught by two of ${ids.join(', ')}`);
          union.add(key);
        }
      }
      const [newman, replayed] = [
        await proof.run(together(variants), judgedBy),
        await proof.replay(together(variants), judgedBy),
      ];
      assert.equal(newman.runError, undefined, newman.runError);
      assert.deepEqual(verdict(replayed), verdict(newman));
      for (const run of [newman, replayed]) assertCaughtExactlyBy(run, judgedBy, union);
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
      assert.equal(variantById(`library:${library.id}`).strict, undefined, library.id);
  });

  it('include vulnerable versions the contract catches and correct versions that pass it', () => {
    // Caught on the default settings: a version that falls only to rows resting on open facts is not.
    const uncaught = libraryAuthorizers.filter(
      (library) =>
        library.vulnerable &&
        variantById(`library:${library.id}`).caughtBy(clauses).size === 0 &&
        library.acceptsGenuineTokens,
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
