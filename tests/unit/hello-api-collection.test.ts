import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sdk from 'postman-collection';
import { renderHelloApiCollection } from '../../collections/hello-api-collection.ts';
import { DIAGNOSIS_CODES, type Diagnosis, sandboxDiagnosisSource } from '../../token-helper/diagnosis.ts';

const committedText = readFileSync(
  new URL('../../collections/hello-api.postman_collection.json', import.meta.url),
  'utf8',
);
const committed: unknown = JSON.parse(committedText);
const collection = new sdk.Collection(committed as sdk.CollectionDefinition);

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

function allScripts(): string[] {
  return [
    scriptOf(collection, 'prerequest'),
    ...items().flatMap((item) => [scriptOf(item, 'prerequest'), scriptOf(item, 'test')]),
  ].filter((code) => code !== '');
}

describe('the committed collection', () => {
  it('is exactly what collections/build.ts builds from its sources (run `npx tsx collections/build.ts`)', () => {
    // A boolean, not a string diff: the diff of two 100 kB JSON texts would bury the instruction.
    assert.ok(committedText === renderHelloApiCollection(), 'stale: run `npx tsx collections/build.ts`');
  });

  it('is a Postman v2.1 collection the SDK loads with both folders and 18 clauses', () => {
    assert.equal(
      (committed as { info?: { schema?: unknown } }).info?.schema,
      'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    );
    assert.deepEqual(
      collection.items.map((folder) => folder.name),
      ["The tutorial's contract", 'Security: tokens that must be refused'],
    );
    assert.equal(items().length, 18);
  });

  it('names every clause as a unique sentence', () => {
    const names = items().map((item) => item.name);
    assert.equal(new Set(names).size, names.length, 'two clauses share a name');
    for (const name of names) {
      assert.match(name, /^[A-Z][^\n]*\b(is|are|reaches)\b[^\n]*[^.\s]$/, `not a sentence: ${name}`);
      assert.ok(name.split(' ').length >= 6, `too short to say what it proves: ${name}`);
    }
  });

  it('gives every clause its own tests', () => {
    for (const item of items()) {
      assert.match(scriptOf(item, 'test'), /\bpm\.test\(/, `${item.name} has no tests`);
      assert.match(
        scriptOf(item, 'test'),
        /^(expectGatewayError|expectGreeting|expectClientError|checkNoAuthorizationSent|if \(!skippedBecauseEmpty)/m,
        `${item.name} never calls a contract check`,
      );
    }
  });

  it('uses no auth helper at any level, so Newman and the app add no Authorization of their own', () => {
    const json = committed as {
      auth?: { type?: string };
      item: { auth?: { type?: string }; item: { request: { auth?: { type?: string } } }[] }[];
    };
    assert.equal(json.auth?.type, 'noauth');
    for (const folder of json.item) {
      assert.equal(folder.auth?.type, 'noauth');
      for (const item of folder.item) assert.equal(item.request.auth?.type, 'noauth');
    }
  });

  it('sends no Authorization header in the clauses about requests without one, and checks that', () => {
    const without = items().filter((item) => item.name.includes('without an Authorization header'));
    assert.equal(without.length, 3);
    for (const item of without) {
      assert.equal(item.request.headers.has('Authorization'), false, item.name);
      assert.match(
        scriptOf(item, 'prerequest'),
        /pm\.request\.headers\.remove\('Authorization'\)/,
        item.name,
      );
      assert.match(scriptOf(item, 'test'), /^checkNoAuthorizationSent\(\);$/m, item.name);
    }
  });

  it('signs in from the collection-level pre-request with SRP, USER_PASSWORD_AUTH or the refresh token', () => {
    const signIn = scriptOf(collection, 'prerequest');
    for (const flow of ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH']) {
      assert.match(signIn, new RegExp(`AuthFlow: '${flow}'`));
    }
    assert.match(signIn, /ChallengeName: 'PASSWORD_VERIFIER'/);
    assert.match(signIn, /AWSCognitoIdentityProviderService\.\$\{operation\}/);
    assert.match(signIn, /'InitiateAuth'/);
    assert.match(signIn, /'RespondToAuthChallenge'/);
    assert.match(signIn, /application\/x-amz-json-1\.1/);
    assert.match(
      signIn,
      /^signInEnsureTokens\(pm, /m,
      'the entry point is called with a completion callback',
    );
  });

  it('names every sign-in failure with a code of token-helper/diagnosis.ts, whose table it carries', () => {
    const signIn = scriptOf(collection, 'prerequest');
    assert.ok(signIn.includes(sandboxDiagnosisSource()), 'the diagnosis table is inlined as built');
    const used = [...signIn.matchAll(/signInFailure\(\s*'([a-z-]+)'/g)].map((match) => String(match[1]));
    assert.ok(used.length >= 8, `found ${used.length} failure codes`);
    for (const code of used) assert.ok(DIAGNOSIS_CODES.includes(code as Diagnosis), `unknown code ${code}`);
  });

  it('contains scripts that parse and never log', () => {
    for (const code of allScripts()) {
      assert.doesNotThrow(() => new Function('pm', 'require', code), 'a script does not parse');
      assert.doesNotMatch(code, /\bconsole\./, 'a script logs: tokens and passwords would reach the logs');
    }
  });

  it('declares a generous default for max_response_ms', () => {
    assert.equal(collection.variables.get('max_response_ms'), '10000');
  });
});
