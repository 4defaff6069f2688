/**
 * The generator on the shapes of API a real description has: HEAD (from ANY or written out) never
 * expects a body in any clause, a custom identity header is used by every clause that sends or omits a
 * token, a root {proxy+} leaves no undefined path (and the collection says so), and a scoped method's
 * clauses that need an access token with its scope say where one comes from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiSpecFromExport } from '../../../api/openapi-export.ts';
import type { ApiSpec } from '../../../api/spec.ts';
import { assertsCheck, type Clause } from '../../../collections/clause.ts';
import { buildCollection } from '../../../collections/collection.ts';
import { generateClauses, generationNotes } from '../../../collections/generate.ts';

function fixture(name: string): ApiSpec {
  const path = `tests/fixtures/api/${name}.oas30.json`;
  return apiSpecFromExport(JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')), {
    path,
    sha256: 'test',
  });
}

const root = fixture('shape-greedy-root');
const mixed = fixture('shape-mixed');
const all: readonly Clause[] = [...generateClauses(root), ...generateClauses(mixed)];

/** Every body the clause would compare or look for, asserted or left open. */
function bodiesOf(clause: Clause): string[] {
  const expect = clause.expect;
  if (expect.kind !== 'answer') return [];
  const found: string[] = [];
  for (const assertion of [...expect.assertions, ...expect.unasserted]) {
    if (assertion.check === 'absent') found.push(`absent ${assertion.text}`);
    if (assertion.check === 'body' && assertion.equals !== '') found.push(assertion.equals);
  }
  return found;
}

describe('HEAD clauses', () => {
  it('exist for ANY (which covers HEAD) and for a HEAD written out', () => {
    assert.ok(all.some((clause) => clause.method === 'HEAD' && clause.resource === '/{proxy+}'));
    assert.ok(all.some((clause) => clause.method === 'HEAD' && clause.resource === '/reports'));
  });

  it('never expect or look for a body, in every kind of clause', () => {
    const head = all.filter((clause) => clause.method === 'HEAD');
    const kinds = new Set(head.map((clause) => clause.kind));
    for (const kind of ['no-header', 'accepted', 'attack', 'persistence', 'undefined-method']) {
      assert.ok(kinds.has(kind as Clause['kind']), kind);
    }
    assert.deepEqual(
      head.filter((clause) => bodiesOf(clause).length > 0).map((clause) => clause.key),
      [],
    );
  });

  it('still expect the body on the methods that have one', () => {
    const get = all.find((clause) => clause.key === 'GET /items · no header');
    assert.deepEqual(bodiesOf(get as Clause), [
      '{"message":"Unauthorized"}',
      'absent {"standIn":true,"route":"GET /items"}',
    ]);
  });
});

describe('a custom identity header (X-Token)', () => {
  const xToken = generateClauses(mixed).filter((clause) => clause.resource.startsWith('/items'));

  it('is carried by every clause of the methods behind that authorizer and of their resources', () => {
    assert.ok(xToken.length > 0);
    assert.deepEqual(
      xToken
        .filter((clause) => clause.kind !== 'path-variant' && clause.identityHeader !== 'X-Token')
        .map((c) => c.key),
      [],
    );
  });

  it('names that header in the clause sentences', () => {
    assert.equal(
      xToken.find((clause) => clause.key === 'GET /items · no header')?.name,
      'GET /items without an X-Token header is refused with 401 Unauthorized',
    );
  });

  it('makes an undefined method with a token a request without credentials (403 Missing Authentication Token), not a SigV4 one', () => {
    const clause = xToken.find((candidate) => candidate.key === 'POST /items · undefined method · id token');
    assert.ok(clause);
    assert.ok(assertsCheck(clause, 'error-type', 'MissingAuthenticationTokenException'));
    assert.ok(assertsCheck(clause, 'body', '{"message":"Missing Authentication Token"}'));
  });

  it('is absent from the clauses of the Authorization authorizer, so their collection is unchanged', () => {
    assert.ok(
      generateClauses(mixed)
        .filter((clause) => clause.resource === '/reports')
        .every((clause) => clause.identityHeader === undefined),
    );
  });
});

describe('greedy resources', () => {
  it('under a root {proxy+}: no undefined-path and no path-variant clause, and the collection says why', () => {
    const clauses = generateClauses(root);
    assert.ok(!clauses.some((clause) => clause.kind === 'undefined-path' || clause.kind === 'path-variant'));
    assert.equal(generationNotes(root).length, 3);
    assert.match(
      buildCollection(root, clauses).info.description,
      /No "undefined path" clause: every path below the stage is matched by \/\{proxy\+\}/,
    );
  });

  it('under a root {proxy+}: no rewrite-header and no method-override clause, and the notes say why', () => {
    const clauses = generateClauses(root);
    assert.deepEqual(
      clauses.filter((clause) => /X-Original-URL|X-Rewrite-URL|X-HTTP-Method-Override/.test(clause.name)),
      [],
    );
    const notes = generationNotes(root);
    assert.ok(
      notes.some((note) => /^No "X-Original-URL" or "X-Rewrite-URL" clause: .*\{proxy\+\}/.test(note)),
    );
    // The root {proxy+} answers every method of /hello too: neither resource leaves one to carry the override.
    assert.ok(
      notes.includes(
        'No "X-HTTP-Method-Override" clause for /{proxy+}, /hello: the override rides on an undefined method other than HEAD and OPTIONS, and these resources leave none.',
      ),
    );
  });

  it('a resource that defines every method gets no method-override clause, and the notes name it alone', () => {
    const overridden = generateClauses(mixed)
      .filter((clause) => /X-HTTP-Method-Override/.test(clause.name))
      .map((clause) => clause.resource);
    assert.ok(overridden.includes('/items') && !overridden.includes('/items/{proxy+}'));
    assert.deepEqual(generationNotes(mixed), [
      'No "X-HTTP-Method-Override" clause for /items/{proxy+}: the override rides on an undefined method other than HEAD and OPTIONS, and this resource leaves none.',
    ]);
  });

  it('nested: the undefined path and the path variants stay outside every resource', () => {
    const clauses = generateClauses(mixed);
    assert.deepEqual(
      clauses.filter((clause) => clause.kind === 'undefined-path').map((clause) => clause.path),
      ['/no-such-resource'],
    );
    assert.ok(
      !clauses.some(
        (clause) => clause.kind === 'path-variant' && clause.path === '/items/contract-placeholder/',
      ),
    );
    assert.ok(clauses.some((clause) => clause.kind === 'path-variant' && clause.path === '/items/'));
  });
});

describe('a scoped method', () => {
  const scoped = generateClauses(mixed).filter((clause) => clause.folder === 'GET /reports');

  it('says where the token with its scope comes from on every clause that needs one, persistence included', () => {
    for (const kind of ['accepted', 'persistence'] as const) {
      const ofKind = scoped.filter((clause) => clause.kind === kind);
      assert.ok(ofKind.length > 0, kind);
      for (const clause of ofKind) {
        assert.deepEqual(clause.scopes, ['shape-api/reports.read']);
        assert.match(clause.needs ?? '', /client_credentials/);
      }
    }
  });
});
