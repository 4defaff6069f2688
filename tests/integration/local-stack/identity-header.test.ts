/**
 * The local gateway reads a method's token from its authorizer's identity source only
 * (docs/reference.md §14): behind an authorizer whose identity source is
 * `method.request.header.X-Token`, a genuine ID token in X-Token (any letter case, raw or Bearer) reaches
 * the integration, and the same token in Authorization is no token at all (401). The methods of the
 * Authorization authorizer of the same pool are unchanged. Real sign-in, real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readApiDescription } from '../../../api/read-description.ts';
import { adminSignIn, type Tokens } from '../../support/cognito.ts';
import { assertGatewayError, assertUnauthorized, BODIES } from '../../support/gateway.ts';
import { send } from '../../support/http.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

const FIXTURE = 'tests/fixtures/api/shape-mixed.oas30.json';
const api = await readApiDescription(new URL(`../../../${FIXTURE}`, import.meta.url).pathname, FIXTURE);

describe('an authorizer whose identity source is X-Token, on the local gateway', () => {
  const stack = useStack({ api });
  let tokens: Tokens;

  before(async () => {
    const { cognito } = stack.get();
    tokens = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
  });

  const url = (path: string) => `${stack.get().apiUrl}${path}`;

  it('lets a genuine ID token in X-Token through, raw or as Bearer, in any letter case', async () => {
    for (const [name, value] of [
      ['X-Token', tokens.idToken],
      ['x-token', `Bearer ${tokens.idToken}`],
    ] as const) {
      const answer = await send(url('/items'), { headers: [[name, value]] });
      assert.equal(answer.status, 200, name);
      assert.equal(answer.text, '{"standIn":true,"route":"GET /items"}');
    }
  });

  it('refuses the same token in Authorization with 401 Unauthorized: it is not the identity source', async () => {
    assertUnauthorized(await send(url('/items'), { headers: [['Authorization', tokens.idToken]] }));
  });

  it('reads X-Token on the nested greedy resource too, for every method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const answer = await send(url('/items/a/b'), { method, headers: [['X-Token', tokens.idToken]] });
      assert.equal(answer.status, 200, method);
    }
  });

  it('leaves the Authorization authorizer of the same pool reading Authorization', async () => {
    const inAuthorization = await send(url('/reports'), {
      method: 'HEAD',
      headers: [['Authorization', tokens.idToken]],
    });
    assert.equal(inAuthorization.status, 200);
    assert.equal(inAuthorization.text, '');
    const inXToken = await send(url('/reports'), { method: 'HEAD', headers: [['X-Token', tokens.idToken]] });
    assertGatewayError(inXToken, { status: 401, errorType: 'UnauthorizedException' }, true);
  });

  it('answers an undefined method with X-Token alone 403 Missing Authentication Token (no Authorization, no SigV4 complaint)', async () => {
    const answer = await send(url('/items'), { method: 'POST', headers: [['X-Token', tokens.idToken]] });
    assertGatewayError(answer, {
      status: 403,
      body: BODIES.missingAuthenticationToken,
      errorType: 'MissingAuthenticationTokenException',
    });
  });
});
