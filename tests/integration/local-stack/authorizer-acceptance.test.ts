/**
 * docs/reference.md §1, the rows that reach the Lambda: a genuine ID token from a real sign-in (real AWS SDK v3
 * against the local Cognito), raw or as `Bearer <jwt>`, and one issued to another app client of the
 * same pool (API Gateway does not check `aud`). The answer is the tutorial Lambda's, byte for byte.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { adminSignIn, createAppClient, type Tokens } from '../../support/cognito.ts';
import { assertGreeting } from '../../support/gateway.ts';
import { getWithAuthorization } from '../../support/http.ts';
import { decodeJwt } from '../../support/jwt.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

describe('the Cognito user pool authorizer lets through', () => {
  const stack = useStack();
  let tokens: Tokens;

  before(async () => {
    const { cognito } = stack.get();
    tokens = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
  });

  const hello = () => `${stack.get().apiUrl}/hello`;

  it('a genuine ID token sent raw as the whole header value, answering the Lambda\'s "Hello from Lambda!"', async () => {
    assert.equal(decodeJwt(tokens.idToken).payload.token_use, 'id');
    assertGreeting(await getWithAuthorization(hello(), tokens.idToken));
  });

  it('a genuine ID token sent as "Bearer <jwt>" with one space and a capital B', async () => {
    assertGreeting(await getWithAuthorization(hello(), `Bearer ${tokens.idToken}`));
  });

  it('a genuine ID token issued to another app client of the same pool, because aud is not checked', async () => {
    const target = cognitoTarget(stack.get());
    const otherClientId = await createAppClient(target, 'second-app');
    const { cognito } = stack.get();
    const other = await adminSignIn(
      { ...target, clientId: otherClientId },
      cognito.username,
      cognito.password,
    );

    const { payload } = decodeJwt(other.idToken);
    assert.equal(payload.aud, otherClientId);
    assert.notEqual(payload.aud, cognito.clientId);
    assertGreeting(await getWithAuthorization(hello(), other.idToken));
  });

  it('each request with a fresh request id, gateway id and trace id', async () => {
    const first = await getWithAuthorization(hello(), tokens.idToken);
    const second = await getWithAuthorization(hello(), tokens.idToken);
    for (const name of ['x-amzn-requestid', 'x-amz-apigw-id', 'x-amzn-trace-id']) {
      assert.notEqual(first.headers[name], second.headers[name], name);
    }
  });

  it('the same token again and again, since tokens are validated offline and not consumed', async () => {
    for (let i = 0; i < 3; i += 1) assertGreeting(await getWithAuthorization(hello(), tokens.idToken));
  });
});
