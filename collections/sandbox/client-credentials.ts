/**
 * The collection's way to an access token carrying the API's custom scopes, which a method with
 * `authorizationScopes` requires and no user sign-in through the public API yields: the
 * `client_credentials` grant of a confidential app client (token-helper/client-credentials.ts does the
 * same for `npm run token` and the runner). When `oauth_token_url`, `oauth_client_id` and
 * `oauth_client_secret` are set, ensureScopedToken(pm, done) keeps `scoped_access_token` fresh
 * (common/token-freshness.ts: more than five minutes left): it posts `grant_type=client_credentials` and `scope=<oauth_scopes>` with HTTP
 * Basic client authentication to the token endpoint, once per expiry. Without those settings it does
 * nothing, and the clauses that need such a token are skipped with the reason (contract-lib.ts).
 * A refusal is asked for once per run and remembered: each request that needs the token then fails one
 * test named for it (tests/integration/collection-client-credentials.test.ts counts both). It never
 * logs the secret or the token.
 */
import { isRecord } from '../../common/records.ts';
import { isFresh } from '../../common/token-freshness.ts';
import { readJwt } from './jwt.ts';
import type { Pm } from './postman.ts';
import { base64, utf8 } from './sandbox-crypto.ts';
import { signInSecret, signInSetting } from './sign-in.ts';

/** The variable holding the token, which contract-lib.ts sends where a method needs the API's scopes. */
export const SCOPED_ACCESS_TOKEN = 'scoped_access_token';
// Run-local memory of a refusal (pm.variables lasts one run): one token-endpoint call per run, not per request.
const FAILURE = 'scoped_token_failure';

function report(pm: Pm, message: string): void {
  pm.test('An access token with the API scopes came from the token endpoint (client_credentials)', () => {
    throw new Error(message);
  });
}

// Its return type is left to inference: biome refuses `return done()` in a function declared `: void`.
export function ensureScopedToken(pm: Pm, done: () => void) {
  const url = signInSetting(pm, 'oauth_token_url');
  const clientId = signInSetting(pm, 'oauth_client_id');
  const secret = signInSecret(pm, 'oauth_client_secret');
  if (!url || !clientId || !secret) return done();
  const current = readJwt(pm.variables.get(SCOPED_ACCESS_TOKEN))?.payload;
  const now = Math.floor(Date.now() / 1000);
  if (
    current !== undefined &&
    current.client_id === clientId &&
    typeof current.exp === 'number' &&
    isFresh(current.exp, now)
  ) {
    return done();
  }
  const memo = signInSetting(pm, FAILURE);
  if (memo) {
    report(pm, memo);
    return done();
  }
  const fail = (message: string): void => {
    pm.variables.set(FAILURE, message);
    report(pm, message);
    done();
  };
  const scopes = signInSetting(pm, 'oauth_scopes');
  const form = [
    'grant_type=client_credentials',
    `client_id=${encodeURIComponent(clientId)}`,
    ...(scopes ? [`scope=${encodeURIComponent(scopes)}`] : []),
  ].join('&');
  pm.sendRequest(
    {
      url,
      method: 'POST',
      header: [
        { key: 'Authorization', value: `Basic ${base64(utf8(`${clientId}:${secret}`))}` },
        { key: 'Content-Type', value: 'application/x-www-form-urlencoded' },
      ],
      body: { mode: 'raw', raw: form },
    },
    (error, response) => {
      if (error || !response) {
        return fail(
          `Could not reach the token endpoint ${url}: check oauth_token_url (the Cognito domain's /oauth2/token).`,
        );
      }
      let answer: unknown;
      try {
        answer = response.json();
      } catch {
        answer = undefined;
      }
      if (response.code !== 200) {
        const code =
          isRecord(answer) && typeof answer.error === 'string' ? answer.error : `HTTP ${response.code}`;
        return fail(
          `The token endpoint ${url} refused the client_credentials grant of app client ${clientId}: ${code}. Check oauth_client_id, oauth_client_secret, that the app client allows client_credentials, and that it is allowed oauth_scopes (${scopes || 'all its scopes'}).`,
        );
      }
      const token = isRecord(answer) ? answer.access_token : undefined;
      if (typeof token !== 'string' || readJwt(token) === undefined) {
        return fail(`The token endpoint ${url} answered 200 without a readable access_token.`);
      }
      pm.environment.set(SCOPED_ACCESS_TOKEN, token);
      done();
    },
  );
}
