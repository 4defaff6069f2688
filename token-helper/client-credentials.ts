/**
 * An access token that carries a resource server's custom scopes: the `client_credentials` grant of a
 * confidential app client (one with a secret, allowed that OAuth flow and the scopes), posted to the
 * token endpoint of the pool's domain (`https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`,
 * or the local Cognito's `/oauth2/token`) with HTTP Basic client authentication and `scope=`. No user
 * signs in: the token has `client_id`, `scope` and `token_use: "access"`, no `username` and no
 * `cognito:groups` (docs/reference.md §14). It is what a method with `authorizationScopes` accepts; no
 * user sign-in through the public API yields a custom scope.
 *
 * The answer is untrusted JSON: checked here, and the secret and the token never appear in an error.
 */

import { UsageError } from '../common/cli-error.ts';
import { type ConfigName, configValue, type Env } from '../common/config-table.ts';
import { decodeJwt } from '../common/jwt.ts';
import { isRecord } from '../common/records.ts';
import { SignInError } from './diagnosis.ts';

export interface ClientCredentialsSettings {
  /** The token endpoint, e.g. https://my-domain.auth.eu-west-1.amazoncognito.com/oauth2/token. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The custom scopes to ask for; empty: every scope the app client is allowed. */
  readonly scopes: readonly string[];
}

export interface ClientCredentialsToken {
  readonly accessToken: string;
  /** The token's `exp`, seconds since the epoch. */
  readonly expiresAt: number;
  /** The scopes the token carries (its `scope` claim). */
  readonly scopes: readonly string[];
}

/** The settings that name a client_credentials grant (`.env` or the shell), for `npm run contract`. */
const CLIENT_CREDENTIALS_KEYS = {
  tokenUrl: 'CONTRACT_OAUTH_TOKEN_URL',
  clientId: 'CONTRACT_OAUTH_CLIENT_ID',
  clientSecret: 'CONTRACT_OAUTH_CLIENT_SECRET',
  scopes: 'CONTRACT_OAUTH_SCOPES',
} as const satisfies Record<string, ConfigName>;

/**
 * The grant named by the environment, undefined when none of its keys is set; a partial or malformed
 * one is refused with one sentence naming what is missing (exit code 2).
 */
export function clientCredentialsFromEnv(env: Env): ClientCredentialsSettings | undefined {
  const value = (key: ConfigName) => (configValue(env, key) ?? '').trim();
  const { tokenUrl, clientId, clientSecret, scopes } = CLIENT_CREDENTIALS_KEYS;
  const required = [tokenUrl, clientId, clientSecret];
  if (required.every((key) => value(key) === '') && value(scopes) === '') return undefined;
  const missing = required.filter((key) => value(key) === '');
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} empty: a client_credentials grant needs ${required.join(', ')} (see .env.example), or leave all of them empty.`,
    );
  }
  if (!/^https?:\/\/[^/]+\/.*oauth2\/token$/.test(value(tokenUrl))) {
    throw new UsageError(
      `${tokenUrl} is "${value(tokenUrl)}": give the token endpoint of the pool's domain, https://<domain>/oauth2/token.`,
    );
  }
  return {
    tokenUrl: value(tokenUrl),
    clientId: value(clientId),
    clientSecret: value(clientSecret),
    scopes: value(scopes)
      .split(/\s+/)
      .filter((scope) => scope !== ''),
  };
}

/**
 * The token endpoint refused, or answered something else than a token: a sign-in failure (exit code 1)
 * with its diagnosis code; the message holds no secret and no token.
 */
export class ClientCredentialsError extends SignInError {
  override readonly name = 'ClientCredentialsError';
}

export async function obtainClientCredentialsToken(
  settings: ClientCredentialsSettings,
  timeoutMs = 10_000,
): Promise<ClientCredentialsToken> {
  const basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: settings.clientId });
  if (settings.scopes.length > 0) form.set('scope', settings.scopes.join(' '));
  let response: Response;
  try {
    response = await fetch(settings.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ClientCredentialsError(
      'unreachable',
      `Could not reach the token endpoint ${settings.tokenUrl} (${(error as Error).message}): check the Cognito domain.`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = isRecord(body) && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new ClientCredentialsError(
      'configuration-invalid',
      `The token endpoint ${settings.tokenUrl} refused the client_credentials grant of app client ${settings.clientId}: ${error}. ${HINTS[error] ?? ''}`.trim(),
    );
  }
  const token = isRecord(body) ? body.access_token : undefined;
  const claims = typeof token === 'string' ? safeClaims(token) : undefined;
  if (typeof token !== 'string' || claims === undefined || typeof claims.exp !== 'number') {
    throw new ClientCredentialsError(
      'unexpected-answer',
      `The token endpoint ${settings.tokenUrl} answered HTTP ${response.status} without a readable access_token.`,
    );
  }
  return {
    accessToken: token,
    expiresAt: claims.exp,
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [],
  };
}

function safeClaims(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token).payload;
  } catch {
    return undefined;
  }
}

const HINTS: Readonly<Record<string, string>> = {
  invalid_client:
    'Check the app client id and secret (console: App clients, the client, Client secret); the client must have a secret.',
  unauthorized_client:
    'Allow the client_credentials grant on the app client (Hosted UI / OAuth 2.0 grant types).',
  invalid_scope:
    "Allow the app client the scopes (custom scopes of the pool's resource servers), or ask only for those it has.",
  unsupported_grant_type: 'The endpoint is not a Cognito token endpoint: use https://<domain>/oauth2/token.',
};
