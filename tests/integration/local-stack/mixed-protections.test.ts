/**
 * The local stack serving the mixed fixture (tests/fixtures/api/mixed.oas30.json) answers each
 * protection as docs/reference.md §15 records: an IAM method unsigned 403 Missing Authentication Token
 * and with any Authorization header the SigV4 complaint; an API-key method 403 Forbidden without the
 * stack's key and its integration with it; a Lambda-authorizer method 401 whatever is sent (the local
 * stack cannot run it); a Cognito method with the genuine ID token its integration. Real HTTP.
 */
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readApiDescription } from '../../../api/read-description.ts';
import { adminSignIn } from '../../support/cognito.ts';
import { assertGatewayError, assertProxySuccess, BODIES } from '../../support/gateway.ts';
import { type RawRequest, send } from '../../support/http.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const FIXTURE = 'tests/fixtures/api/mixed.oas30.json';
const api = await readApiDescription(join(repoRoot, FIXTURE), FIXTURE);

describe('the local stack serving a mixed API', () => {
  const stack = useStack({ api });
  let idToken: string;
  before(async () => {
    const { cognito } = stack.get();
    ({ idToken } = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password));
  });
  const at = (path: string, options: RawRequest = {}) => send(`${stack.get().apiUrl}${path}`, options);

  it('answers an unsigned call to an IAM method 403 Missing Authentication Token, a signed-looking one the SigV4 complaint', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      assertGatewayError(await at('/ledger/2026/12', { method }), {
        status: 403,
        body: BODIES.missingAuthenticationToken,
        errorType: 'MissingAuthenticationTokenException',
      });
    }
    assertGatewayError(await at('/ledger/x', { headers: [['Authorization', idToken]] }), {
      status: 403,
      errorType: 'IncompleteSignatureException',
    });
  });

  it('answers an API-key method 403 Forbidden without the key or with another, and runs it with the key', async () => {
    const forbidden = { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException' };
    assertGatewayError(await at('/rates'), forbidden);
    assertGatewayError(await at('/rates', { headers: [['x-api-key', 'not-the-key']] }), forbidden);
    assertProxySuccess(await at('/rates', { headers: [['x-api-key', stack.get().apiKey]] }));
  });

  it('refuses every call to a Lambda-authorizer method with 401, token or not', async () => {
    for (const headers of [[], [['Authorization', idToken]]] as [string, string][][]) {
      assertGatewayError(await at('/partners', { headers }), {
        status: 401,
        body: BODIES.unauthorized,
        errorType: 'UnauthorizedException',
      });
    }
    assertGatewayError(await at('/webhooks', { method: 'POST', headers: [['X-Signature', 'sig']] }), {
      status: 401,
      body: BODIES.unauthorized,
      errorType: 'UnauthorizedException',
    });
  });

  it('lets the genuine ID token through to a Cognito method and its stand-in', async () => {
    assertProxySuccess(await at('/payments', { headers: [['Authorization', idToken]] }));
    assertGatewayError(await at('/payments'), {
      status: 401,
      body: BODIES.unauthorized,
      errorType: 'UnauthorizedException',
    });
  });
});
