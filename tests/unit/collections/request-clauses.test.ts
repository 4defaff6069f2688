/**
 * The request catalogue's promises, checked against the data they come from: every row reaches every
 * protected method (or every resource with one) of both the route table and an export, sequences run in
 * the order written and are marked as such, every row's answer rests on a fact docs/reference.md §13
 * grades the same way, no template is left unfilled, and the slowdown bound judges a stall and not noise.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiSpecFromExport } from '../../../api/openapi-export.ts';
import { helloApi } from '../../../api/routes.ts';
import { type ApiSpec, isProtected } from '../../../api/spec.ts';
import { resourcesOf } from '../../../api/surface.ts';
import {
  DEFAULT_SETTINGS,
  differsFromDefault,
  withRefusalSettings,
} from '../../../collections/assertions.ts';
import { type Clause, isOrderBound, readClauseTable } from '../../../collections/clause.ts';
import { buildCollection } from '../../../collections/collection.ts';
import { generateClauses } from '../../../collections/generate.ts';
import type { MatrixMode } from '../../../collections/plan.ts';
import { type ClauseResult, refusalBoundsAsserted } from '../../../contract-runner/results.ts';
import { ATTACKS } from '../../../security/catalogue.ts';
import { FACTS } from '../../../security/facts.ts';
import { SLOWDOWN_DEFAULTS } from '../../../security/refusal-bounds.ts';
import { REQUEST_ROWS, REQUEST_WEAKNESSES } from '../../../security/request-catalogue.ts';
import { judge } from '../../contract/support/replay.ts';

const shop = apiSpecFromExport(
  JSON.parse(readFileSync(new URL('../../fixtures/api/shop.oas30.json', import.meta.url), 'utf8')),
  { path: 'tests/fixtures/api/shop.oas30.json', sha256: 'test' },
);

const requestClauses = (api: ApiSpec, matrix?: MatrixMode): Clause[] =>
  generateClauses(api, ATTACKS, DEFAULT_SETTINGS, matrix).filter((clause) => clause.kind === 'request');

describe('the request catalogue', () => {
  it('gives every row a unique id, a source, a graded fact and a weakness the proof runs', () => {
    const ids = REQUEST_ROWS.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length, 'two rows share an id');
    for (const row of REQUEST_ROWS) {
      assert.ok(row.sources.length > 0, `${row.id} names no source`);
      assert.ok(row.facts.length > 0, `${row.id} rests on no fact`);
      for (const id of row.facts)
        assert.equal(FACTS[id].section, 13, `${row.id}: ${id} is not a §13 fact of docs/reference.md`);
      assert.ok(row.catches.length > 0, `${row.id} is meant to catch nothing`);
    }
    const caught = new Set(REQUEST_ROWS.flatMap((row) => row.catches));
    for (const weakness of Object.keys(REQUEST_WEAKNESSES).filter((w) => !caught.has(w as never))) {
      // Caught by clauses derived otherwise (tests/contract/support/variants.ts): say which.
      assert.ok(['refusal-oracle', 'slow-refusal'].includes(weakness), `${weakness}: no row catches it`);
    }
  });

  it('asserts nothing that rests on an open fact unless --strict names it', () => {
    for (const clause of requestClauses(helloApi)) {
      if (clause.expect.kind !== 'answer') continue;
      for (const assertion of clause.expect.assertions)
        assert.ok(
          assertion.facts.every((id) => FACTS[id].grade !== 'open'),
          `${clause.key} asserts "${assertion.check}" on an open fact`,
        );
    }
    const strict = generateClauses(helloApi, ATTACKS, { strict: ['request-variant-status'] }).filter(
      (clause) => clause.kind === 'request' && clause.expect.kind === 'answer',
    );
    assert.ok(
      strict.some(
        (clause) =>
          clause.expect.kind === 'answer' &&
          clause.expect.assertions.some((assertion) => assertion.facts.includes('request-variant-status')),
      ),
      '--strict request-variant-status asserts no request row 4xx',
    );
  });
});

describe('the request clauses', () => {
  // The methods that run their authorizer's whole catalogue, counted by hand: GET /hello; in shop, one of
  // the methods taking the ID token and the scoped DELETE /items/{itemId}, which takes the access token.
  for (const [name, api, methods] of [
    ['the route table', helloApi, 1],
    ['an API Gateway export', shop, 2],
  ] as const) {
    it(`reach the method that runs each authorizer's catalogue, and every resource, for ${name}`, () => {
      const clauses = requestClauses(api);
      const resources = resourcesOf(api).filter((resource) => resource.routes.some(isProtected));
      for (const row of REQUEST_ROWS) {
        const count = clauses.filter((clause) => clause.requestRow === row.id).length;
        if (row.phase === 'end') assert.equal(count, api.routes.filter(isProtected).length, row.id);
        else if (row.phase !== 'resource') assert.equal(count, methods, row.id);
        else if (row.method === 'POST') {
          const carriers = resources.filter((resource) =>
            resource.undefinedMethods.some((method) => method !== 'HEAD' && method !== 'OPTIONS'),
          );
          assert.equal(count, carriers.length, row.id);
        } else assert.equal(count, resources.length, row.id);
      }
      for (const clause of clauses) {
        assert.doesNotMatch(JSON.stringify(clause.shape ?? {}), /\{\{/, `${clause.key}: a template is left`);
      }
    });
  }

  it('reach every protected method with --matrix full', () => {
    const methods = shop.routes.filter(isProtected).length;
    for (const row of REQUEST_ROWS.filter((candidate) => candidate.phase !== 'resource')) {
      const count = requestClauses(shop, 'full').filter((clause) => clause.requestRow === row.id).length;
      assert.equal(count, methods, row.id);
    }
  });

  it('mark every sequence clause and run its steps in the order written, the final state check last', () => {
    const clauses = generateClauses(helloApi);
    const bound = clauses.filter(isOrderBound);
    assert.deepEqual(
      bound.map((clause) => clause.requestRow).sort(),
      REQUEST_ROWS.filter((row) => row.sequence !== undefined)
        .map((row) => row.id)
        .sort(),
    );
    for (const clause of bound) {
      const steps = REQUEST_ROWS.filter((row) => row.sequence === clause.sequence?.id).map((row) => row.id);
      assert.equal(clause.sequence?.step, steps.indexOf(clause.requestRow ?? '') + 1, clause.key);
    }
    const last = clauses.at(-1);
    assert.equal(last?.requestRow, 'no-token-at-end', 'the final state check is not the last clause');
    const firstAccepted = clauses.findIndex((clause) => clause.kind === 'accepted');
    const afterAccepted = clauses.findIndex((clause) => clause.requestRow === 'no-token-after-accepted');
    assert.ok(afterAccepted > firstAccepted + 1, 'the state check runs before both accepted clauses');
    const discovery = clauses.findIndex((clause) => clause.requestRow === 'issuer-discovery');
    assert.equal(clauses[discovery + 1]?.requestRow, 'colliding-kid-after-discovery');
  });
});

describe('the slowdown bound', () => {
  // A refusal after the first accepted answer (one before it has no bound to carry).
  const refused = generateClauses(helloApi).find((clause) => clause.key === 'GET /hello · alg-none · raw');
  assert.ok(refused);
  const refusal = (ms: number) => ({
    code: 401,
    body: '{"message":"Unauthorized"}',
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException' },
    names: ['Content-Type', 'x-amzn-ErrorType'],
    responseTime: ms,
  });
  const variables = new Map([['max_response_ms', '10000']]);
  const slowdown = (ms: number, genuine?: number) =>
    judge(
      refused,
      refusal(ms),
      variables,
      new Map(genuine === undefined ? [] : [['contract_genuine_ms', String(genuine)]]),
    )
      .filter((assertion) => assertion.name.includes('accepted answer'))
      .map((assertion) => assertion.outcome);

  it('fails a refusal that stalls for seconds well under max_response_ms', () => {
    const bound = SLOWDOWN_DEFAULTS.factor * 20 + SLOWDOWN_DEFAULTS.marginMs;
    assert.deepEqual(slowdown(bound + 1, 20), ['failed']);
    assert.deepEqual(slowdown(6_000, 20), ['failed']);
  });

  it('passes a refusal slowed by load: the margin absorbs seconds, the factor a slow machine', () => {
    assert.deepEqual(slowdown(SLOWDOWN_DEFAULTS.marginMs, 0.5), ['passed']);
    // A machine ten times slower makes the accepted answer slow too, and the bound grows with it.
    assert.deepEqual(slowdown(3_000, 300), ['passed']);
  });

  it('skips the bound before an accepted answer has been timed (never a pass that measured nothing)', () => {
    assert.deepEqual(slowdown(9_000), ['skipped']);
  });
});

describe('the refusal bounds, settled before generation', () => {
  const refusal = (settings: Parameters<typeof generateClauses>[2]) => {
    const found = generateClauses(helloApi, ATTACKS, settings).find(
      (clause) => clause.key === 'GET /hello · alg-none · raw',
    );
    assert.ok(found && found.expect.kind === 'answer', 'no alg-none clause');
    return found.expect.assertions;
  };

  it("puts the allow-list and the bound into every refusal's checks, from the settings only", () => {
    const settled = withRefusalSettings(DEFAULT_SETTINGS, {
      refusalHeaders: { source: '--refusal-headers', value: 'Access-Control-Allow-Origin, Vary' },
      slowdownFactor: { source: '--slowdown-factor', value: '4' },
      slowdownMarginMs: { source: '--slowdown-margin-ms', value: '900' },
    });
    const checks = refusal(settled);
    const headers = checks.find((assertion) => assertion.check === 'refusal-headers');
    assert.ok(headers?.check === 'refusal-headers');
    assert.ok(headers.allowed.includes('Access-Control-Allow-Origin') && headers.allowed.includes('Vary'));
    assert.deepEqual(headers.facts, ['refusal-headers-own']);
    const bound = checks.find((assertion) => assertion.check === 'no-slowdown');
    assert.deepEqual(bound?.check === 'no-slowdown' && [bound.factor, bound.marginMs], [4, 900]);
    // summary.json states the bound the collection's clauses carry (refusalBoundsAsserted).
    const table = readClauseTable(buildCollection(helloApi, generateClauses(helloApi, ATTACKS, settled)));
    const results = [...(table?.values() ?? [])].map(
      (clause): ClauseResult => ({
        folder: clause.folder,
        name: clause.name,
        clause,
        iteration: 1,
        requestLine: '',
        outcome: 'passed',
        assertions: [],
      }),
    );
    assert.deepEqual(refusalBoundsAsserted(results).slowdown, { factor: 4, marginMs: 900 });
    const plain = refusal(DEFAULT_SETTINGS).find((assertion) => assertion.check === 'no-slowdown');
    assert.deepEqual(plain?.check === 'no-slowdown' && [plain.factor, plain.marginMs], [
      SLOWDOWN_DEFAULTS.factor,
      SLOWDOWN_DEFAULTS.marginMs,
    ]);
    assert.equal(differsFromDefault(settled), true);
    assert.equal(differsFromDefault(DEFAULT_SETTINGS), false);
  });

  it('refuses a header name that is not one, and a factor below 1, in one sentence naming the flag', () => {
    assert.throws(
      () =>
        withRefusalSettings(DEFAULT_SETTINGS, {
          refusalHeaders: { source: '--refusal-headers', value: 'X-Ok, bad header' },
        }),
      (error: Error) => /^Flag --refusal-headers must be comma-separated header names/.test(error.message),
    );
    assert.throws(
      () =>
        withRefusalSettings(DEFAULT_SETTINGS, {
          slowdownFactor: { source: 'CONTRACT_SLOWDOWN_FACTOR', value: '0.5' },
        }),
      (error: Error) => /^CONTRACT_SLOWDOWN_FACTOR must be/.test(error.message),
    );
  });
});
