/**
 * The proxy event computes the string form of a claims object once and reuses it for later requests
 * with the same (cached, verified) token. Reuse must be invisible: the same strings as computing them
 * afresh, and an event of its own for every request, so a Lambda that edits its event cannot leak into
 * the next one.
 */
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { buildProxyEvent, stringifyClaims } from '../../../local-stack/gateway/proxy-event.ts';

function request(): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.method = 'GET';
  message.httpVersion = '1.1';
  message.rawHeaders = ['Host', '127.0.0.1:3000'];
  message.headers = { host: '127.0.0.1:3000' };
  return message;
}

function eventClaims(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const event = buildProxyEvent({
    request: request(),
    query: undefined,
    stage: 'dev',
    path: '/hello',
    resource: '/hello',
    body: Buffer.alloc(0),
    ids: { requestId: '00000000-0000-4000-8000-000000000000', apigwId: 'AAAAAAAAAAAAAAA=' },
    claims,
    apiId: 'local0api0',
    now: 0,
  });
  const authorizer = event.requestContext.authorizer as { claims: Record<string, string> };
  return authorizer.claims;
}

describe('claims in the proxy event, for a claims object seen before', () => {
  const claims = { sub: 'u1', exp: 1_700_000_000, email_verified: true, 'cognito:groups': ['admins'] };

  it('are the same strings as stringifyClaims gives, on the first request and on later ones', () => {
    const expected = stringifyClaims(claims);
    assert.deepEqual(eventClaims(claims), expected);
    assert.deepEqual(eventClaims(claims), expected);
  });

  it("are a fresh object for every request: a Lambda editing one event does not change the next one's", () => {
    const first = eventClaims(claims);
    first.sub = 'edited by a Lambda';
    delete first.exp;
    assert.deepEqual(eventClaims(claims), stringifyClaims(claims));
  });
});
