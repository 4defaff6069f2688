/**
 * The facts the contract asserts, and the promise that keeps its assertions honest: nothing generated
 * rests on an open fact of docs/reference.md unless the run opted in for that fact (`--strict`), the
 * reference names every fact id beside its statement in the section the table says, a catalogue row
 * with several defects asserts only what they share, and the words the reports show (expectedStatus)
 * and the checks the sandbox runs are the clause's assertion data, nothing more and nothing less.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apiSpecFromExport } from '../../api/openapi-export.ts';
import { helloApi } from '../../api/routes.ts';
import type { ApiSpec } from '../../api/spec.ts';
import {
  type Assertion,
  DEFAULT_SETTINGS,
  describeCheck,
  type ExpectationSettings,
  parseStrict,
  UNAUTHORIZED,
} from '../../collections/assertions.ts';
import { type Clause, readClauseTable } from '../../collections/clause.ts';
import { buildCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { UsageError } from '../../common/cli-error.ts';
import { ATTACKS, DEFECTS } from '../../security/catalogue.ts';
import { FACT_IDS, FACTS, type FactId, OPEN_FACTS } from '../../security/facts.ts';
import { judge } from '../contract/support/replay.ts';

const shop: ApiSpec = apiSpecFromExport(
  JSON.parse(readFileSync(new URL('../fixtures/api/shop.oas30.json', import.meta.url), 'utf8')),
  { path: 'tests/fixtures/api/shop.oas30.json', sha256: 'test' },
);
const mixed: ApiSpec = apiSpecFromExport(
  JSON.parse(readFileSync(new URL('../fixtures/api/shape-mixed.oas30.json', import.meta.url), 'utf8')),
  { path: 'tests/fixtures/api/shape-mixed.oas30.json', sha256: 'test' },
);
const APIS: readonly [string, ApiSpec][] = [
  ['the tutorial API', helloApi],
  ['the scoped, multi-route fixture', shop],
  ['the fixture with HEAD, ANY and a custom identity header', mixed],
];

function assertionsOf(clause: Clause): {
  assertions: readonly Assertion[];
  unasserted: readonly Assertion[];
} {
  return clause.expect.kind === 'answer' ? clause.expect : { assertions: [], unasserted: [] };
}

function restingOnOpen(clause: Clause): string[] {
  return assertionsOf(clause)
    .assertions.filter(
      (assertion) => assertion.grade === 'open' || assertion.facts.some((id) => FACTS[id].grade === 'open'),
    )
    .map((assertion) => `${clause.key}: ${describeCheck(assertion)} (${assertion.facts.join(', ')})`);
}

function clause(clauses: readonly Clause[], key: string): Clause {
  const found = clauses.find((candidate) => candidate.key === key);
  assert.ok(found, `no clause ${key}`);
  return found;
}

function checks(found: Clause): string[] {
  return assertionsOf(found).assertions.map(describeCheck);
}

describe('the facts table', () => {
  const reference = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8');
  /** Each `fact:<id>` marker of docs/reference.md with the number of the section it stands in. */
  const markers: { id: string; section: number }[] = [];
  let section = 0;
  for (const line of reference.split('\n')) {
    const heading = /^## (\d+)\. /.exec(line);
    if (heading) section = Number(heading[1]);
    for (const match of line.matchAll(/`fact:([a-z0-9-]+)`/g)) markers.push({ id: match[1] ?? '', section });
  }

  it('has a docs/reference.md marker beside every fact, in the section the table names', () => {
    const missing = FACT_IDS.filter(
      (id) => !markers.some((marker) => marker.id === id && marker.section === FACTS[id].section),
    );
    assert.deepEqual(missing, [], 'facts without `fact:<id>` in their section of docs/reference.md');
  });

  it('knows every fact docs/reference.md names', () => {
    const known = new Set<string>(FACT_IDS);
    assert.deepEqual(
      markers.filter((marker) => !known.has(marker.id)).map((marker) => marker.id),
      [],
      'docs/reference.md names a fact security/facts.ts does not have',
    );
  });

  it('gives every defect of the catalogue a fact, and every row at least one known defect', () => {
    for (const row of ATTACKS) {
      assert.ok(row.defects.length > 0, row.id);
      for (const defect of row.defects) assert.ok(defect in DEFECTS, `${row.id}: ${defect}`);
    }
  });
});

describe('what the generated contract asserts', () => {
  it("words a clause's expected status as its checks assert it (written out for the tutorial's clauses)", () => {
    const byKey = new Map(generateClauses(helloApi).map((clause) => [clause.key, clause.expectedStatus]));
    const expected: Record<string, string> = {
      'GET /hello · no header': '401',
      'GET /hello · id token · raw': '200',
      'GET /hello · expired · raw': '401',
      'GET /hello · oversized-header · raw': '4xx',
      // Open: only "never a 5xx" is asserted by default.
      'GET /hello · exp-missing · raw': 'not 5xx',
      'HEAD /hello · undefined method · no header': '403',
    };
    for (const [key, status] of Object.entries(expected)) assert.equal(byKey.get(key), status, key);
  });

  for (const [name, api] of APIS) {
    const clauses = generateClauses(api);

    it(`rests nothing on an open fact by default, for ${name}`, () => {
      assert.deepEqual(clauses.flatMap(restingOnOpen), []);
    });

    it(`puts exactly the generated assertions into the collection, for ${name}`, () => {
      const collection = buildCollection(api, clauses);
      const table = readClauseTable(collection);
      assert.ok(table);
      for (const found of clauses) {
        assert.equal(table.get(found.id)?.expectedStatus, found.expectedStatus, found.key);
        if (found.expect.kind !== 'answer') continue;
        assert.deepEqual(
          table.get(found.id)?.assertions?.map((entry) => entry.name),
          assertionsOf(found).assertions.map(describeCheck),
          found.key,
        );
      }
    });

    it(`has the sandbox check exactly the clause's assertions, no more, for ${name}`, () => {
      const answer = { code: 418, body: 'teapot', headers: {}, names: [], responseTime: 1 };
      const variables = new Map([['max_response_ms', '10000']]);
      for (const found of clauses) {
        if (found.expect.kind !== 'answer') continue;
        const names = judge(found, answer, variables)
          .map((result) => result.name)
          .filter((entry) => !entry.startsWith('Response time'));
        assert.deepEqual(names, checks(found), found.key);
      }
    });
  }

  it('brings each open assertion back when --strict names its fact, and only then', () => {
    const expectations: [ApiSpec, FactId, string, string][] = [
      [
        helloApi,
        'pool-signed-odd-claims',
        'GET /hello · exp-missing · raw',
        `Body is exactly ${UNAUTHORIZED}`,
      ],
      [helloApi, 'pool-signed-odd-claims', 'GET /hello · exp-string · bearer', 'Status is 401'],
      [
        helloApi,
        'several-defects',
        'GET /hello · payload-values-null · raw',
        `Body is exactly ${UNAUTHORIZED}`,
      ],
      [
        helloApi,
        'expired-error-type',
        'GET /hello · expired · raw',
        'x-amzn-ErrorType is UnauthorizedException',
      ],
      [
        helloApi,
        'path-variant-status',
        'GET /hello/ · path variant · with a trailing slash',
        'Status is a 4xx',
      ],
    ];
    const scoped = shop.routes.find(
      (route) => route.protection.kind === 'cognito' && route.protection.scopes.length > 0,
    );
    assert.ok(scoped, 'the fixture has a scoped method');
    expectations.push([
      shop,
      'scope-refusal-status',
      `${scoped.method} ${scoped.path} · id token · raw`,
      'Status is 401',
    ]);
    for (const [api, fact, key, check] of expectations) {
      assert.ok(
        !checks(clause(generateClauses(api), key)).includes(check),
        `${key} asserts "${check}" by default`,
      );
      const strict = generateClauses(api, ATTACKS, { strict: [fact] });
      assert.ok(
        checks(clause(strict, key)).includes(check),
        `--strict ${fact}: ${key} does not assert "${check}"`,
      );
      const all = generateClauses(api, ATTACKS, { strict: 'all' });
      assert.ok(checks(clause(all, key)).includes(check), `--strict all: ${key} does not assert "${check}"`);
    }
    const opted = new Set(
      [helloApi, shop].flatMap((api) =>
        generateClauses(api, ATTACKS, { strict: 'all' }).flatMap((found) =>
          assertionsOf(found).assertions.flatMap((assertion) => assertion.facts),
        ),
      ),
    );
    // Every open fact with a guess is assertable; the SigV4 text has none and is never asserted.
    assert.deepEqual(
      OPEN_FACTS.filter((id) => !opted.has(id)),
      ['sigv4-complaint-text'],
    );
  });

  it('asserts of a row with several defects only what they share (refused, no 5xx, 401, JSON, no greeting) and the slowdown bound', () => {
    const clauses = generateClauses(helloApi);
    for (const row of ['payload-values-null', 'payload-values-wrong-type']) {
      assert.deepEqual(checks(clause(clauses, `GET /hello · ${row} · raw`)), [
        'Status is not a 2xx or 3xx: the request was not let through',
        'Status is not a 5xx: the gateway did not fail',
        'Status is 401',
        'Content-Type is application/json',
        "The authorized answer's body is absent (the request never reached the integration)",
        'The refusal takes at most 10 × the slowest accepted answer + 2500 ms',
      ]);
    }
    // Defects that agree on the answer keep it whole.
    assert.ok(
      checks(clause(clauses, 'GET /hello · header-values-null · raw')).includes(
        `Body is exactly ${UNAUTHORIZED}`,
      ),
    );
  });

  it('asserts of a genuinely signed token with odd claims only that the gateway does not fail', () => {
    const clauses = generateClauses(helloApi);
    for (const row of ['exp-missing', 'exp-string', 'token-use-missing', 'iss-array']) {
      for (const form of ['raw', 'bearer']) {
        const found = clause(clauses, `GET /hello · ${row} · ${form}`);
        assert.deepEqual(checks(found), ['Status is not a 5xx: the gateway did not fail'], found.key);
        assert.equal(found.expectedStatus, 'not 5xx');
      }
    }
  });

  it("does not assert the expired answer's x-amzn-ErrorType by default", () => {
    const found = clause(generateClauses(helloApi), 'GET /hello · expired · raw');
    assert.ok(!checks(found).some((check) => check.startsWith('x-amzn-ErrorType')));
    assert.ok(checks(found).includes('Body is exactly {"message":"The incoming token has expired"}'));
  });
});

describe('--strict', () => {
  const run = (args: readonly string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['common/run-ts.mjs', 'scripts/contract.ts', ...args],
        {
          cwd: fileURLToPath(new URL('../../', import.meta.url)),
          env: { ...process.env, CONTRACT_STRICT: '' },
        },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  it('refuses an id that is not an open fact with one sentence and exit code 2, before starting anything', async () => {
    const result = await run(['--strict', 'no-header-refused', '--reporters', 'cli']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^Flag --strict must be a comma-separated list of expired-error-type, .*, all, not "no-header-refused" \(no-header-refused is not one of them\)\.\n$/,
    );
  });

  it('refuses to be combined with --collection, whose expectations are already settled', async () => {
    const result = await run([
      '--strict',
      'all',
      '--collection',
      'collections/hello-api.postman_collection.json',
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^--strict settles the expectations before the collection is generated, .+\.\n$/,
    );
  });

  it('takes open fact ids or all, and nothing else', () => {
    assert.equal(parseStrict('--strict', undefined), undefined);
    assert.deepEqual(parseStrict('--strict', 'all'), { strict: 'all' } satisfies ExpectationSettings);
    assert.deepEqual(parseStrict('--strict', 'several-defects,expired-error-type'), {
      strict: ['several-defects', 'expired-error-type'],
    });
    assert.throws(
      () => parseStrict('--strict', 'no-header-refused'),
      (error) =>
        error instanceof UsageError && /Flag --strict must be a comma-separated list of/.test(error.message),
    );
    // An open fact with no guess to assert cannot be named: --strict would promise what it cannot check.
    assert.throws(() => parseStrict('--strict', 'sigv4-complaint-text'), UsageError);
    assert.deepEqual(DEFAULT_SETTINGS, { strict: [] });
  });
});
