/**
 * The OpenAPI 3 reader on the authorizer shapes a real export has: a token read from another header
 * than Authorization (the scheme's `name`, `identitySource` method.request.header.<Name>), several
 * security schemes of one pool (each its own authorizer, one pool to sign in to), and several pools,
 * of which a run tests one (api/pools.ts) and leaves the other's methods, saying so.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiSpecFromExport } from '../../../api/openapi-export.ts';
import { choosePool } from '../../../api/pools.ts';
import { UsageError } from '../../../common/cli-error.ts';

// biome-ignore lint/suspicious/noExplicitAny: each case edits the fixture freely; the reader under test validates it.
type Editable = Record<string, any>;
const path = 'tests/fixtures/api/shape-mixed.oas30.json';
const fixture = (): Editable =>
  JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));
const source = { path, sha256: 'test' };

function refusal(json: unknown): string {
  try {
    apiSpecFromExport(json, source);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('the export was accepted');
}

describe('authorizers in an OpenAPI 3 export', () => {
  it('reads each scheme of one pool as its own authorizer, with the header it reads the token from', () => {
    const api = apiSpecFromExport(fixture(), source);
    assert.deepEqual(
      api.authorizers.map((authorizer) => [
        authorizer.id,
        authorizer.identityHeader,
        authorizer.pools.length,
      ]),
      [
        ['TokenAuthorizer', 'X-Token', 1],
        ['PoolAuthorizer', 'Authorization', 1],
      ],
    );
    const items = api.routes.find((route) => route.path === '/items');
    assert.deepEqual(items?.protection, { kind: 'cognito', authorizer: 'TokenAuthorizer', scopes: [] });
  });

  it('records ANY as every method, HEAD included', () => {
    const api = apiSpecFromExport(fixture(), source);
    assert.deepEqual(
      api.routes.filter((route) => route.path === '/items/{proxy+}').map((route) => route.method),
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
    );
  });

  it('refuses an identitySource that disagrees with the scheme header, naming both', () => {
    const json = fixture();
    json.components.securitySchemes.TokenAuthorizer['x-amazon-apigateway-authorizer'].identitySource =
      'method.request.header.X-Other';
    assert.match(
      refusal(json),
      /TokenAuthorizer: names the header X-Token but its identitySource reads X-Other: make them agree/,
    );
  });

  it('refuses an identity source that is not a request header', () => {
    const json = fixture();
    json.components.securitySchemes.TokenAuthorizer['x-amazon-apigateway-authorizer'].identitySource =
      'method.request.querystring.token';
    assert.match(
      refusal(json),
      /identitySource: is "method\.request\.querystring\.token", but a Cognito authorizer reads its token from one request header: write it as method\.request\.header\.NAME/,
    );
  });

  it('accepts several user pools: one is tested, the methods of the other are left for its own run', () => {
    const json = fixture();
    json.components.securitySchemes.TokenAuthorizer['x-amazon-apigateway-authorizer'].providerARNs = [
      'arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Other',
    ];
    const api = apiSpecFromExport(json, source);
    const choice = choosePool(api);
    assert.ok(choice !== undefined);
    assert.equal(choice.pools.length, 2);
    const other = choice.pools.find((use) => use.key !== choice.key);
    assert.ok(other !== undefined);
    // The most methods win; the others' methods, exactly, are left, each saying which pool tests them.
    assert.ok((choice.pools[0]?.methods.length ?? 0) >= other.methods.length);
    assert.deepEqual(
      choice.left.map((method) => method.route),
      other.methods,
    );
    for (const method of choice.left)
      assert.match(method.reason, /accepts only pool .+: sign in to that pool/);
  });
});
