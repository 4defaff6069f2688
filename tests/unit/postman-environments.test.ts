import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sdk from 'postman-collection';
import { COLLECTION_DEFAULTS } from '../../collections/collection.ts';
import { CONTRACT_ENTRY, sandboxSources } from '../../collections/sandbox-bundle.ts';

interface EnvironmentValue {
  readonly key: string;
  readonly value: string;
  readonly type: string;
  readonly enabled: boolean;
}

function load(target: 'local' | 'aws'): { json: Record<string, unknown>; values: EnvironmentValue[] } {
  const json: unknown = JSON.parse(
    readFileSync(new URL(`../../environments/${target}.postman_environment.json`, import.meta.url), 'utf8'),
  );
  assert.ok(
    typeof json === 'object' && json !== null && !Array.isArray(json),
    `${target}: not a JSON object`,
  );
  const values = (json as { values?: unknown }).values;
  assert.ok(Array.isArray(values), `${target}: no values array`);
  for (const value of values as unknown[]) {
    assert.ok(typeof value === 'object' && value !== null, `${target}: a value is not an object`);
    const { key, type, enabled } = value as Record<string, unknown>;
    assert.equal(typeof key, 'string');
    assert.equal(
      typeof (value as Record<string, unknown>).value,
      'string',
      `${String(key)}: value is not a string`,
    );
    assert.ok(type === 'default' || type === 'secret', `${String(key)}: type ${String(type)}`);
    assert.equal(enabled, true, `${String(key)} is disabled`);
  }
  return { json: json as Record<string, unknown>, values: values as EnvironmentValue[] };
}

const SECRETS = [
  'password',
  'cognito_client_secret',
  'id_token',
  'access_token',
  'refresh_token',
  'pool_key_tokens',
  'oauth_client_secret',
  'scoped_access_token',
];

/**
 * Variables the collection reads that no environment needs to declare: its own defaults, what lives
 * for one request or one run only, the stack's run id, and the JWKS the runner may hand over (the sandbox fetches it
 * from the token's issuer otherwise).
 */
const NOT_IN_ENVIRONMENTS = new Set([
  ...Object.keys(COLLECTION_DEFAULTS),
  'contract_skipped',
  'sign_in_failure',
  'pool_jwks',
  // Only in the environments a running local stack writes (npm run stack, npm run contract): which start
  // of the stack they belong to. A template has no stack to name.
  'stack_run_id',
  'contract_environment_stale',
]);

/**
 * Every {{variable}} the collection names and every variable its scripts read. The committed
 * collection carries its library minified (string quotes and helper names change), so the reading
 * calls are found in the TypeScript it is bundled from.
 */
function variablesTheCollectionReads(): Set<string> {
  const text = readFileSync(
    new URL('../../collections/hello-api.postman_collection.json', import.meta.url),
    'utf8',
  );
  const names = new Set<string>();
  for (const match of text.matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)) names.add(String(match[1]));
  for (const script of sandboxSources(CONTRACT_ENTRY).values()) {
    for (const match of script.matchAll(
      /(?:pm\.variables\.get|setting\(pm,|signInSetting\(pm,|signInSecret\(pm,)\s*\(?'([A-Za-z0-9_]+)'/g,
    )) {
      names.add(String(match[1]));
    }
  }
  assert.ok(
    names.has('id_token') && names.has('pool_key_tokens'),
    'the reading calls were not found: update this test',
  );
  for (const name of NOT_IN_ENVIRONMENTS) names.delete(name);
  return names;
}

describe('the Postman environment templates', () => {
  for (const target of ['local', 'aws'] as const) {
    it(`${target}: is a Postman environment export the SDK loads`, () => {
      const { json, values } = load(target);
      assert.equal(json._postman_variable_scope, 'environment');
      assert.equal(typeof json.id, 'string');
      assert.match(String(json.name), new RegExp(target));
      const scope = new sdk.VariableScope({ values } as unknown as sdk.VariableScopeDefinition);
      assert.equal(Object.keys(scope.toObject(false, false)).length, values.length);
    });

    it(`${target}: declares every secret as type secret with an empty value`, () => {
      const { values } = load(target);
      for (const name of SECRETS) {
        const value = values.find((candidate) => candidate.key === name);
        assert.ok(value, `${name} is not declared`);
        assert.equal(value.type, 'secret', `${name} is not a secret variable`);
        assert.equal(value.value, '', `${name} has a value in a committed template`);
      }
    });

    it(`${target}: holds nothing that looks like a token or a key`, () => {
      const { values } = load(target);
      for (const { key, value } of values) {
        assert.doesNotMatch(value, /eyJ|-----BEGIN|[A-Za-z0-9+/_-]{40,}/, `${key} looks like a secret`);
      }
    });

    it(`${target}: declares every variable the collection reads`, () => {
      const keys = new Set(load(target).values.map((value) => value.key));
      const missing = [...variablesTheCollectionReads()].filter((name) => !keys.has(name));
      assert.deepEqual(missing, []);
    });
  }

  it('local: points at the local stack on its default ports', () => {
    const scope = new sdk.VariableScope({
      values: load('local').values,
    } as unknown as sdk.VariableScopeDefinition);
    assert.equal(scope.get('baseUrl'), 'http://127.0.0.1:3000/dev');
    assert.equal(scope.get('cognito_endpoint'), 'http://127.0.0.1:9229/');
  });

  it('aws: derives the Cognito endpoint from aws_region through a nested variable', () => {
    const values = load('aws').values.map((value) =>
      value.key === 'aws_region' ? { ...value, value: 'eu-west-1' } : value,
    );
    const scope = new sdk.VariableScope({ values } as unknown as sdk.VariableScopeDefinition);
    assert.equal(
      sdk.Property.replaceSubstitutions('{{cognito_endpoint}}', scope.toObject(false, false)),
      'https://cognito-idp.eu-west-1.amazonaws.com/',
    );
  });
});
