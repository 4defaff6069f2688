/**
 * The local gateway's route table ranks resources as API Gateway does, segment by segment: a literal
 * before `{name}`, `{name}` before a greedy `{name+}`, whatever order the description lists them in
 * (docs/reference.md §14). A root `{proxy+}` takes only what no other resource takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouteTable, type GatewayRoute } from '../../../local-stack/gateway/route-table.ts';

function route(resource: string): GatewayRoute {
  return {
    method: 'GET',
    resource,
    authorization: 'NONE',
    scopes: [],
    functionName: resource,
    handler: async () => ({ statusCode: 200, body: '' }),
  };
}

// Greedy first on purpose: the order of the description must not decide.
const table = createRouteTable(
  ['/{proxy+}', '/items/{proxy+}', '/items/{id}', '/items/special', '/{name}/details'].map(route),
);
const resourceOf = (path: string) => table('GET', path)?.route.resource;

describe('route precedence', () => {
  it('prefers a literal resource, then {name}, then a nested {proxy+}, then the root {proxy+}', () => {
    assert.equal(resourceOf('/items/special'), '/items/special');
    assert.equal(resourceOf('/items/42'), '/items/{id}');
    assert.equal(resourceOf('/items/42/parts'), '/items/{proxy+}');
    assert.equal(resourceOf('/users/details'), '/{name}/details');
    assert.equal(resourceOf('/users/7/details'), '/{proxy+}');
    assert.equal(resourceOf('/elsewhere'), '/{proxy+}');
  });

  it('gives a greedy parameter the whole rest of the path', () => {
    assert.deepEqual(table('GET', '/items/42/parts/7')?.pathParameters, { proxy: '42/parts/7' });
  });

  it('matches no resource for / under a root {proxy+} ({name+} needs one or more characters)', () => {
    assert.equal(resourceOf('/'), undefined);
  });

  it('hands a matched route its identity header in lower case, as Node keys request headers, however the description spelled it', () => {
    const spelled = createRouteTable([
      { ...route('/literal'), identityHeader: 'X-Token' },
      { ...route('/{param}'), identityHeader: 'X-Staff-Token' },
    ]);
    assert.equal(spelled('GET', '/literal')?.route.identityHeader, 'x-token');
    assert.equal(spelled('GET', '/other')?.route.identityHeader, 'x-staff-token');
  });
});
