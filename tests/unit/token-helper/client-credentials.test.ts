/**
 * The client_credentials settings of `npm run contract` (CONTRACT_OAUTH_*): all empty is no grant, a
 * partial or wrong one is refused with one sentence naming the keys and never the secret.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../common/cli-error.ts';
import { clientCredentialsFromEnv } from '../../../token-helper/client-credentials.ts';

const GOOD = {
  CONTRACT_OAUTH_TOKEN_URL: 'https://shop.auth.eu-west-1.amazoncognito.com/oauth2/token',
  CONTRACT_OAUTH_CLIENT_ID: 'client-id',
  CONTRACT_OAUTH_CLIENT_SECRET: 'secret-never-shown-9Z',
  CONTRACT_OAUTH_SCOPES: ' shop-api/reports.read  shop-api/items.write ',
};

function refusal(env: Record<string, string>): string {
  try {
    clientCredentialsFromEnv(env);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.exitCode, EXIT_USAGE);
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(!error.message.includes(GOOD.CONTRACT_OAUTH_CLIENT_SECRET));
    return error.message;
  }
  assert.fail('accepted');
}

describe('CONTRACT_OAUTH_* settings', () => {
  it('are no grant when all are empty, as copied from .env.example', () => {
    assert.equal(clientCredentialsFromEnv({}), undefined);
    assert.equal(
      clientCredentialsFromEnv({ CONTRACT_OAUTH_TOKEN_URL: '', CONTRACT_OAUTH_CLIENT_SECRET: ' ' }),
      undefined,
    );
  });

  it('read the grant, scopes split on spaces', () => {
    assert.deepEqual(clientCredentialsFromEnv(GOOD), {
      tokenUrl: GOOD.CONTRACT_OAUTH_TOKEN_URL,
      clientId: 'client-id',
      clientSecret: GOOD.CONTRACT_OAUTH_CLIENT_SECRET,
      scopes: ['shop-api/reports.read', 'shop-api/items.write'],
    });
  });

  it('refuse a partial grant, naming what is empty', () => {
    assert.match(
      refusal({ ...GOOD, CONTRACT_OAUTH_CLIENT_ID: '', CONTRACT_OAUTH_CLIENT_SECRET: '' }),
      /^CONTRACT_OAUTH_CLIENT_ID, CONTRACT_OAUTH_CLIENT_SECRET are empty: a client_credentials grant needs/,
    );
  });

  it('refuse a token URL that is not a domain /oauth2/token', () => {
    assert.match(
      refusal({ ...GOOD, CONTRACT_OAUTH_TOKEN_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/' }),
      /give the token endpoint of the pool's domain, https:\/\/<domain>\/oauth2\/token\.$/,
    );
  });
});
