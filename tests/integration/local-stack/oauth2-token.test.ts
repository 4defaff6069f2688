/**
 * The local Cognito's token endpoint for the client_credentials grant (local-stack/cognito/oauth2-token.ts,
 * docs/reference.md §14), through real HTTP and the token helper's own client: the stack's confidential
 * app client gets an access token carrying the description's custom scope, with `client_id`, `scope`,
 * `token_use: "access"` and no `username` or `cognito:groups`, signed with the pool key; the local
 * gateway accepts it on the scoped method and refuses it where an ID token is wanted. Every way to get
 * it wrong is refused with Cognito's error code, and cognito-local's own grants still reach it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readApiDescription } from '../../../api/read-description.ts';
import {
  ClientCredentialsError,
  obtainClientCredentialsToken,
} from '../../../token-helper/client-credentials.ts';
import { getWithAuthorization } from '../../support/http.ts';
import { decodeJwt } from '../../support/jwt.ts';
import { useStack } from '../../support/stack.ts';
import { runTokenCli } from '../../support/token-cli.ts';

const FIXTURE = 'tests/fixtures/api/shape-mixed.oas30.json';
const api = await readApiDescription(new URL(`../../../${FIXTURE}`, import.meta.url).pathname, FIXTURE);
const SCOPE = 'shape-api/reports.read';
const repoRoot = new URL('../../../', import.meta.url).pathname;

async function post(url: string, form: Record<string, string>, authorization?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('the local Cognito token endpoint, client_credentials grant', () => {
  const stack = useStack({ api });
  const grant = () => {
    const settings = stack.get().cognito.clientCredentials;
    assert.ok(settings, 'the stack made no confidential app client for a description with scopes');
    return settings;
  };

  it('issues an access token with the scope, the client id and no user, signed by the pool', async () => {
    const token = await obtainClientCredentialsToken({ ...grant(), scopes: [SCOPE] });
    assert.deepEqual(token.scopes, [SCOPE]);
    const { header, payload } = decodeJwt(token.accessToken);
    assert.equal(header.alg, 'RS256');
    assert.deepEqual(
      stack.get().jwks.keys.map((key) => key.kid),
      [header.kid],
    );
    assert.equal(payload.token_use, 'access');
    assert.equal(payload.client_id, grant().clientId);
    assert.equal(payload.sub, grant().clientId);
    assert.equal(payload.scope, SCOPE);
    assert.equal(payload.iss, stack.get().cognito.issuer);
    assert.equal(payload.username, undefined);
    assert.equal(payload['cognito:groups'], undefined);
    assert.equal(payload.aud, undefined);
    assert.ok(typeof payload.exp === 'number' && payload.exp > Date.now() / 1000);
  });

  it('gives every allowed scope when none is asked for', async () => {
    const token = await obtainClientCredentialsToken({ ...grant(), scopes: [] });
    assert.deepEqual(token.scopes, [SCOPE]);
  });

  it('is accepted by the local gateway on the scoped method, and refused where an ID token is wanted', async () => {
    const { accessToken } = await obtainClientCredentialsToken(grant());
    const reports = await getWithAuthorization(`${stack.get().apiUrl}/reports`, accessToken);
    assert.equal(reports.status, 200);
    assert.equal(reports.text, '{"standIn":true,"route":"GET /reports"}');
    const head = await fetch(`${stack.get().apiUrl}/reports`, {
      method: 'HEAD',
      headers: { Authorization: accessToken },
    });
    assert.equal(head.status, 401);
  });

  it('refuses a wrong secret, a client without one, and a client not allowed the grant: invalid_client / unauthorized_client', async () => {
    const { tokenUrl, clientId } = grant();
    const wrong = await post(
      tokenUrl,
      { grant_type: 'client_credentials' },
      basic(clientId, 'not-the-secret'),
    );
    assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_client']);
    const none = await post(tokenUrl, { grant_type: 'client_credentials' });
    assert.deepEqual([none.status, none.body.error], [400, 'invalid_client']);
    const publicClient = await post(
      tokenUrl,
      { grant_type: 'client_credentials' },
      basic(stack.get().cognito.clientId, 'anything'),
    );
    assert.deepEqual([publicClient.status, publicClient.body.error], [400, 'invalid_client']);
  });

  it('refuses a scope the client is not allowed: invalid_scope, through the token helper with a hint and no secret', async () => {
    const settings = grant();
    await assert.rejects(
      obtainClientCredentialsToken({ ...settings, scopes: ['shape-api/admin'] }),
      (error) => {
        assert.ok(error instanceof ClientCredentialsError);
        assert.match(error.message, /invalid_scope\. Allow the app client the scopes/);
        assert.ok(!error.message.includes(settings.clientSecret));
        return true;
      },
    );
  });

  it("still hands other grants to cognito-local's own endpoint", async () => {
    const answer = await post(grant().tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: 'not-a-refresh-token',
      client_id: stack.get().cognito.clientId,
    });
    assert.deepEqual([answer.status, answer.body.error], [400, 'invalid_grant']);
  });

  it('npm run token writes it as scoped_access_token when CONTRACT_OAUTH_* are set, printing neither it nor the secret', async () => {
    const { apiUrl, cognito } = stack.get();
    const settings = grant();
    const dir = await mkdtemp(join(tmpdir(), 'token-scoped-'));
    try {
      const env = {
        CONTRACT_TARGET: 'aws',
        API_URL: apiUrl,
        AWS_REGION: cognito.region,
        COGNITO_USER_POOL_ID: cognito.userPoolId,
        COGNITO_CLIENT_ID: cognito.clientId,
        COGNITO_ENDPOINT: cognito.endpoint,
        CONTRACT_USERNAME: cognito.username,
        CONTRACT_PASSWORD: cognito.password,
        CONTRACT_OAUTH_TOKEN_URL: settings.tokenUrl,
        CONTRACT_OAUTH_CLIENT_ID: settings.clientId,
        CONTRACT_OAUTH_CLIENT_SECRET: settings.clientSecret,
        CONTRACT_OAUTH_SCOPES: SCOPE,
      };
      const out = join(dir, 'aws.postman_environment.json');
      const run = await runTokenCli(['--out', out], { cwd: repoRoot, env });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /scoped token {5}shape-api\/reports\.read \(client_credentials\), /);
      const saved = JSON.parse(await readFile(out, 'utf8')) as {
        values: { key: string; value: string; type: string }[];
      };
      const value = (key: string) => saved.values.find((variable) => variable.key === key);
      const token = value('scoped_access_token');
      assert.equal(token?.type, 'secret');
      assert.equal(value('oauth_client_secret')?.type, 'secret');
      assert.equal(decodeJwt(token?.value ?? '').payload.scope, SCOPE);
      for (const secret of [settings.clientSecret, token?.value ?? '']) {
        assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
      }
      const reports = await getWithAuthorization(`${apiUrl}/reports`, token?.value ?? '');
      assert.equal(reports.status, 200);

      const refused = await runTokenCli(['--out', join(dir, 'other.json')], {
        cwd: repoRoot,
        env: { ...env, CONTRACT_OAUTH_CLIENT_SECRET: 'wrong-secret-not-printed' },
      });
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /refused the client_credentials grant of app client \S+: invalid_client\./,
      );
      assert.ok(!refused.stderr.includes('wrong-secret-not-printed'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
