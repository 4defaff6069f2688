/** Unit tests for mapping a Lambda proxy result to HTTP (docs/reference.md §2–3), with the network closed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapProxyResult } from '../../../local-stack/gateway/integration.ts';

const ids = { requestId: '11111111-2222-4333-8444-555555555555', apigwId: 'AAAAAAAAAAAAAAA=' };

function mapped(result: unknown) {
  const outcome = mapProxyResult(result, ids);
  if (!outcome.ok) assert.fail(`expected a mapped response for ${JSON.stringify(result)}`);
  return outcome.response;
}

describe('mapProxyResult', () => {
  it("maps the tutorial Lambda's result to 200, the 20-byte JSON string and application/json", () => {
    const response = mapped({ statusCode: 200, body: JSON.stringify('Hello from Lambda!') });
    assert.equal(response.status, 200);
    assert.equal(response.body.toString('utf8'), '"Hello from Lambda!"');
    assert.equal(response.headers['Content-Length'], '20');
    assert.equal(response.headers['Content-Type'], 'application/json');
  });

  it('adds the request ids and a trace id', () => {
    const { headers } = mapped({ statusCode: 200, body: '' });
    assert.equal(headers['x-amzn-RequestId'], ids.requestId);
    assert.equal(headers['x-amz-apigw-id'], ids.apigwId);
    assert.match(String(headers['X-Amzn-Trace-Id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$/);
  });

  it("keeps the Lambda's own Content-Type, whatever its case, instead of adding application/json", () => {
    const { headers } = mapped({ statusCode: 200, headers: { 'content-type': 'text/html' }, body: '<p>' });
    assert.equal(headers['content-type'], 'text/html');
    assert.equal(headers['Content-Type'], undefined);
  });

  it('merges headers and multiValueHeaders, one header line per value (several cookies survive)', () => {
    const { headers } = mapped({
      statusCode: 200,
      headers: { 'Set-Cookie': 'a=1' },
      multiValueHeaders: { 'set-cookie': ['b=2', 'c=3'], 'X-One': ['only'] },
      body: '',
    });
    assert.deepEqual(headers['Set-Cookie'], ['a=1', 'b=2', 'c=3']);
    assert.equal(headers['X-One'], 'only');
  });

  it("passes the Lambda's headers through, numbers and booleans as text", () => {
    const { headers } = mapped({ statusCode: 200, headers: { 'X-A': 'a', 'X-N': 1, 'X-B': true }, body: '' });
    assert.equal(headers['X-A'], 'a');
    assert.equal(headers['X-N'], '1');
    assert.equal(headers['X-B'], 'true');
  });

  it('treats a missing or null body as empty', () => {
    assert.equal(mapped({ statusCode: 204 }).body.length, 0);
    assert.equal(mapped({ statusCode: 204, body: null }).body.length, 0);
  });

  it('decodes the body from base64 when isBase64Encoded is true and counts the decoded bytes', () => {
    const response = mapped({
      statusCode: 200,
      body: Buffer.from('hi!').toString('base64'),
      isBase64Encoded: true,
    });
    assert.equal(response.body.toString('utf8'), 'hi!');
    assert.equal(response.headers['Content-Length'], '3');
  });

  it('counts Content-Length in bytes, not characters', () => {
    assert.equal(mapped({ statusCode: 200, body: 'é' }).headers['Content-Length'], '2');
  });

  for (const [what, result] of [
    ['a string', 'Hello'],
    ['null', null],
    ['undefined', undefined],
    ['an array', [{ statusCode: 200 }]],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['a number body', { statusCode: 200, body: 1 }],
    ['an unknown top-level key', { statusCode: 200, body: '', extra: 1 }],
    ['a misspelt key', { statusCode: 200, Body: '' }],
  ] as const) {
    it(`refuses ${what} as a malformed proxy result`, () => {
      assert.deepEqual(mapProxyResult(result, ids), { ok: false });
    });
  }
});
