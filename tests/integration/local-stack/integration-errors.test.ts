/**
 * docs/reference.md §2–3, the Lambda proxy integration: how a handler's result becomes the HTTP answer, the
 * 502 for a handler that throws or returns a malformed proxy result, and the 504 past the integration
 * timeout (shortened here to 200 ms). Handlers are injected through startStack's `handlers` option.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LambdaHandler } from '../../../local-stack/gateway/integration.ts';
import { adminSignIn } from '../../support/cognito.ts';
import { assertGatewayError, assertProxySuccess, BODIES } from '../../support/gateway.ts';
import { getWithAuthorization } from '../../support/http.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

const TIMEOUT_MS = 200;
const badGateway = {
  status: 502,
  body: BODIES.internalServerError,
  errorType: 'InternalServerErrorException',
};

describe('the Lambda proxy integration', () => {
  let current: LambdaHandler = () => ({ statusCode: 200, body: 'unset' });
  const stack = useStack({
    handlers: { 'GET /hello': (event, context) => current(event, context) },
    integrationTimeoutMs: TIMEOUT_MS,
  });
  let idToken: string;

  before(async () => {
    const { cognito } = stack.get();
    ({ idToken } = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password));
  });

  /** Installs `handler` and sends one authorized GET /hello. */
  function invoke(handler: LambdaHandler) {
    current = handler;
    return getWithAuthorization(`${stack.get().apiUrl}/hello`, idToken);
  }

  describe('maps a well-formed result to HTTP', () => {
    it("passes the Lambda's status, headers and body through", async () => {
      const response = await invoke(() => ({
        statusCode: 201,
        headers: { 'X-Custom': 'yes', 'Content-Type': 'text/plain; charset=utf-8' },
        body: 'created',
      }));
      assertProxySuccess(response, 201);
      assert.equal(response.text, 'created');
      assert.equal(response.headers['x-custom'], 'yes');
      assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    });

    it('answers application/json when the Lambda names no Content-Type', async () => {
      const response = await invoke(async () => ({ statusCode: 200, body: '{"ok":true}' }));
      assertProxySuccess(response);
      assert.equal(response.headers['content-type'], 'application/json');
      assert.equal(response.text, '{"ok":true}');
    });

    it('passes multiValueHeaders through', async () => {
      const response = await invoke(() => ({
        statusCode: 200,
        multiValueHeaders: { 'X-Multi': ['a'] },
        body: '',
      }));
      assertProxySuccess(response);
      assert.equal(response.headers['x-multi'], 'a');
    });

    it('decodes a base64 body when isBase64Encoded is true', async () => {
      const bytes = Buffer.from([0, 1, 2, 255]);
      const response = await invoke(() => ({
        statusCode: 200,
        headers: { 'Content-Type': 'application/octet-stream' },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }));
      assertProxySuccess(response);
      assert.deepEqual(response.body, bytes);
    });

    it('sends a body with multi-byte UTF-8 characters byte for byte, Content-Length counting bytes', async () => {
      const text = JSON.stringify('Grüße from Lambda ✓ 🚀');
      const response = await invoke(() => ({ statusCode: 200, body: text }));
      assertProxySuccess(response);
      assert.deepEqual(response.body, Buffer.from(text, 'utf8'));
      assert.equal(response.headers['content-length'], String(Buffer.byteLength(text)));
    });

    it("passes a Lambda error status through as the Lambda's answer, not a gateway error", async () => {
      const response = await invoke(() => ({ statusCode: 500, body: '{"error":"mine"}' }));
      assertProxySuccess(response, 500);
      assert.equal(response.text, '{"error":"mine"}');
    });
  });

  describe('answers 502 {"message": "Internal server error"} (36 bytes) when the handler', () => {
    const cases: [string, LambdaHandler][] = [
      [
        'throws',
        () => {
          throw new Error('boom');
        },
      ],
      ['returns a rejected promise', () => Promise.reject(new Error('async boom'))],
      ['returns a string instead of an object', () => 'Hello from Lambda!'],
      ['returns a number', () => 200],
      ['returns null', () => null],
      ['returns nothing', () => undefined],
      ['returns an array', () => [{ statusCode: 200, body: 'x' }]],
      ['returns an object body instead of a string', () => ({ statusCode: 200, body: { message: 'hi' } })],
      ['returns a number body', () => ({ statusCode: 200, body: 42 })],
      ['returns an unknown top-level key', () => ({ statusCode: 200, body: 'x', extra: true })],
    ];
    for (const [what, handler] of cases) {
      it(what, async () => {
        const response = await invoke(handler);
        assertGatewayError(response, badGateway);
        assert.equal(response.body.length, 36);
      });
    }
  });

  describe('answers 504 {"message": "Endpoint request timed out"}', () => {
    it('when the handler runs past the integration timeout, without waiting for it to finish', async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let finished = false;
      try {
        const response = await invoke(async () => {
          await held; // never settles until the gateway has answered
          finished = true;
          return { statusCode: 200, body: 'too late' };
        });
        assertGatewayError(response, {
          status: 504,
          body: BODIES.endpointTimeout,
          errorType: 'InternalServerErrorException',
        });
        assert.equal(finished, false, 'the gateway answered while the handler was still running');
      } finally {
        release();
      }
    });

    it('but not when the handler finishes within the timeout (control)', async () => {
      const response = await invoke(async () => {
        await sleep(TIMEOUT_MS / 4);
        return { statusCode: 200, body: 'in time' };
      });
      assertProxySuccess(response);
      assert.equal(response.text, 'in time');
    });
  });
});
