/**
 * The collection generated from the route table (what `npm run contract` runs and `npm run collection`
 * exports) loads in the Postman SDK and carries every clause as data on its own request. Counts here are
 * derived from the description and the catalogue, never written as literals. Whether the generated
 * export is current is `npm run collection -- --check` (run by .ci/run), not a test: adding a route
 * changes what is generated, and no test should fail for an export not yet rewritten.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sdk from 'postman-collection';
import ts from 'typescript';
import { helloApi } from '../../../api/routes.ts';
import { CLAUSE_HEADER, readClauseTable } from '../../../collections/clause.ts';
import { collectionPrerequest, renderCollection } from '../../../collections/collection.ts';
import { generateClauses } from '../../../collections/generate.ts';

const generated: unknown = JSON.parse(renderCollection(helloApi));
const collection = new sdk.Collection(generated as sdk.CollectionDefinition);
const clauses = generateClauses(helloApi);

function items(): sdk.Item[] {
  const all: sdk.Item[] = [];
  collection.forEachItem((item) => {
    all.push(item);
  });
  return all;
}

function scriptOf(item: sdk.Item | sdk.Collection, listen: 'prerequest' | 'test'): string {
  const lines: string[] = [];
  item.events.each((event) => {
    if (event.listen === listen) lines.push(...(event.script.exec ?? []));
  });
  return lines.join('\n');
}

describe('the generated collection', () => {
  it('is a Postman v2.1 collection the SDK loads with one request per generated clause, in order, in their folders', () => {
    assert.equal(
      (generated as { info?: { schema?: unknown } }).info?.schema,
      'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    );
    assert.deepEqual(
      items().map((item) => item.name),
      clauses.map((clause) => clause.name),
    );
    assert.deepEqual(
      collection.items.map((folder) => folder.name),
      [...new Set(clauses.map((clause) => clause.folder))],
    );
  });

  it('carries each clause on its own request as a disabled header that is never sent, and the runner reads them all back', () => {
    for (const item of items()) {
      const headers = item.request.headers.all();
      const clause = headers.find((header) => header.key === CLAUSE_HEADER);
      assert.ok(clause, `${item.name} carries no clause`);
      assert.equal(clause.disabled, true, `${item.name}: the clause header would be sent`);
      assert.equal(headers.length, 1, `${item.name}: a static header besides the clause`);
      assert.equal(JSON.parse(String(clause.value)).id, item.id);
    }
    const table = readClauseTable(generated);
    assert.deepEqual(
      [...(table?.values() ?? [])].map((info) => [info.id, info.key, info.expectedStatus, info.row]),
      clauses.map((clause) => [clause.id, clause.key, clause.expectedStatus, clause.row]),
    );
  });

  it('names every clause as a unique sentence', () => {
    const names = items().map((item) => item.name);
    assert.equal(new Set(names).size, names.length, 'two clauses share a name');
    for (const name of names) {
      assert.match(name, /^\S[^\n]*\b(is|are|reaches|refuses)\b[^\n]*[^.\s]$/, `not a sentence: ${name}`);
      assert.ok(name.split(' ').length >= 6, `too short to say what it proves: ${name}`);
    }
  });

  it('uses no auth helper and no request-level script, so only the clause decides the Authorization header', () => {
    const json = generated as {
      auth?: { type?: string };
      item: {
        auth?: { type?: string };
        item: { event?: unknown; request: { auth?: { type?: string } } }[];
      }[];
    };
    assert.equal(json.auth?.type, 'noauth');
    for (const folder of json.item) {
      assert.equal(folder.auth?.type, 'noauth');
      for (const item of folder.item) {
        assert.equal(item.request.auth?.type, 'noauth');
        assert.equal(item.event, undefined, 'a request has a script of its own');
      }
    }
  });

  it('runs the library and the sign-in once per request at collection level, with scripts that parse and never log', () => {
    const prerequest = scriptOf(collection, 'prerequest');
    const test = scriptOf(collection, 'test');
    assert.match(prerequest, /contract\.beforeRequest\(pm\)/);
    assert.match(test, /contract\.check\(pm\)/);
    for (const code of [prerequest, test]) {
      assert.doesNotThrow(() => new Function('pm', 'require', code), 'a script does not parse');
      assert.doesNotMatch(code, /\bconsole\./, 'a script logs: tokens and passwords would reach the logs');
    }
  });

  it('carries the library as a fresh bundle of its sources makes it, so the reused script is never stale', () => {
    // renderCollection reuses the generated script when the digest of the sources matches; this bundles.
    assert.ok(
      collectionPrerequest({ reuse: false }) === scriptOf(collection, 'prerequest'),
      'stale: run `npm run collection`',
    );
  });

  it('bundles a library that names no Node or browser global the Postman sandbox lacks', () => {
    const file = ts.createSourceFile(
      'prerequest.js',
      scriptOf(collection, 'prerequest'),
      ts.ScriptTarget.ES2022,
      true,
      ts.ScriptKind.JS,
    );
    const used = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) used.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(file);
    const absent = ['process', 'Buffer', 'TextEncoder', 'TextDecoder', 'globalThis', 'window', 'setTimeout'];
    assert.deepEqual(
      absent.filter((name) => used.has(name)),
      [],
    );
    assert.doesNotMatch(file.text, /["'`]node:/, 'a node: module is named');
  });

  it('declares a generous default for max_response_ms and no secret in its variables', () => {
    assert.equal(collection.variables.get('max_response_ms'), '10000');
    for (const variable of collection.variables.all()) {
      assert.doesNotMatch(String(variable.value), /eyJ|-----BEGIN/, `${variable.key} holds a token or a key`);
    }
  });
});
