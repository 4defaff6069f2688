/**
 * docs/reference.md §3: the Lambda proxy event (payload format 1.0) the local gateway hands the Lambda, seen
 * by a test handler injected through startStack's `handlers` option.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { LambdaContext } from '../../../local-stack/gateway/integration.ts';
import type { ProxyEvent } from '../../../local-stack/gateway/proxy-event.ts';
import { adminSignIn } from '../../support/cognito.ts';
import { assertProxySuccess } from '../../support/gateway.ts';
import { type RawResponse, send } from '../../support/http.ts';
import { decodeJwt, type JsonObject, signAsEmulator } from '../../support/jwt.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

/** Java's Date.toString() in UTC, built independently of the gateway's own formatter. */
function javaDate(epochSeconds: number): string {
  // toUTCString: "Fri, 17 Dec 2021 12:39:25 GMT"
  const [day, date, month, year, time] = new Date(epochSeconds * 1000)
    .toUTCString()
    .replace(',', '')
    .split(' ');
  return `${day} ${month} ${date} ${time} UTC ${year}`;
}

describe('the proxy event the Lambda receives', () => {
  const seen: { event: ProxyEvent; context: LambdaContext }[] = [];
  const stack = useStack({
    handlers: {
      'GET /hello': (event, context) => {
        seen.push({ event, context });
        return { statusCode: 200, body: 'seen' };
      },
    },
  });
  let idToken: string;
  let idClaims: JsonObject;

  before(async () => {
    const { cognito } = stack.get();
    ({ idToken } = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password));
    idClaims = decodeJwt(idToken).payload;
  });

  /** Sends one request and returns the event the handler saw for it. */
  async function capture(
    headers: readonly (readonly [string, string])[],
    query = '',
  ): Promise<{ event: ProxyEvent; context: LambdaContext; response: RawResponse }> {
    seen.length = 0;
    const response = await send(`${stack.get().apiUrl}/hello${query}`, { headers });
    assertProxySuccess(response);
    assert.equal(seen.length, 1, 'the handler ran exactly once');
    const [{ event, context }] = seen as [{ event: ProxyEvent; context: LambdaContext }];
    return { event, context, response };
  }

  it('names the resource, the path below the stage and the method', async () => {
    const { event } = await capture([['Authorization', idToken]]);
    assert.equal(event.resource, '/hello');
    assert.equal(event.path, '/hello');
    assert.equal(event.httpMethod, 'GET');
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
  });

  it('passes headers in the case the client sent them, repeated ones in multiValueHeaders', async () => {
    const { event } = await capture([
      ['Authorization', idToken],
      ['X-Custom-Header', 'Mixed Case Value'],
      ['X-Repeated', 'first'],
      ['X-Repeated', 'second'],
    ]);
    assert.equal(event.headers?.['X-Custom-Header'], 'Mixed Case Value');
    assert.equal(event.headers?.['x-custom-header'], undefined, 'no lowercased copy');
    assert.deepEqual(event.multiValueHeaders?.['X-Custom-Header'], ['Mixed Case Value']);
    assert.deepEqual(event.multiValueHeaders?.['X-Repeated'], ['first', 'second']);
  });

  it('passes the Authorization header to the Lambda unchanged, Bearer prefix included', async () => {
    const { event } = await capture([['Authorization', `Bearer ${idToken}`]]);
    assert.equal(event.headers?.Authorization, `Bearer ${idToken}`);
  });

  it('passes query parameters, repeated ones in multiValueQueryStringParameters', async () => {
    const { event } = await capture([['Authorization', idToken]], '?name=ada&tag=a&tag=b');
    assert.equal(event.queryStringParameters?.name, 'ada');
    assert.deepEqual(event.multiValueQueryStringParameters, { name: ['ada'], tag: ['a', 'b'] });
  });

  it('has null query parameters when the URL has none', async () => {
    const { event } = await capture([['Authorization', idToken]]);
    assert.equal(event.queryStringParameters, null);
    assert.equal(event.multiValueQueryStringParameters, null);
  });

  it('carries the stage, the full path and the request id the client sees in x-amzn-RequestId', async () => {
    const { event, context, response } = await capture([['Authorization', idToken]]);
    const requestContext = event.requestContext;
    assert.equal(requestContext.stage, 'dev');
    assert.equal(requestContext.path, '/dev/hello');
    assert.equal(requestContext.resourcePath, '/hello');
    assert.equal(requestContext.httpMethod, 'GET');
    assert.equal(requestContext.requestId, response.headers['x-amzn-requestid']);
    assert.equal(context.awsRequestId, response.headers['x-amzn-requestid']);
  });

  it('leaves every cognito* identity field null: a user pool authorizer is not an identity pool', async () => {
    const { event } = await capture([['Authorization', idToken]]);
    const identity = event.requestContext.identity as Record<string, unknown>;
    for (const field of [
      'cognitoIdentityPoolId',
      'cognitoIdentityId',
      'cognitoAuthenticationType',
      'cognitoAuthenticationProvider',
    ]) {
      assert.ok(field in identity, `${field} is present`);
      assert.equal(identity[field], null, field);
    }
  });

  it("puts the ID token's claims in requestContext.authorizer.claims, every value a string", async () => {
    const { event } = await capture([['Authorization', idToken]]);
    const claims = (event.requestContext.authorizer as { claims: Record<string, unknown> }).claims;
    assert.deepEqual(Object.keys(claims).sort(), Object.keys(idClaims).sort());
    for (const [name, value] of Object.entries(claims)) assert.equal(typeof value, 'string', name);
    assert.equal(claims.token_use, 'id');
    assert.equal(claims.sub, idClaims.sub);
    assert.equal(claims.aud, stack.get().cognito.clientId);
    assert.equal(claims['cognito:username'], stack.get().cognito.username);
    assert.equal(idClaims.email_verified, true, 'precondition: the token carries a JSON boolean');
    assert.equal(claims.email_verified, 'true');
    assert.equal(claims.auth_time, String(idClaims.auth_time));
  });

  it('writes exp and iat as Java date strings like "Fri Dec 17 12:39:25 UTC 2021"', async () => {
    const { event } = await capture([['Authorization', idToken]]);
    const claims = (event.requestContext.authorizer as { claims: Record<string, string> }).claims;
    const shape = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/;
    assert.match(String(claims.exp), shape);
    assert.match(String(claims.iat), shape);
    assert.equal(claims.exp, javaDate(Number(idClaims.exp)));
    assert.equal(claims.iat, javaDate(Number(idClaims.iat)));
  });

  it('passes a one-element cognito:groups as the bare group name and numbers as their decimal text', async () => {
    const token = signAsEmulator({ ...idClaims, 'cognito:groups': ['admins'], 'custom:level': 42 });
    const { event } = await capture([['Authorization', token]]);
    const claims = (event.requestContext.authorizer as { claims: Record<string, string> }).claims;
    assert.equal(claims['cognito:groups'], 'admins');
    assert.equal(claims['custom:level'], '42');
  });
});
