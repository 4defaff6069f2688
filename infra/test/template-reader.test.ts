/**
 * A CDK app's synthesized template is an API description the contract reads before anything is
 * deployed (`cdk synth` output through `--api-spec`): reading this app's own template back must give
 * the route table it was built from, with the stage, the protection, the scopes and the one authorizer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { type ApiSpec, isProtected, routeKey, scopesOf } from '../../api/spec.ts';
import { readCloudFormation } from '../../api/templates.ts';
import { isRecord } from '../../common/records.ts';
import { synthContractStack } from './synth-contract-stack.ts';

function facts(api: ApiSpec) {
  return {
    stage: api.stage,
    routes: api.routes.map((route) => [
      routeKey(route),
      route.protection.kind,
      scopesOf(route),
      route.integration,
    ]),
    authorizers: api.authorizers.map((authorizer) => [authorizer.identityHeader, authorizer.pools.length]),
    protectedRoutes: api.routes.filter(isProtected).length,
  };
}

test('the synthesized template, read as an API description, states the route table it was built from', () => {
  const json: unknown = synthContractStack().template.toJSON();
  assert.ok(isRecord(json));
  const read = readCloudFormation(json, { path: 'cdk synth', sha256: 'synth' });
  assert.equal(read.source.kind, 'cloudformation');
  assert.deepEqual(facts(read), facts(helloApi));
});
