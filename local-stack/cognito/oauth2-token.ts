/**
 * The client_credentials grant of Cognito's token endpoint (`POST /oauth2/token` on the pool's domain),
 * which cognito-local 5.3.0 lacks (it serves authorization_code and refresh_token only, and has no
 * resource servers): the one way to an access token carrying a resource server's custom scope, which a
 * method with `authorizationScopes` requires (docs/reference.md §14). As Cognito does it:
 * - the app client authenticates with HTTP Basic (`client_id:client_secret`); a client without a
 *   secret, or a wrong one, is `invalid_client`;
 * - the client must allow the `client_credentials` OAuth flow (`unauthorized_client` otherwise);
 * - `scope` (space-separated) names custom scopes `<resource server>/<scope>` of the pool's resource
 *   servers that the client is allowed (`AllowedOAuthScopes`); without it, every custom scope the client
 *   is allowed; any other is `invalid_scope`;
 * - the access token has `sub` and `client_id` (the client id), `token_use: "access"`, `scope`, and no
 *   `username` or `cognito:groups`: no user is involved. It is signed like every other token of the
 *   pool, with the emulator's key (emulator-key.ts), so the local authorizer verifies it as it would a
 *   sign-in's.
 * Answers are JSON `{access_token, expires_in, token_type: "Bearer"}`, errors `{"error": "..."}` with
 * status 400, as the token endpoint's documentation lists them (invalid_client included).
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { signRs256 } from '../../common/jwt.ts';
import { emulatorSigningKey } from './emulator-key.ts';

/** A resource server of a pool: its identifier and the names of its scopes. */
export interface ResourceServer {
  readonly identifier: string;
  readonly scopes: readonly string[];
}

/** The pools' resource servers (cognito-local keeps none): what the local stack seeds. */
export class ResourceServers {
  readonly #byPool = new Map<string, ResourceServer[]>();

  add(userPoolId: string, server: ResourceServer): void {
    const list = this.#byPool.get(userPoolId) ?? [];
    list.push(server);
    this.#byPool.set(userPoolId, list);
  }

  /** Every custom scope of the pool, as `<identifier>/<scope>`. */
  scopesOf(userPoolId: string): Set<string> {
    return new Set(
      (this.#byPool.get(userPoolId) ?? []).flatMap((server) =>
        server.scopes.map((scope) => `${server.identifier}/${scope}`),
      ),
    );
  }
}

/**
 * A custom scope of a resource server, `<identifier>/<scope>` (both non-empty; the identifier is
 * everything before the last `/`); an OIDC scope such as `email` is not.
 */
export function isResourceServerScope(scope: string): boolean {
  const at = scope.lastIndexOf('/');
  return at > 0 && at < scope.length - 1;
}

/**
 * The resource servers a list of custom scopes implies: `shop/items.read` is the scope `items.read` of
 * the resource server `shop` (the identifier is everything before the last `/`, as Cognito composes it).
 * A scope without `/` (an OIDC scope such as `email`) belongs to no resource server and is left out.
 */
export function resourceServersFor(scopes: readonly string[]): ResourceServer[] {
  const byIdentifier = new Map<string, Set<string>>();
  for (const scope of scopes) {
    if (!isResourceServerScope(scope)) continue;
    const at = scope.lastIndexOf('/');
    const identifier = scope.slice(0, at);
    const names = byIdentifier.get(identifier) ?? new Set<string>();
    names.add(scope.slice(at + 1));
    byIdentifier.set(identifier, names);
  }
  return [...byIdentifier].map(([identifier, names]) => ({ identifier, scopes: [...names] }));
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

const SECONDS: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

function refusal(status: number, error: string, description: string): TokenAnswer {
  return { status, body: { error, error_description: description } };
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (match === null) return undefined;
  const text = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

/** Signs a payload with the emulator's key, as every token of the local pool is signed. */
function signWithPoolKey(payload: Readonly<Record<string, unknown>>): string {
  const { kid, privateJwk } = emulatorSigningKey();
  return signRs256(
    { kid, alg: 'RS256' },
    { ...payload },
    createPrivateKey({ key: privateJwk, format: 'jwk' }),
  );
}

/**
 * Answers one client_credentials request (the emulator hands every other grant to cognito-local).
 * `form` is the decoded form body, `authorization` the request's Authorization header, `issuerDomain`
 * the emulator's base URL (the issuer is `<domain>/<pool id>`).
 */
export async function clientCredentialsToken(
  services: Pick<Services, 'cognito' | 'clock'>,
  ctx: Context,
  resourceServers: ResourceServers,
  issuerDomain: string,
  form: Readonly<Record<string, string>>,
  authorization: string | undefined,
): Promise<TokenAnswer> {
  const credentials = basicCredentials(authorization);
  if (credentials === undefined) {
    return refusal(
      400,
      'invalid_client',
      'authenticate the app client with HTTP Basic client_id:client_secret',
    );
  }
  const client = await services.cognito.getAppClient(ctx, credentials.id);
  if (client === null || client.ClientSecret === undefined || client.ClientSecret !== credentials.secret) {
    return refusal(400, 'invalid_client', 'unknown app client, or not its secret');
  }
  if (!(client.AllowedOAuthFlows ?? []).includes('client_credentials')) {
    return refusal(400, 'unauthorized_client', 'the app client does not allow the client_credentials flow');
  }
  const custom = resourceServers.scopesOf(client.UserPoolId);
  const allowed = (client.AllowedOAuthScopes ?? []).filter((scope) => custom.has(scope));
  const requested = (form.scope ?? '').split(' ').filter((scope) => scope !== '');
  const refused = requested.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) {
    return refusal(400, 'invalid_scope', `the app client is not allowed ${refused.join(' ')}`);
  }
  const scopes = requested.length > 0 ? requested : allowed;
  if (scopes.length === 0) {
    return refusal(400, 'invalid_scope', 'the app client is allowed no custom scope of a resource server');
  }
  const validity =
    (client.AccessTokenValidity ?? 1) * (SECONDS[client.TokenValidityUnits?.AccessToken ?? 'hours'] ?? 3600);
  const now = Math.floor(services.clock.get().getTime() / 1000);
  const token = signWithPoolKey({
    sub: client.ClientId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: now,
    iss: `${issuerDomain}/${client.UserPoolId}`,
    exp: now + validity,
    iat: now,
    version: 2,
    jti: randomUUID(),
    client_id: client.ClientId,
  });
  return { status: 200, body: { access_token: token, expires_in: validity, token_type: 'Bearer' } };
}
