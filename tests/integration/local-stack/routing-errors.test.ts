/**
 * docs/reference.md §2 outside the authorizer: undefined paths, methods and stages (403 Missing Authentication
 * Token, or IncompleteSignatureException when an Authorization header is present), HEAD on an error,
 * and a request whose headers exceed the gateway's limit.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { adminSignIn } from '../../support/cognito.ts';
import { assertGatewayError, assertGreeting, BODIES } from '../../support/gateway.ts';
import { type RawRequest, send } from '../../support/http.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

const missingToken = {
  status: 403,
  body: BODIES.missingAuthenticationToken,
  errorType: 'MissingAuthenticationTokenException',
};
const incompleteSignature = { status: 403, errorType: 'IncompleteSignatureException' };

describe('the local gateway outside the defined method', () => {
  const stack = useStack();
  let idToken: string;

  before(async () => {
    const { cognito } = stack.get();
    ({ idToken } = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password));
  });

  const origin = () => new URL(stack.get().apiUrl).origin;
  const at = (path: string, options: RawRequest = {}) => send(`${origin()}${path}`, options);

  describe('without an Authorization header', () => {
    for (const [method, path, what] of [
      ['POST', '/dev/hello', 'an undefined method on a defined path'],
      ['OPTIONS', '/dev/hello', 'OPTIONS when the API defines no OPTIONS method'],
      ['GET', '/dev/nowhere', 'an undefined path'],
      ['GET', '/prod/hello', 'a stage that does not exist'],
      ['GET', '/hello', 'a path without a stage'],
      ['GET', '/', 'the bare origin'],
    ] as const) {
      it(`answers ${what} (${method} ${path}) with 403 Missing Authentication Token`, async () => {
        const response = await at(path, { method });
        assertGatewayError(response, missingToken);
        assert.equal(response.body.length, 42);
      });
    }
  });

  describe('with an Authorization header', () => {
    it('answers an undefined method with 403 IncompleteSignatureException, whatever the token', async () => {
      assertGatewayError(
        await at('/dev/hello', { method: 'POST', headers: [['Authorization', idToken]] }),
        incompleteSignature,
      );
    });

    it('answers an undefined path with 403 IncompleteSignatureException for a garbage header', async () => {
      assertGatewayError(
        await at('/dev/nowhere', { headers: [['Authorization', 'garbage']] }),
        incompleteSignature,
      );
    });

    it('answers a wrong stage with 403 IncompleteSignatureException and a JSON message that does not echo the token', async () => {
      const response = await at('/prod/hello', { headers: [['Authorization', idToken]] });
      assertGatewayError(response, incompleteSignature);
      const body: unknown = JSON.parse(response.text);
      assert.equal(typeof (body as { message?: unknown }).message, 'string');
      assert.ok(!response.text.includes(idToken.split('.')[2] as string), 'the token is not echoed back');
    });
  });

  describe('HEAD', () => {
    it('answers an error with the same status and headers as GET but an empty body', async () => {
      const get = await at('/dev/nowhere');
      const head = await at('/dev/nowhere', { method: 'HEAD' });
      assertGatewayError(head, missingToken, true);
      const names = (r: typeof get) => Object.keys(r.headers).sort();
      assert.deepEqual(names(head), names(get));
      for (const name of ['content-type', 'content-length', 'x-amzn-errortype']) {
        assert.equal(head.headers[name], get.headers[name], name);
      }
    });

    it('on the GET-only resource is an undefined method: 403 with no body', async () => {
      assertGatewayError(await at('/dev/hello', { method: 'HEAD' }), missingToken, true);
    });
  });

  describe('request header size', () => {
    it('serves a request whose headers stay well within the limit (control)', async () => {
      const headers = [['Authorization', idToken] as const, ['X-Padding', 'p'.repeat(4_000)] as const];
      assertGreeting(await at('/dev/hello', { headers }));
    });

    it('refuses a request with an oversized header with a 4xx, never the greeting', async () => {
      const headers = [['Authorization', idToken] as const, ['X-Padding', 'p'.repeat(20_000)] as const];
      const response = await at('/dev/hello', { headers });
      assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
      assert.ok(!response.text.includes('Hello from Lambda'));
    });
  });
});
