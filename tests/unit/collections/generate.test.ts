/**
 * The generator's promises, checked against the data they come from: every catalogue row reaches every
 * protected method in both header forms, undefined methods and path variants are covered per resource,
 * unprotected methods get a coverage check, and a new route in the description is new clauses with no
 * other change.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiSpecFromExport } from '../../../api/openapi-export.ts';
import { helloApi } from '../../../api/routes.ts';
import {
  type ApiSpec,
  type CognitoAuthorizerSpec,
  HTTP_METHODS,
  isProtected,
  type RouteSpec,
  scopesOf,
} from '../../../api/spec.ts';
import { pathVariants } from '../../../api/surface.ts';
import { DEFAULT_SETTINGS } from '../../../collections/assertions.ts';
import { generateClauses } from '../../../collections/generate.ts';
import { MATRIX_MODES, matrixSetting, planContract, SAMPLE_ROWS } from '../../../collections/plan.ts';
import { attackBuilders } from '../../../collections/sandbox/attack-builders.ts';
import { ATTACKS, rowsBuiltBy, SOURCES, WEAKNESSES } from '../../../security/catalogue.ts';
import { POOL_KEY_BUILDERS } from '../../../security/pool-key-tokens.ts';

const shop = apiSpecFromExport(
  JSON.parse(readFileSync(new URL('../../fixtures/api/shop.oas30.json', import.meta.url), 'utf8')),
  { path: 'tests/fixtures/api/shop.oas30.json', sha256: 'test' },
);

describe('the attack catalogue', () => {
  it('gives every row an id, a sentence, at least one public source and at least one weakness it catches', () => {
    const ids = ATTACKS.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length, 'two rows share an id');
    for (const row of ATTACKS) {
      assert.match(row.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, row.id);
      assert.match(row.clause, /^an? /, `${row.id}: the clause sentence should start with a/an`);
      assert.ok(row.sources.length > 0, `${row.id} names no source`);
      for (const ref of row.sources)
        assert.ok(ref.source in SOURCES, `${row.id}: unknown source ${ref.source}`);
      assert.ok(row.catches.length > 0, `${row.id} is meant to catch nothing: no mutation proves it`);
    }
  });

  it('names each source by its own short name, so a citation in the docs tells them apart', () => {
    const names = Object.values(SOURCES)
      .map((source) => source.name)
      .filter((name) => name !== '');
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
      'two sources share a short name',
    );
  });

  it('has a row for every weakness it names, so the mutation proof runs each one', () => {
    const listed = new Set(ATTACKS.flatMap((row) => row.catches));
    assert.deepEqual(
      Object.keys(WEAKNESSES).filter((weakness) => !listed.has(weakness as keyof typeof WEAKNESSES)),
      [],
    );
  });

  it('has exactly one sandbox builder per sandbox row (collections/sandbox/attack-builders.ts)', () => {
    assert.deepEqual(
      Object.keys(attackBuilders).sort(),
      rowsBuiltBy('sandbox')
        .map((row) => row.id)
        .sort(),
    );
  });

  it('has exactly one pool-key builder per pool-key row (security/pool-key-tokens.ts)', () => {
    assert.deepEqual(
      Object.keys(POOL_KEY_BUILDERS).sort(),
      rowsBuiltBy('pool-key')
        .map((row) => row.id)
        .sort(),
    );
  });
});

describe('the clauses generated for the route table', () => {
  const clauses = generateClauses(helloApi);

  it('send every applicable catalogue row to every protected method, raw and as Bearer (matrix full)', () => {
    // The planned matrix samples a second method behind the same authorizer; full sends it everything.
    const full = generateClauses(helloApi, ATTACKS, DEFAULT_SETTINGS, 'full');
    for (const route of helloApi.routes.filter(isProtected)) {
      for (const row of ATTACKS) {
        for (const form of ['raw', 'bearer']) {
          const matching = full.filter(
            (clause) =>
              clause.row === row.id &&
              clause.method === route.method &&
              clause.resource === route.path &&
              clause.send.authorization === 'token' &&
              clause.send.form === form,
          );
          assert.equal(matching.length, 1, `${route.method} ${route.path} × ${row.id} × ${form}`);
        }
      }
    }
  });

  it('answer every method a resource does not define with 403, with and without a token, and try every path variant', () => {
    for (const path of new Set(helloApi.routes.map((route) => route.path))) {
      const defined = helloApi.routes.filter((route) => route.path === path).map((route) => route.method);
      const undefinedMethods = HTTP_METHODS.filter((method) => !defined.includes(method));
      const forResource = clauses.filter(
        (clause) => clause.resource === path && clause.kind === 'undefined-method',
      );
      assert.deepEqual(
        forResource.map((clause) => `${clause.method} ${clause.send.authorization}`),
        undefinedMethods.flatMap((method) => [`${method} none`, `${method} token`]),
      );
      assert.ok(forResource.every((clause) => clause.expectedStatus === '403'));
      assert.deepEqual(
        clauses
          .filter((clause) => clause.resource === path && clause.kind === 'path-variant')
          .map((clause) => clause.path),
        pathVariants(path).map((variant) => variant.path),
      );
    }
  });

  it('have stable, unique ids and keys', () => {
    assert.equal(new Set(clauses.map((clause) => clause.id)).size, clauses.length);
    assert.equal(new Set(clauses.map((clause) => clause.key)).size, clauses.length);
    assert.deepEqual(
      generateClauses(helloApi).map((clause) => clause.id),
      clauses.map((clause) => clause.id),
    );
    for (const clause of clauses)
      assert.match(clause.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  for (const matrix of MATRIX_MODES) {
    it(`grow by exactly the new route's clauses when a route is added to the table, and nothing else changes (matrix ${matrix})`, () => {
      const extra: RouteSpec = {
        method: 'GET',
        path: '/goodbye',
        protection: { kind: 'cognito', authorizer: 'CognitoUserPoolAuthorizer', scopes: [] },
        integration: 'AWS_PROXY',
        handler: { file: 'lambda/hello.ts', exportName: 'handler' },
      };
      const wider: ApiSpec = { ...helloApi, routes: [...helloApi.routes, extra] };
      const own = generateClauses(helloApi, ATTACKS, DEFAULT_SETTINGS, matrix);
      const before = new Set(own.map((clause) => clause.key));
      const grown = generateClauses(wider, ATTACKS, DEFAULT_SETTINGS, matrix);
      const added = grown.filter((clause) => !before.has(clause.key));
      const attacked = added.filter((clause) => clause.kind === 'attack');
      if (matrix === 'full') {
        // Behind the same authorizer, with the same token: exactly GET /hello's catalogue clauses.
        assert.deepEqual(
          attacked.map((clause) => clause.key.replace(/^GET \/goodbye /, 'GET /hello ')),
          own
            .filter((clause) => clause.kind === 'attack' && clause.key.startsWith('GET /hello '))
            .map((clause) => clause.key),
          'the new route did not get the whole catalogue',
        );
      } else {
        // Behind the same authorizer as GET /hello, which runs the catalogue: the sample, sent raw.
        assert.deepEqual(
          attacked.map((clause) => clause.key),
          SAMPLE_ROWS.map((row) => `GET /goodbye · ${row} · raw`),
        );
      }
      assert.ok(
        added.every((clause) => clause.resource === '/goodbye'),
        'another route changed',
      );
      // The new method's folder, its resource's two, and the last request without a token after the rest.
      assert.deepEqual(
        [...new Set(added.map((clause) => clause.folder))],
        [
          'GET /goodbye',
          '/goodbye: what it does not define',
          '/goodbye: how it is requested',
          'After the contract',
        ],
        'the new clauses landed in another folder',
      );
      const addedKeys = new Set(added.map((clause) => clause.key));
      assert.deepEqual(
        grown.filter((clause) => !addedKeys.has(clause.key)),
        own,
        'a clause of the routes already there was dropped or changed',
      );
    });
  }

  it('are the same in both matrix modes for an API with one protected method', () => {
    // The route table's first protected method alone: the table itself may have more.
    const first = helloApi.routes.find(isProtected);
    assert.ok(first, 'the route table has no protected method');
    const one: ApiSpec = { ...helloApi, routes: [first] };
    assert.deepEqual(
      generateClauses(one, ATTACKS, DEFAULT_SETTINGS, 'full'),
      generateClauses(one, ATTACKS, DEFAULT_SETTINGS, 'planned'),
    );
  });
});

describe('the plan (collections/plan.ts)', () => {
  const route = (method: RouteSpec['method'], path: string, authorizer: string, scopes: string[] = []) =>
    ({
      method,
      path,
      protection: { kind: 'cognito', authorizer, scopes },
      integration: 'AWS_PROXY',
    }) satisfies RouteSpec;
  const pool = (key: string) => ({ key, label: key });
  const api: ApiSpec = {
    ...helloApi,
    authorizers: [
      { ...(helloApi.authorizers[0] as CognitoAuthorizerSpec), id: 'A', pools: [pool('P1')] },
      // The same pool and header under another name: the same authorizer configuration.
      { ...(helloApi.authorizers[0] as CognitoAuthorizerSpec), id: 'A2', pools: [pool('P1')] },
      { ...(helloApi.authorizers[0] as CognitoAuthorizerSpec), id: 'B', pools: [pool('P2')] },
      {
        ...(helloApi.authorizers[0] as CognitoAuthorizerSpec),
        id: 'C',
        pools: [pool('P1')],
        identityHeader: 'X-Token',
      },
    ],
    routes: [
      route('GET', '/a', 'A'),
      route('POST', '/a', 'A2'),
      route('GET', '/b', 'B'),
      route('GET', '/c', 'C'),
      route('GET', '/s', 'A', ['shop/read']),
      route('PUT', '/s', 'A', ['shop/write']),
      { method: 'GET', path: '/open', protection: { kind: 'none' }, integration: 'MOCK' },
    ],
  };

  it('runs the catalogue once per pool × identity header × token kind, on its first method, and samples the others', () => {
    const plan = planContract(api, ATTACKS);
    assert.equal(plan.mode, 'planned');
    assert.deepEqual(
      plan.methods.map((method) => `${method.route} ${method.coverage}`),
      [
        'GET /a catalogue',
        'POST /a sample',
        'GET /b catalogue',
        'GET /c catalogue',
        'GET /s catalogue',
        'PUT /s sample',
      ],
    );
    assert.deepEqual(
      plan.groups.map((group) => [group.key, group.representative, group.methods.length]),
      [
        ['P1 | authorization | id', 'GET /a', 2],
        ['P2 | authorization | id', 'GET /b', 1],
        ['P1 | x-token | id', 'GET /c', 1],
        ['P1 | authorization | access', 'GET /s', 2],
      ],
    );
    const sampleFor = (key: string) => plan.methods.find((method) => method.route === key);
    assert.deepEqual(sampleFor('POST /a')?.rows, SAMPLE_ROWS);
    // The access-token row is for ID-token methods; a scoped method proves the token kind with its scope clauses.
    assert.deepEqual(
      sampleFor('PUT /s')?.rows,
      SAMPLE_ROWS.filter((row) => row !== 'access-token'),
    );
    assert.ok(plan.methods.every((method) => method.reason.length > 0));
    assert.match(plan.why, /^planned/);
  });

  it('runs the catalogue on a method whose answers have a body: HEAD only where the authorizer has nothing else', () => {
    const headFirst: ApiSpec = {
      ...api,
      routes: [route('HEAD', '/h', 'B'), route('GET', '/h', 'B'), route('HEAD', '/only', 'C')],
    };
    assert.deepEqual(
      planContract(headFirst, ATTACKS).methods.map((method) => `${method.route} ${method.coverage}`),
      ['HEAD /h sample', 'GET /h catalogue', 'HEAD /only catalogue'],
    );
  });

  it('gives a sampled method its own no-header, genuine-token, scope and persistence clauses', () => {
    const kinds = (key: string) =>
      generateClauses(api)
        // The request rows (security/request-catalogue.ts) run on every protected method: not the plan's.
        .filter((clause) => clause.folder === key && clause.kind !== 'request')
        .map((clause) => (clause.kind === 'attack' ? `attack ${clause.row}` : clause.kind));
    assert.deepEqual(kinds('PUT /s'), [
      'no-header',
      'accepted',
      'accepted',
      // Per form: the ID token, an access token without the scope, one with it only inside a longer one.
      'scope-id-token',
      'scope-without-scope',
      'scope-without-scope',
      'scope-id-token',
      'scope-without-scope',
      'scope-without-scope',
      ...SAMPLE_ROWS.filter((row) => row !== 'access-token').map((row) => `attack ${row}`),
      'persistence',
    ]);
  });

  it('gives every protected method the whole catalogue in both forms with --matrix full', () => {
    const plan = planContract(api, ATTACKS, 'full');
    assert.ok(plan.methods.every((method) => method.coverage === 'catalogue' && method.forms.length === 2));
    assert.match(plan.why, /^full/);
    const full = generateClauses(api, ATTACKS, DEFAULT_SETTINGS, 'full');
    const planned = generateClauses(api);
    assert.ok(full.length > planned.length);
    // Every planned clause is also a full-matrix clause, with the same meaning.
    const byKey = new Map(full.map((clause) => [clause.key, clause]));
    for (const clause of planned) assert.deepEqual(byKey.get(clause.key), clause, clause.key);
  });

  it('reads the matrix mode from its words only, the flag over CONTRACT_MATRIX', () => {
    assert.equal(matrixSetting('full', {}), 'full');
    assert.equal(matrixSetting('planned', { CONTRACT_MATRIX: 'full' }), 'planned');
    assert.equal(matrixSetting(undefined, { CONTRACT_MATRIX: 'full' }), 'full');
    assert.equal(matrixSetting(undefined, { CONTRACT_MATRIX: '' }), undefined);
    assert.equal(matrixSetting(undefined, {}), undefined);
    assert.throws(() => matrixSetting('Full', {}), {
      message: 'Flag --matrix must be one of planned, full, not "Full".',
    });
    assert.throws(() => matrixSetting(undefined, { CONTRACT_MATRIX: 'all' }), {
      message: 'CONTRACT_MATRIX must be one of planned, full, not "all".',
    });
  });
});

describe('the clauses generated for an API Gateway export', () => {
  const clauses = generateClauses(shop);

  it('check every method without authorizer for the allow-list, and send it nothing', () => {
    const coverage = clauses.filter((clause) => clause.kind === 'coverage');
    assert.deepEqual(
      coverage.map((clause) => `${clause.method} ${clause.resource}`),
      shop.routes
        .filter((route) => route.protection.kind === 'none')
        .map((route) => `${route.method} ${route.path}`),
    );
    assert.ok(coverage.every((clause) => clause.send.authorization === 'none'));
  });

  it('refuse the ID token and an access token without the scope on a scoped method, and accept the access token', () => {
    const scoped = shop.routes.find((route) => scopesOf(route).length > 0);
    assert.ok(scoped, 'the fixture has a scoped method');
    const own = clauses.filter((clause) => clause.folder === `${scoped.method} ${scoped.path}`);
    assert.deepEqual(
      [...new Set(own.filter((clause) => clause.kind.startsWith('scope-')).map((clause) => clause.kind))],
      ['scope-id-token', 'scope-without-scope'],
    );
    const accepted = own.filter((clause) => clause.kind === 'accepted');
    assert.ok(
      accepted.every(
        (clause) =>
          clause.send.authorization === 'token' &&
          clause.send.token.kind === 'live' &&
          clause.send.token.base === 'access',
      ),
    );
    assert.ok(
      own.every((clause) => clause.row !== 'access-token'),
      'a scoped method is sent the "access token instead of ID token" row',
    );
  });

  it('fill path parameters with a placeholder and assert only that the authorizer let an undescribed answer through', () => {
    const get = clauses.find((clause) => clause.key === 'GET /items/{itemId} · id token · raw');
    assert.ok(get);
    assert.equal(get.path, '/items/contract-placeholder');
    assert.deepEqual(get.expect, {
      kind: 'answer',
      assertions: [{ check: 'let-through', facts: ['id-token-accepted'], grade: 'firm' }],
      unasserted: [],
    });
  });
});
