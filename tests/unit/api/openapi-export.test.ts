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
import { apiSpecFromExport, EXPECT_EXTENSION, readApiSpecFile } from '../../../api/openapi-export.ts';
import { scopesOf } from '../../../api/spec.ts';
import { authorizerCoverage, parseAllowList } from '../../../api/surface.ts';
import { EXIT_USAGE, UsageError } from '../../../common/cli-error.ts';

const fixturePath = new URL('../../fixtures/api/shop.oas30.json', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: each case edits the fixture freely; the reader under test validates it.
type Editable = Record<string, any>;
const fixture = (): Editable => JSON.parse(readFileSync(fixturePath, 'utf8'));
const source = { path: 'export.json', sha256: 'test' };

function refusal(json: unknown): string {
  try {
    apiSpecFromExport(json, source);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    assert.equal(error.exitCode, EXIT_USAGE);
    assert.doesNotMatch(error.message, /\n/);
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
  });

  it(`takes what an authorized call answers from ${EXPECT_EXTENSION} where the user pinned it`, () => {
    const json = fixture();
    json.paths['/items'].get[EXPECT_EXTENSION] = { status: 200, body: '[]', contentType: 'application/json' };
    const route = apiSpecFromExport(json, source).routes.find(
      (r) => r.method === 'GET' && r.path === '/items',
    );
    assert.deepEqual(route?.authorized, { status: 200, body: '[]', contentType: 'application/json' });
  });

  const defects: [string, (json: Editable) => unknown, RegExp][] = [
    [
      'a Swagger 2 export',
      (json) => ({ ...json, openapi: undefined, swagger: '2.0' }),
      /not an OpenAPI 3 document.*--export-type oas30/,
    ],
    [
      'an export without API Gateway extensions',
      (json) => {
        delete json.paths['/items'].get['x-amazon-apigateway-integration'];
        return json;
      },
      /paths\.\/items\.get has no x-amazon-apigateway-integration.*extensions=apigateway/,
    ],
    [
      'security naming an undefined scheme',
      (json) => {
        json.paths['/items'].get.security = [{ Nope: [] }];
        return json;
      },
      /names the scheme "Nope", which components\.securitySchemes does not define/,
    ],
    [
      'a Lambda authorizer',
      (json) => {
        json.components.securitySchemes.Custom = {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'custom',
        };
        json.paths['/items'].get.security = [{ Custom: [] }];
        return json;
      },
      /uses the custom authorizer "Custom"; this contract tests Cognito user pool authorizers only/,
    ],
    [
      'scopes that are not strings',
      (json) => {
        json.paths['/items'].get.security = [{ ShopPoolAuthorizer: [7] }];
        return json;
      },
      /is not a list of OAuth scope names/,
    ],
    [
      'a path that is not a resource path',
      (json) => {
        json.paths.items = json.paths['/items'];
        return json;
      },
      /paths\.items is not a resource path/,
    ],
    ['no stage', (json) => ({ ...json, servers: [] }), /names no stage/],
    ['no paths', (json) => ({ ...json, paths: {} }), /describes no resource/],
    [
      'a malformed expectation',
      (json) => {
        json.paths['/items'].get[EXPECT_EXTENSION] = { status: 'ok' };
        return json;
      },
      /x-contract-authorized is not \{"status"/,
    ],
  ];
  for (const [what, edit, expected] of defects) {
    it(`refuses ${what} with one sentence naming it`, () => {
      assert.match(refusal(edit(fixture())), expected);
    });
  }

  it('lists several defects in one message, each with its place', () => {
    const json = fixture();
    delete json.paths['/items'].get['x-amazon-apigateway-integration'];
    json.paths['/items'].post.security = [{ Nope: [] }];
    const message = refusal(json);
    assert.match(message, /has 2 problems: paths\.\/items\.get .*; paths\.\/items\.post\.security /);
  });

  it('says a YAML export is YAML, and a missing file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    writeFileSync(join(dir, 'api.yaml'), 'openapi: 3.0.1\ninfo:\n  title: x\n');
    await assert.rejects(
      readApiSpecFile(join(dir, 'api.yaml'), 'api.yaml'),
      /api\.yaml is YAML: export it as JSON/,
    );
    await assert.rejects(
      readApiSpecFile(join(dir, 'nope.json'), 'nope.json'),
      /nope\.json does not exist: check the path given to --api-spec/,
    );
  });
});
