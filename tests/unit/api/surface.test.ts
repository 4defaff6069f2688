/**
 * api/surface.ts against greedy resources (docs/reference.md §14): a `{name+}` resource matches its own
 * path and every path below it, so it changes which methods are undefined, which paths are undefined and
 * which spellings of a path reach no resource.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiSpec, HttpMethod, RouteSpec } from '../../../api/spec.ts';
import { HTTP_METHODS } from '../../../api/spec.ts';
import {
  isGreedy,
  pathVariants,
  requestPath,
  resourcePattern,
  resourcesMatching,
  resourcesOf,
  undefinedPath,
} from '../../../api/surface.ts';

function route(method: HttpMethod, path: string): RouteSpec {
  return {
    method,
    path,
    protection: { kind: 'cognito', authorizer: 'Pool', scopes: [] },
    integration: 'AWS_PROXY',
  };
}

function api(routes: readonly RouteSpec[]): Pick<ApiSpec, 'routes'> & ApiSpec {
  return {
    name: 'shapes',
    stage: 'dev',
    authorizers: [
      {
        id: 'Pool',
        type: 'COGNITO_USER_POOLS',
        pools: [{ key: 'p', label: 'p' }],
        identityHeader: 'Authorization',
        resultTtlSeconds: 0,
      },
    ],
    routes,
    integrationTimeoutMs: 29_000,
    source: { kind: 'route-table', path: 'test' },
  };
}

const any = (path: string) => HTTP_METHODS.map((method) => route(method, path));

describe('matching a request path as API Gateway does', () => {
  it('takes one non-empty segment for {name} and one or more for {name+}', () => {
    assert.ok(resourcePattern('/items/{id}').test('/items/a'));
    assert.ok(!resourcePattern('/items/{id}').test('/items/a/b'));
    assert.ok(!resourcePattern('/items/{id}').test('/items/'));
    assert.ok(resourcePattern('/items/{proxy+}').test('/items/a/b/c'));
    assert.ok(!resourcePattern('/items/{proxy+}').test('/items'));
    assert.ok(resourcePattern('/{proxy+}').test('/anything/at/all'));
    assert.ok(!resourcePattern('/{proxy+}').test('/'));
    assert.ok(isGreedy('/{proxy+}') && isGreedy('/items/{path+}') && !isGreedy('/items/{id}'));
  });

  it('escapes the literal parts of a resource', () => {
    assert.ok(!resourcePattern('/v1.0/items').test('/v1x0/items'));
  });
});

describe('undefined methods', () => {
  it('are every method a plain resource does not define', () => {
    const [items] = resourcesOf(api([route('GET', '/items')]));
    assert.deepEqual(items?.undefinedMethods, ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  });

  it('leave out the methods a greedy resource matching the same path defines (which one answers is not asserted)', () => {
    const resources = resourcesOf(api([route('GET', '/hello'), ...any('/{proxy+}')]));
    assert.deepEqual(
      resources.map((resource) => [resource.path, resource.undefinedMethods]),
      [
        ['/hello', []],
        ['/{proxy+}', []],
      ],
    );
  });

  it('keep the methods of a resource that no greedy resource covers (a nested {proxy+} does not match its parent)', () => {
    const resources = resourcesOf(api([route('GET', '/items'), ...any('/items/{proxy+}')]));
    assert.deepEqual(resources.find((resource) => resource.path === '/items')?.undefinedMethods, [
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'HEAD',
      'OPTIONS',
    ]);
  });
});

describe('the undefined path', () => {
  it('is /no-such-resource where nothing matches it', () => {
    assert.deepEqual(undefinedPath(api([route('GET', '/hello')])), { path: '/no-such-resource' });
  });

  it('is chosen outside every resource, parameters and greedy ones included', () => {
    const found = undefinedPath(api([route('GET', '/{id}'), ...any('/no-such-resource-2/{proxy+}')]));
    assert.ok('path' in found);
    assert.deepEqual(resourcesMatching(api([route('GET', '/{id}')]), found.path), []);
    assert.equal(found.path, '/no-such-resource/no-such-child');
  });

  it('does not exist under a root {proxy+}, and says why', () => {
    const found = undefinedPath(api([route('GET', '/hello'), ...any('/{proxy+}')]));
    assert.ok('none' in found);
    assert.match(found.none, /\/\{proxy\+\}/);
  });
});

describe('path variants', () => {
  it('are all four spellings of a literal path when no resource matches them', () => {
    assert.deepEqual(
      pathVariants('/hello', api([route('GET', '/hello')])).map((variant) => variant.path),
      ['/hello/', '//hello', '/HELLO', '/%68ello'],
    );
  });

  it('leave out the spellings a greedy resource matches (it may legitimately answer them)', () => {
    const described = api([route('GET', '/items'), ...any('/items/{proxy+}')]);
    assert.deepEqual(
      pathVariants('/items/{proxy+}', described).map((variant) => variant.label),
      ['with a doubled slash', 'in other case', 'percent-encoded'],
    );
    assert.deepEqual(pathVariants('/hello', api([route('GET', '/hello'), ...any('/{proxy+}')])), []);
  });

  it('leave out a spelling another resource with a path parameter matches', () => {
    const described = api([route('GET', '/hello'), route('GET', '/{name}')]);
    assert.deepEqual(
      pathVariants('/hello', described).map((variant) => variant.path),
      ['/hello/', '//hello'],
    );
    assert.equal(requestPath('/{name}'), '/contract-placeholder');
  });
});
