/**
 * API Gateway's OpenAPI 3 export read into an API description: the fixture export as a console would
 * write it, and each defect a user can bring, refused with one sentence that names where it is and what
 * to do (exit code 2 through UsageError).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { apiSpecFromExport, EXPECT_EXTENSION } from '../../../api/openapi-export.ts';
import { readApiDescription } from '../../../api/read-description.ts';
import { routeKey, scopesOf } from '../../../api/spec.ts';
import { authorizerCoverage, parseAllowList } from '../../../api/surface.ts';
import { EXIT_USAGE, UsageError } from '../../../common/cli-error.ts';

const fixturePath = new URL('../../fixtures/api/shop.oas30.json', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: each case edits the fixture freely; the reader under test validates it.
type Editable = Record<string, any>;
const fixture = (): Editable => JSON.parse(readFileSync(fixturePath, 'utf8'));
const source = { path: 'export.json', sha256: 'test' };
/** An IAM (SigV4) security scheme as an export writes it. */
const SIGV4 = {
  type: 'apiKey',
  name: 'Authorization',
  in: 'header',
  'x-amazon-apigateway-authtype': 'awsSigv4',
};

function refusal(json: unknown): string {
  try {
    apiSpecFromExport(json, source);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    assert.equal(error.exitCode, EXIT_USAGE);
    assert.doesNotMatch(error.message, /\n/);
    assert.doesNotMatch(error.message, /\n| {4}at /);
    return error.message;
  }
  assert.fail('the export was accepted');
}

describe('an API Gateway OpenAPI 3 export', () => {
  it('reads every method with its authorizer, scopes, integration and the stage', () => {
    const api = apiSpecFromExport(fixture(), source);
    assert.equal(api.name, 'shop-api');
    assert.equal(api.stage, 'prod');
    assert.deepEqual(
      api.authorizers.map((authorizer) => authorizer.id),
      ['ShopPoolAuthorizer'],
    );
    assert.deepEqual(
      api.routes.map((route) => [
        route.method,
        route.path,
        route.protection.kind === 'cognito' ? 'COGNITO_USER_POOLS' : 'NONE',
        scopesOf(route),
        route.integration,
      ]),
      [
        ['GET', '/health', 'NONE', [], 'AWS_PROXY'],
        ['GET', '/items', 'COGNITO_USER_POOLS', [], 'AWS_PROXY'],
        ['POST', '/items', 'COGNITO_USER_POOLS', [], 'AWS_PROXY'],
        ['OPTIONS', '/items', 'NONE', [], 'MOCK'],
        ['GET', '/items/{itemId}', 'COGNITO_USER_POOLS', [], 'AWS_PROXY'],
        ['DELETE', '/items/{itemId}', 'COGNITO_USER_POOLS', ['aws.cognito.signin.user.admin'], 'AWS_PROXY'],
      ],
    );
    assert.deepEqual(api.source, { kind: 'openapi', path: 'export.json', sha256: 'test' });
  });

  it('reports the unprotected methods, allow-listed or not', () => {
    const api = apiSpecFromExport(fixture(), source);
    const coverage = authorizerCoverage(api, parseAllowList('OPTIONS /items').entries);
    assert.deepEqual(
      coverage
        .filter((entry) => entry.protection === 'none')
        .map((entry) => [entry.route, entry.allowListed]),
      [
        ['GET /health', false],
        ['OPTIONS /items', true],
      ],
    );
  });

  it('expands x-amazon-apigateway-any-method to every method not defined by name', () => {
    const json = fixture();
    json.paths['/proxy/{path+}'] = { 'x-amazon-apigateway-any-method': json.paths['/items'].get };
    const api = apiSpecFromExport(json, source);
    assert.equal(api.routes.filter((route) => route.path === '/proxy/{path+}').length, 7);
    // One declaration, one allow-list entry: `ANY /path` covers every method it stands for.
    const coverage = authorizerCoverage(
      { ...api, routes: api.routes.map((route) => ({ ...route, protection: { kind: 'none' as const } })) },
      parseAllowList('ANY /proxy/{path+}').entries,
    );
    assert.deepEqual(
      coverage.filter((entry) => entry.allowListed).map((entry) => entry.method),
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
    );
  });

  it(`takes what an authorized call answers from ${EXPECT_EXTENSION} where the user pinned it`, () => {
    const json = fixture();
    json.paths['/items'].get[EXPECT_EXTENSION] = { status: 200, body: '[]', contentType: 'application/json' };
    const route = apiSpecFromExport(json, source).routes.find(
      (r) => r.method === 'GET' && r.path === '/items',
    );
    assert.deepEqual(route?.authorized, { status: 200, body: '[]', contentType: 'application/json' });
  });

  it('reads a scheme with another identity header, and merges schemes naming the same pool', () => {
    const json = fixture();
    json.components.securitySchemes.Again = structuredClone(
      json.components.securitySchemes.ShopPoolAuthorizer,
    );
    json.paths['/items'].post.security = [{ Again: [] }];
    const api = apiSpecFromExport(json, source);
    assert.deepEqual(
      api.authorizers.map((authorizer) => authorizer.id),
      ['ShopPoolAuthorizer'],
    );
    const post = api.routes.find((route) => route.method === 'POST' && route.path === '/items');
    assert.deepEqual(post?.protection, { kind: 'cognito', authorizer: 'ShopPoolAuthorizer', scopes: [] });

    json.components.securitySchemes.Again['x-amazon-apigateway-authorizer'].identitySource =
      'method.request.header.X-Id-Token';
    json.components.securitySchemes.Again.name = 'X-Id-Token';
    const other = apiSpecFromExport(json, source);
    assert.deepEqual(
      other.authorizers.map((authorizer) => [authorizer.id, authorizer.identityHeader]),
      [
        ['ShopPoolAuthorizer', 'Authorization'],
        ['Again', 'X-Id-Token'],
      ],
    );
  });

  it('keeps IAM, Lambda authorizer, API key and SAM NONE methods as what they are', () => {
    const json = fixture();
    const schemes = json.components.securitySchemes;
    schemes.sigv4 = SIGV4;
    schemes.Token = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': { type: 'token' },
    };
    schemes.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
    json.paths['/items'].get.security = [{ sigv4: [] }];
    json.paths['/items'].post.security = [{ Token: [] }];
    json.paths['/health'].get.security = [{ api_key: [] }];
    json.paths['/items/{itemId}'].get.security = [{ NONE: [] }];
    json.paths['/items/{itemId}'].delete['x-amazon-apigateway-auth'] = { type: 'AWS_IAM' };
    const coverage = authorizerCoverage(apiSpecFromExport(json, source), new Set());
    assert.deepEqual(
      coverage.map((entry) => [entry.route, entry.protection]),
      [
        ['GET /health', 'api-key'],
        ['GET /items', 'iam'],
        ['POST /items', 'lambda'],
        ['OPTIONS /items', 'none'],
        ['GET /items/{itemId}', 'none'],
        ['DELETE /items/{itemId}', 'iam'],
      ],
    );
  });

  it('reads an authorizer and an API key listed as two requirements, as SAM writes them, as one method', () => {
    const json = fixture();
    json.components.securitySchemes.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
    json.paths['/items'].get.security = [{ api_key: [] }, { ShopPoolAuthorizer: [] }];
    const route = apiSpecFromExport(json, source).routes.find((entry) => routeKey(entry) === 'GET /items');
    assert.deepEqual([route?.protection.kind, route?.apiKeyRequired], ['cognito', true]);
  });

  it('reads an export without integrations (extensions=authorizers, postman, none)', () => {
    const json = fixture();
    for (const item of Object.values(json.paths) as Editable[]) {
      for (const operation of Object.values(item) as Editable[])
        delete operation['x-amazon-apigateway-integration'];
    }
    const api = apiSpecFromExport(json, source);
    assert.equal(api.routes.length, 6);
    assert.ok(api.routes.every((route) => route.integration === undefined));
  });

  it('takes the stage from --stage when the export names none, and lets it win when it does', () => {
    assert.equal(apiSpecFromExport({ ...fixture(), servers: [] }, source, { stage: 'dev' }).stage, 'dev');
    assert.equal(apiSpecFromExport(fixture(), source, { stage: 'qa' }).stage, 'qa');
  });

  const defects: [string, (json: Editable) => unknown, RegExp][] = [
    [
      'a document that is not OpenAPI',
      (json) => ({ ...json, openapi: undefined }),
      /export\.json openapi: is missing: this is not an OpenAPI 3 or Swagger 2 document: export the stage again/,
    ],
    [
      'security naming an undefined scheme',
      (json) => {
        json.paths['/items'].get.security = [{ Nope: [] }];
        return json;
      },
      /^The API description export\.json paths\.\/items\.get\.security\[0\]\.Nope: names the scheme "Nope", which components\.securitySchemes does not define: define it there or remove it\.$/,
    ],
    [
      'a scheme an export without authorizers cannot say the type of (extensions=integrations)',
      (json) => {
        json.components.securitySchemes.ShopPoolAuthorizer = {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
        };
        return json;
      },
      /^The API description export\.json paths\.\/items\.get\.security\[0\]\.ShopPoolAuthorizer: uses "ShopPoolAuthorizer", an authorizer whose type the file does not say .*extensions=apigateway.*$/,
    ],
    [
      "a Cognito scheme without its authorizer object (get-export's default, no extensions)",
      (json) => {
        delete json.components.securitySchemes.ShopPoolAuthorizer['x-amazon-apigateway-authorizer'];
        return json;
      },
      /^The API description export\.json components\.securitySchemes\.ShopPoolAuthorizer: is a Cognito user pool authorizer without x-amazon-apigateway-authorizer, so the file does not say which user pools it accepts \(an export made without extensions=authorizers or extensions=apigateway\): export the stage again with `aws apigateway get-export [^`]+extensions=apigateway[^`]*`\.$/,
    ],
    [
      'scopes that are not strings',
      (json) => {
        json.paths['/items'].get.security = [{ ShopPoolAuthorizer: [7] }];
        return json;
      },
      /security\[0\]\.ShopPoolAuthorizer: is not a list of OAuth scope names/,
    ],
    [
      'two authorizers in two requirements',
      (json) => {
        json.components.securitySchemes.sigv4 = SIGV4;
        json.paths['/items'].get.security = [{ ShopPoolAuthorizer: [] }, { sigv4: [] }];
        return json;
      },
      /^The API description export\.json paths\.\/items\.get\.security: names two authorizers, but an API Gateway method has one: keep one \(an API key, api_key, may go with it\), or /,
    ],
    [
      'two authorizers in one requirement',
      (json) => {
        json.components.securitySchemes.sigv4 = SIGV4;
        json.paths['/items'].get.security = [{ ShopPoolAuthorizer: [], sigv4: [] }];
        return json;
      },
      /^The API description export\.json paths\.\/items\.get\.security: names two authorizers, but an API Gateway method has one: /,
    ],
    [
      'an empty requirement beside another (optional authorization)',
      (json) => {
        json.paths['/items'].get.security = [{ ShopPoolAuthorizer: [] }, {}];
        return json;
      },
      /^The API description export\.json paths\.\/items\.get\.security\[1\]: is an empty requirement, which makes the others optional, and an API Gateway method cannot be: remove it, or /,
    ],
    [
      'a path that is not a resource path',
      (json) => {
        json.paths.items = json.paths['/items'];
        return json;
      },
      /paths\.items: is not a resource path/,
    ],
    [
      'no stage',
      (json) => ({ ...json, servers: [] }),
      /servers: names no stage: pass the stage .* --stage NAME/,
    ],
    ['no paths', (json) => ({ ...json, paths: {} }), /has no resource/],
    [
      'a malformed expectation',
      (json) => {
        json.paths['/items'].get[EXPECT_EXTENSION] = { status: 'ok' };
        return json;
      },
      /x-contract-authorized: is not \{"status"/,
    ],
  ];
  for (const [what, edit, expected] of defects) {
    it(`refuses ${what} with one sentence naming where and the fix`, () => {
      assert.match(refusal(edit(fixture())), expected);
    });
  }

  it('says a problem once however many methods share it, and nothing more after a refused scheme', () => {
    const json = fixture();
    json.components.securitySchemes.ShopPoolAuthorizer['x-amazon-apigateway-authorizer'].providerARNs =
      'pool';
    json.paths['/any/{proxy+}'] = { 'x-amazon-apigateway-any-method': json.paths['/items'].get };
    const message = refusal(json);
    assert.match(
      message,
      /^The API description export\.json components\.securitySchemes\.ShopPoolAuthorizer\.x-amazon-apigateway-authorizer\.providerARNs: is not a list of user pool ARNs: /,
    );
  });

  it("says an HTTP API's $default route is not a REST API resource, and what to write instead", () => {
    const json = fixture();
    json.paths.$default = { 'x-amazon-apigateway-any-method': { responses: {} } };
    assert.equal(
      refusal(json),
      "The API description export.json paths.$default: is an HTTP API's default route, which a REST API does not have: remove it, or give it as a greedy resource such as /{proxy+}.",
    );
  });

  it('lists several defects, one line each, each naming the file and the place', () => {
    const json = fixture();
    json.paths['/items'].get['x-amazon-apigateway-integration'].type = 'lambda';
    json.paths['/items'].post.security = [{ Nope: [] }];
    let message = '';
    try {
      apiSpecFromExport(json, source);
    } catch (error) {
      message = (error as Error).message;
    }
    assert.deepEqual(
      message.split('\n').map((line) => line.replace(/:.*/, '')),
      [
        'The API description export.json has 2 problems',
        '  export.json paths./items.get.x-amazon-apigateway-integration.type',
        '  export.json paths./items.post.security[0].Nope',
      ],
    );
  });

  it('reads a YAML export as well as JSON, and says a missing file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    writeFileSync(
      join(dir, 'api.yaml'),
      'openapi: 3.0.1\ninfo:\n  title: tiny\nservers:\n  - url: https://x.example.com/dev\npaths:\n  /ping:\n    get: {}\n',
    );
    const api = await readApiDescription(join(dir, 'api.yaml'), 'api.yaml');
    assert.deepEqual(
      [api.name, api.stage, api.routes.map((route) => route.path)],
      ['tiny', 'dev', ['/ping']],
    );
    writeFileSync(join(dir, 'bad.yaml'), 'openapi: 3.0.1\npaths: [\n');
    await assert.rejects(
      readApiDescription(join(dir, 'bad.yaml'), 'bad.yaml'),
      /^UsageError: The API description bad\.yaml is not valid YAML/,
    );
    await assert.rejects(
      readApiDescription(join(dir, 'nope.json'), 'nope.json'),
      /nope\.json does not exist: check the path given to --api-spec/,
    );
  });
});
