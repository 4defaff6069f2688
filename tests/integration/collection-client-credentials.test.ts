/**
 * The collection gets its own access token with the API's custom scope in bare Newman
 * (collections/sandbox/client-credentials.ts), as the Postman app does with the environment
 * `npm run stack` writes: given only the token endpoint and a confidential app client, it posts the
 * client_credentials grant to the local Cognito, keeps `scoped_access_token`, and the scoped method's
 * acceptance and persistence clauses pass with it. A wrong secret fails one named test per request
 * with one sentence that holds no secret, and those clauses are skipped, never run with another token.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readApiDescription } from '../../api/read-description.ts';
import { buildCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy.ts';
import { type CollectionRun, type EnvironmentEntry, runCollection } from '../support/run-collection.ts';
import { useStack } from '../support/stack.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = 'tests/fixtures/api/shape-mixed.oas30.json';
const api = await readApiDescription(join(repoRoot, FIXTURE), FIXTURE);
// No attack rows: the clauses of the scoped method that need its token are what this is about.
const collection = buildCollection(api, generateClauses(api, []));
const FOLDER = 'GET /reports';
const TOKEN_TEST = 'An access token with the API scopes came from the token endpoint (client_credentials)';
/** One request per clause: the folder's requests, each of which runs the collection's pre-request script. */
const REQUESTS_IN_FOLDER = generateClauses(api, []).filter((clause) => clause.folder === FOLDER).length;
const TOKEN_PATH = '/oauth2/token';

describe('the collection gets a token with the API scope by itself in bare Newman (client_credentials)', () => {
  const stack = useStack({ api });
  let template: { key: string; value: string; type?: string }[];
  // Between Newman and the local Cognito: counts the calls to the token endpoint.
  let proxy: CountingProxy;

  before(async () => {
    proxy = await startCountingProxy(`${stack.get().cognito.endpoint}/`);
    template = (
      JSON.parse(
        await readFile(join(repoRoot, 'environments', 'local.postman_environment.json'), 'utf8'),
      ) as {
        values: { key: string; value: string; type?: string }[];
      }
    ).values;
  });
  after(async () => {
    await proxy?.close();
  });

  function environment(overrides: Record<string, string> = {}): EnvironmentEntry[] {
    const { apiUrl, cognito } = stack.get();
    const grant = cognito.clientCredentials;
    assert.ok(grant);
    const filled: Record<string, string> = {
      baseUrl: apiUrl,
      cognito_endpoint: `${cognito.endpoint}/`,
      aws_region: cognito.region,
      cognito_user_pool_id: cognito.userPoolId,
      cognito_client_id: cognito.clientId,
      username: cognito.username,
      password: cognito.password,
      oauth_token_url: new URL(new URL(grant.tokenUrl).pathname, proxy.url).href,
      oauth_client_id: grant.clientId,
      oauth_client_secret: grant.clientSecret,
      oauth_scopes: grant.scopes.join(' '),
      ...overrides,
    };
    const keys = new Set(template.map((variable) => variable.key));
    return [
      ...template.map((variable) => ({
        key: variable.key,
        value: filled[variable.key] ?? variable.value,
        type: variable.type === 'secret' ? ('secret' as const) : ('default' as const),
      })),
      ...Object.entries(filled)
        .filter(([key]) => !keys.has(key))
        .map(([key, value]) => ({ key, value, type: 'default' as const })),
    ];
  }

  function clausesOf(result: CollectionRun, kind: string) {
    const names = generateClauses(api, [])
      .filter((clause) => clause.folder === FOLDER && clause.kind === kind)
      .map((clause) => clause.name);
    assert.ok(names.length > 0, kind);
    return names.map((name) => ({ name, outcome: result.clauses.get(name) }));
  }

  test('gets the token once, passes the acceptance and persistence clauses with it and the refusal of the ID token', async () => {
    proxy.reset();
    const result = await runCollection(collection, environment(), { folder: [FOLDER] });
    assert.deepEqual(result.errors, []);
    assert.ok(REQUESTS_IN_FOLDER > 1, 'several requests, so that once is not the same as once per request');
    assert.equal(proxy.pathCount(TOKEN_PATH), 1, 'token endpoint calls');
    for (const kind of ['accepted', 'persistence', 'scope-id-token']) {
      for (const { name, outcome } of clausesOf(result, kind)) {
        assert.deepEqual(outcome?.failed, [], name);
        assert.deepEqual(outcome?.skipped, [], name);
        assert.ok((outcome?.passed.length ?? 0) > 0, name);
      }
    }
    const scope = result.summary.environment as unknown as { get(name: string): unknown };
    assert.match(String(scope.get('scoped_access_token') ?? ''), /^eyJ/);
  });

  test('a wrong client secret fails one named test per request, without the secret, and skips the clauses that need the token', async () => {
    const wrong = 'not-the-client-secret-7Qx';
    proxy.reset();
    const result = await runCollection(collection, environment({ oauth_client_secret: wrong }), {
      folder: [FOLDER],
    });
    const failures = [...result.clauses.values()].flatMap((clause) =>
      clause.failed.filter((failure) => failure.test === TOKEN_TEST).map((failure) => failure.message),
    );
    assert.equal(failures.length, REQUESTS_IN_FOLDER, 'one failed token test per request');
    // The refusal is remembered for the run: the endpoint is asked once, not once per request.
    assert.equal(proxy.pathCount(TOKEN_PATH), 1, 'token endpoint calls');
    assert.equal(new Set(failures).size, 1);
    assert.match(
      failures[0] ?? '',
      /refused the client_credentials grant of app client \S+: invalid_client\./,
    );
    for (const message of failures) assert.ok(!message.includes(wrong));
    for (const kind of ['accepted', 'persistence']) {
      for (const { name, outcome } of clausesOf(result, kind)) {
        assert.ok(
          outcome?.skipped.some((skip) =>
            /no access token at hand carries one of shape-api\/reports\.read/.test(skip),
          ),
          name,
        );
      }
    }
  });
});
