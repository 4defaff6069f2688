/**
 * The two targets cannot drift apart: the local gateway serves `helloApi` from api/routes.ts, so the
 * template must state the same routes, authorizer and handlers, compared in both directions.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type ApiSpec, helloApi } from '../../api/routes.ts';
import {
  EXTRA_ROUTE,
  REPO_ROOT,
  synthContractStack,
  synthVariant,
  withScopedFirstRoute,
} from './synth-contract-stack.ts';
import {
  field,
  functionIdsByRoute,
  resourcesOfType,
  routesFromSpec,
  routesFromTemplate,
} from './template-routes.ts';

const { template, assemblyDir } = synthContractStack();
const json: unknown = template.toJSON();

const withExtraRoute: ApiSpec = { ...helloApi, routes: [...helloApi.routes, EXTRA_ROUTE] };
const scoped = withScopedFirstRoute();
/** Scoped first route and the extra route (and a domain prefix, which no route reads). */
const variant = synthVariant();
const variantRoutes = routesFromTemplate(variant.template.toJSON());

describe('template ↔ api/routes.ts parity', () => {
  test('every route in the template is in the route table with the same settings, and the reverse', () => {
    assert.deepEqual(routesFromTemplate(json), routesFromSpec(helloApi));
  });

  test('the authorizer in the template is the route table’s authorizer, setting by setting', () => {
    const authorizers = [...resourcesOfType(json, 'AWS::ApiGateway::Authorizer').values()];
    assert.equal(authorizers.length, 1);
    const [Name, Type, IdentitySource, AuthorizerResultTtlInSeconds] = [
      'Name',
      'Type',
      'IdentitySource',
      'AuthorizerResultTtlInSeconds',
    ].map((key) => field(authorizers[0], 'Properties', key));
    const [described] = helloApi.authorizers;
    assert.ok(described !== undefined);
    const { id: name, type, identityHeader, resultTtlSeconds } = described;
    const identitySource = `method.request.header.${identityHeader}`;
    assert.deepEqual(
      { Name, Type, IdentitySource, AuthorizerResultTtlInSeconds },
      {
        Name: name,
        Type: type,
        IdentitySource: identitySource,
        AuthorizerResultTtlInSeconds: resultTtlSeconds,
      },
    );
  });

  test('the stage name is the route table’s stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: helloApi.stage });
  });

  test('each route’s bundled Lambda answers what the handler the local gateway imports answers', async () => {
    const functionIds = functionIdsByRoute(json);
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    for (const route of helloApi.routes) {
      const functionId = functionIds.get(`${route.method} ${route.path}`);
      assert.ok(typeof functionId === 'string', `${route.method} ${route.path} invokes a Lambda`);
      const assetPath = field(functions.get(functionId), 'Metadata', 'aws:asset:path');
      assert.ok(typeof assetPath === 'string', `${functionId} has a bundled asset`);

      // NodejsFunction bundles to CommonJS index.js; the local gateway imports the TypeScript source.
      const bundled: unknown = createRequire(import.meta.url)(join(assemblyDir, assetPath, 'index.js'));
      const { handler } = route;
      assert.ok(handler !== undefined, `${route.method} ${route.path} names its handler`);
      const source: unknown = await import(pathToFileURL(join(REPO_ROOT, handler.file)).href);
      const bundledHandler = field(bundled, handler.exportName);
      const sourceHandler = field(source, handler.exportName);
      assert.ok(typeof bundledHandler === 'function' && typeof sourceHandler === 'function');
      assert.deepEqual(await bundledHandler({}, {}), await sourceHandler({}, {}));
    }
  });
});

describe('the parity check itself', () => {
  test('fails when a route is added to the route table but not deployed', () => {
    assert.notDeepEqual(routesFromTemplate(json), routesFromSpec(withExtraRoute));
  });

  test('fails when the template has a route the route table does not', () => {
    // The variant's table without the extra route: the extra route is the one difference.
    assert.deepEqual(variant.spec, withScopedFirstRoute(withExtraRoute));
    assert.notDeepEqual(variantRoutes, routesFromSpec(scoped));
    // And reads the extra route back faithfully, nested path and all.
    assert.deepEqual(variantRoutes, routesFromSpec(variant.spec));
  });

  test('fails when a route’s OAuth scopes differ between the two', () => {
    assert.notDeepEqual(routesFromTemplate(json), routesFromSpec(scoped));
    // (The variant's scope is read back faithfully: the test above.) Against the variant's table without the scope, the scope is the one difference.
    assert.notDeepEqual(variantRoutes, routesFromSpec(withExtraRoute));
  });

  test('fails when a route’s authorization differs between the two', () => {
    const [first, ...rest] = helloApi.routes;
    assert.ok(first !== undefined);
    const unprotected: ApiSpec = {
      ...helloApi,
      routes: [{ ...first, protection: { kind: 'none' } }, ...rest],
    };
    assert.notDeepEqual(routesFromTemplate(json), routesFromSpec(unprotected));
  });
});
