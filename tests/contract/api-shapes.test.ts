/**
 * The shapes of API a real description has, end to end against the local stack serving it and real
 * Newman: `ANY` (HEAD included, whose answers have no body), a root `{proxy+}` (no undefined path, no
 * path variant), a nested greedy `/items/{proxy+}` beside a literal `/items`, an authorizer reading the
 * token from `X-Token`, two authorizers of one pool, and a scoped method tested on both sides: accepted
 * with the client_credentials access token carrying its scope (and still after every refused token),
 * refused with the ID token and with an access token without the scope. Every clause must pass, and
 * none of those that need the scoped token may be skipped.
 *
 * The attack catalogue's every row already reaches every method in the other contract runs; here one
 * row of each kind (how it is built, how it is refused) stands for all, to keep the run short.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readApiDescription } from '../../api/read-description.ts';
import type { ApiSpec } from '../../api/spec.ts';
import type { Clause } from '../../collections/clause.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { formatContractSummary } from '../../contract-runner/console-summary.ts';
import type { ContractResult } from '../../contract-runner/run-contract.ts';
import type { GatewayParts } from '../../local-stack/stack.ts';
import { oneRowPerKind } from '../support/few-clauses.ts';
import { runContractWith } from '../support/weakened-stack.ts';
import { assertWholeContractPassed, type ProofRun } from './support/proof.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const TIMEOUT_MS = 300_000;

async function load(name: string): Promise<ApiSpec> {
  const file = `tests/fixtures/api/${name}.oas30.json`;
  return readApiDescription(join(repoRoot, file), file);
}

describe('contracts of API shapes, against the local stack serving them', () => {
  let folder = '';
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'api-shapes-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function run(
    api: ApiSpec,
    parts: GatewayParts = {},
  ): Promise<{ result: ContractResult; clauses: Clause[] }> {
    const clauses = generateClauses(api, oneRowPerKind());
    const collectionPath = join(folder, `${api.name}.postman_collection.json`);
    await writeFile(collectionPath, renderCollection(api, clauses));
    const result = await runContractWith(
      { target: 'local', rootDir: repoRoot, reporters: [], api, collectionPath },
      { parts },
    );
    return { result, clauses };
  }

  /** The runner's result as a proof run, for the proofs' own assertions. */
  function asRun(result: ContractResult): ProofRun {
    return {
      results: result.clauses,
      ...(result.runError === undefined ? {} : { runError: result.runError }),
    };
  }

  it('a root {proxy+} with ANY: every clause passes, HEAD ones without a body, and no undefined path is asserted', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const api = await load('shape-greedy-root');
    const { result, clauses } = await run(api);
    assertWholeContractPassed(asRun(result), clauses);
    assert.equal(result.passed, true);
    assert.ok(!clauses.some((clause) => clause.kind === 'undefined-path' || clause.kind === 'path-variant'));
    // ... and the run says so.
    assert.deepEqual(result.notes, [
      'No "undefined path" clause: every path below the stage is matched by /{proxy+} (a root path parameter that is greedy), so no request path is undefined.',
      'No "X-Original-URL" or "X-Rewrite-URL" clause: they send an undefined path, and every path below the stage is matched by /{proxy+} (a root path parameter that is greedy), so no request path is undefined.',
      'No "X-HTTP-Method-Override" clause for /{proxy+}, /hello: the override rides on an undefined method other than HEAD and OPTIONS, and these resources leave none.',
    ]);
    assert.match(formatContractSummary(result, repoRoot), /^Not generated: No "undefined path" clause: /m);
    assert.ok(clauses.some((clause) => clause.method === 'HEAD' && clause.kind === 'no-header'));
  });

  it('a nested greedy resource, an X-Token identity header, two authorizers of one pool and a scoped method: every clause passes', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const api = await load('shape-mixed');
    const { result, clauses } = await run(api);
    assertWholeContractPassed(asRun(result), clauses);
    assert.equal(result.passed, true);
    // The scoped method was tried on both sides: accepted (and after every refusal) with the
    // client_credentials token, refused with the ID token and a token without the scope.
    const scoped = result.clauses.filter((clause) => clause.clause?.folder === 'GET /reports');
    for (const kind of ['accepted', 'persistence', 'scope-id-token', 'scope-without-scope']) {
      const ofKind = scoped.filter((clause) => clause.clause?.kind === kind);
      assert.ok(ofKind.length > 0, kind);
      for (const clause of ofKind) assert.equal(clause.outcome, 'passed', `${clause.clause?.key}`);
    }
    assert.ok(
      scoped
        .filter((clause) => clause.clause?.kind === 'accepted')
        .every((clause) => clause.actualStatus === 200),
    );
    // The X-Token methods were tried with the token in X-Token: their acceptance clauses reached the stand-in.
    const items = result.clauses.filter((clause) => clause.clause?.folder === 'GET /items');
    assert.ok(items.some((clause) => clause.clause?.kind === 'accepted' && clause.actualStatus === 200));
  });

  it('without a token carrying the scope, skips every clause that needs one, persistence included, and says why', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const api = await load('shape-mixed');
    const { result, clauses } = await run(api, { confidentialClient: false });
    // The clauses that send the method's live scoped token: acceptance, persistence, and the request
    // rows that move that token elsewhere or spell its header otherwise (security/request-catalogue.ts).
    const sendsScopedToken = new Set(
      clauses
        .filter(
          (clause) =>
            clause.folder === 'GET /reports' &&
            (clause.kind === 'accepted' ||
              clause.kind === 'persistence' ||
              (clause.kind === 'request' &&
                (clause.shape?.token !== undefined ||
                  (clause.send.authorization === 'token' && clause.send.token.kind === 'live')))),
        )
        .map((clause) => clause.key),
    );
    const needing = result.clauses.filter((clause) => sendsScopedToken.has(clause.clause?.key ?? ''));
    assert.equal(needing.length, sendsScopedToken.size);
    assert.ok(
      needing.some((clause) => clause.clause?.kind === 'persistence'),
      'persistence is not among them',
    );
    for (const clause of needing) {
      assert.equal(clause.outcome, 'skipped', clause.clause?.key);
      assert.match(clause.reason ?? '', /no access token at hand carries one of shape-api\/reports\.read/);
    }
    // Nothing else is skipped or failed for it: the refusal side still runs.
    assert.deepEqual(
      result.clauses
        .filter((clause) => clause.outcome !== 'passed' && !needing.includes(clause))
        .map((clause) => clause.clause?.key),
      [],
    );
  });

  it('fails the X-Token clauses, and only those, on a gateway that reads the token from Authorization', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const api = await load('shape-mixed');
    const served: ApiSpec = {
      ...api,
      authorizers: api.authorizers.map((authorizer) => ({ ...authorizer, identityHeader: 'Authorization' })),
    };
    const { result, clauses } = await run(api, { api: served });
    const xToken = new Set(
      clauses.filter((clause) => clause.identityHeader === 'X-Token').map((clause) => clause.key),
    );
    const failedKeys = result.clauses
      .filter((clause) => clause.outcome === 'failed')
      .map((clause) => clause.clause?.key ?? clause.name);
    // Every acceptance clause of an X-Token method fails: its token went where this gateway does not look.
    const accepted = clauses.filter((clause) => xToken.has(clause.key) && clause.kind === 'accepted');
    assert.ok(accepted.length > 0);
    for (const clause of accepted) assert.ok(failedKeys.includes(clause.key), clause.key);
    // No other clause fails.
    assert.deepEqual(
      failedKeys.filter((key) => !xToken.has(key)),
      [],
    );
  });
});
