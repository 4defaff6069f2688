/**
 * The environment a contract run hands to the collection: the token helper's (base URL, ID token, the
 * Cognito settings the sign-in needs) plus what the runner knows that the sandbox cannot find by itself.
 * One function for `npm run contract` and for the environment `npm run stack` writes for QA, so the two
 * hand over the same variables. Values the collection also has as defaults (collections/collection.ts,
 * COLLECTION_DEFAULTS) override them; tokens are typed `secret` so reporters and the app mask them.
 */

import type { PoolKeyTokens } from '../security/pool-key-tokens.ts';
import type { ClientCredentialsSettings } from '../token-helper/client-credentials.ts';
import type { PostmanEnvironment, PostmanVariable } from '../token-helper/index.ts';

export interface RunValues {
  /** The user's access token, for the access-token row and scoped methods. */
  readonly accessToken?: string;
  /** The pool's public JWKS, so the sandbox need not fetch it. */
  readonly poolJwks?: unknown;
  /** Tokens made with the pool's key (local only). */
  readonly poolKeyTokens?: PoolKeyTokens;
  /** The attacker's loopback server (local only): where the jku and x5u rows point. */
  readonly attacker?: { readonly jwksUrl: string; readonly certificateUrl: string };
  /** Comma-separated `METHOD /path` entries of methods that are public on purpose. */
  readonly allowUnprotected?: string;
  readonly maxResponseMs?: number;
  /** The local stack's run id (local only): the environment check compares it with the running stack's. */
  readonly stackRunId?: string;
  /**
   * "redacted" when every report this run writes passes through the redactor (contract-runner/redaction.ts),
   * which also removes tokens from URLs: only then does the collection send a token in a query string.
   */
  readonly queryTokens?: 'redacted';
  /**
   * A confidential app client's client_credentials grant (token-helper/client-credentials.ts): where the
   * collection gets an access token carrying the API's custom scopes, and the one the runner got.
   */
  readonly clientCredentials?: ClientCredentialsSettings & { readonly accessToken?: string };
}

function entries(values: RunValues): PostmanVariable[] {
  const list: PostmanVariable[] = [];
  const add = (key: string, value: string | undefined, type: PostmanVariable['type']) => {
    if (value !== undefined) list.push({ key, value, type, enabled: true });
  };
  add('access_token', values.accessToken, 'secret');
  const grant = values.clientCredentials;
  add('oauth_token_url', grant?.tokenUrl, 'default');
  add('oauth_client_id', grant?.clientId, 'default');
  add('oauth_client_secret', grant?.clientSecret, 'secret');
  add('oauth_scopes', grant?.scopes.join(' '), 'default');
  add('scoped_access_token', grant?.accessToken, 'secret');
  add('pool_jwks', values.poolJwks === undefined ? undefined : JSON.stringify(values.poolJwks), 'default');
  add(
    'pool_key_tokens',
    values.poolKeyTokens === undefined ? undefined : JSON.stringify(values.poolKeyTokens),
    'secret',
  );
  add('attacker_jwks_url', values.attacker?.jwksUrl, 'default');
  add('attacker_x5u_url', values.attacker?.certificateUrl, 'default');
  add('query_tokens', values.queryTokens, 'default');
  add('allow_unprotected', values.allowUnprotected, 'default');
  add(
    'max_response_ms',
    values.maxResponseMs === undefined ? undefined : String(values.maxResponseMs),
    'default',
  );
  add('stack_run_id', values.stackRunId, 'default');
  return list;
}

/** A new environment: `base` with the run's values set (replacing any of the same key). */
export function contractEnvironment(base: PostmanEnvironment, values: RunValues): PostmanEnvironment {
  const added = entries(values);
  const keys = new Set(added.map((entry) => entry.key));
  return { ...base, values: [...base.values.filter((entry) => !keys.has(entry.key)), ...added] };
}
