/**
 * Gateways wrong about the request rather than the token, one per weakness the request catalogue names
 * (security/request-catalogue.ts REQUEST_WEAKNESSES): a front door that reads the token from elsewhere,
 * normalises a path after the access decision, honours a routing header, trusts a cookie or a cache it
 * filled itself, says why it refused, finds keys through the token, or stalls. Each is a local gateway
 * variant (LocalStack.startGatewayVariant) in front of the same Cognito and Lambda; the mutation proof
 * demands that exactly the clauses meant to catch it fail (variants.ts derives which).
 *
 * The front doors rewrite the incoming request in place (method, URL, headers) before the gateway routes
 * it: the gateway's own code then runs as it always does. Key fetches reach loopback addresses only.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, randomUUID, verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DecodedJwt, decodeJwt, JwtShapeError } from '../../../common/jwt.ts';
import { isRecord } from '../../../common/records.ts';
import { type Authorizer, tokenFromHeader } from '../../../local-stack/gateway/authorizer.ts';
import { type GatewayResponse, gatewayError, newRequestIds } from '../../../local-stack/gateway/responses.ts';
import type { FrontDoorDecision, GatewayServerParts } from '../../../local-stack/gateway/server.ts';
import type { GatewayParts, LocalCognitoSettings } from '../../../local-stack/stack.ts';
import type { RequestWeaknessId } from '../../../security/request-catalogue.ts';

const SKIP: FrontDoorDecision = { skipAuthorizer: true };

/** The first value of a request header. */
function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hasToken(request: IncomingMessage): boolean {
  return request.headers.authorization !== undefined;
}

/** A token found elsewhere becomes the identity header: the gateway's own authorizer then judges it. */
function adopt(request: IncomingMessage, token: string | undefined): undefined {
  if (token && !hasToken(request)) request.headers.authorization = token;
  return undefined;
}

function splitUrl(request: IncomingMessage): { path: string; query: string } {
  const url = request.url ?? '/';
  const at = url.indexOf('?');
  return at === -1 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at) };
}

/** Rewrites the path and waives the authorizer: the access decision was made on the other spelling. */
function rerouted(request: IncomingMessage, path: string): FrontDoorDecision {
  request.url = `${path}${splitUrl(request).query}`;
  return SKIP;
}

const PRIVATE_ADDRESS = /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;

/** The token in an identity header, decoded by the project's JWT module; undefined when it is not one. */
function jwtOf(header: string | undefined): DecodedJwt | undefined {
  if (header === undefined) return undefined;
  try {
    return decodeJwt(tokenFromHeader(header));
  } catch (error) {
    if (error instanceof JwtShapeError) return undefined;
    throw error;
  }
}

/** The keys of `${issuer}/.well-known/jwks.json`, by kid; loopback issuers only (the attacker server). */
async function discoverKeys(issuer: string): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  // Loopback only: the proof never fetches from anywhere else (the attacker server, cognito-local).
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(issuer)) return keys;
  const response = await fetch(`${issuer}/.well-known/jwks.json`, { signal: AbortSignal.timeout(2_000) });
  const body: unknown = await response.json();
  const list = isRecord(body) && Array.isArray(body.keys) ? (body.keys as unknown[]) : [];
  for (const jwk of list) {
    if (isRecord(jwk) && typeof jwk.kid === 'string')
      keys.set(jwk.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
  }
  return keys;
}

function rs256(jwt: DecodedJwt, key: KeyObject): boolean {
  return jwt.header.alg === 'RS256' && verify('sha256', Buffer.from(jwt.signingInput), key, jwt.signature);
}

/** The claims an ID-token method takes, checked as the reference verifier does (iss, token_use, exp). */
function idClaimsValid(jwt: DecodedJwt, settings: LocalCognitoSettings, issuer = settings.issuer): boolean {
  const exp = jwt.payload.exp;
  return (
    jwt.payload.iss === issuer &&
    jwt.payload.token_use === 'id' &&
    typeof exp === 'number' &&
    exp * 1000 > Date.now()
  );
}

function withHeader(answer: GatewayResponse, name: string, value: string): GatewayResponse {
  return { ...answer, headers: { ...answer.headers, [name]: value } };
}

/** A request weakness's gateway: the front door and last word it replaces, or its authorizer. */
interface RequestGateway {
  readonly frontDoor?: GatewayServerParts['frontDoor'];
  readonly finish?: GatewayServerParts['finish'];
  readonly authorizer?: GatewayParts['authorizer'];
}

/** The parts the composition root takes for a request gateway (the HTTP shell's parts replaced). */
function asParts({ frontDoor, finish, authorizer }: RequestGateway): GatewayParts {
  return {
    ...(authorizer ? { authorizer } : {}),
    server: { ...(frontDoor ? { frontDoor } : {}), ...(finish ? { finish } : {}) },
  };
}

const REQUEST_GATEWAYS: Readonly<Record<RequestWeaknessId, () => RequestGateway>> = {
  'token-from-query': () => ({
    frontDoor: (request) => {
      const query = new URLSearchParams(splitUrl(request).query);
      return adopt(request, query.get('id_token') ?? query.get('access_token') ?? undefined);
    },
  }),
  'token-from-cookie': () => ({
    frontDoor: (request) => {
      const cookie = headerOf(request, 'cookie') ?? '';
      const found = /CognitoIdentityServiceProvider\.[^.=]+\.[^=]+\.idToken=([^;]+)/.exec(cookie);
      return adopt(request, found?.[1]);
    },
  }),
  'token-from-x-access-token': () => ({
    frontDoor: (request) => adopt(request, headerOf(request, 'x-access-token')),
  }),
  'identity-header-case-sensitive': () => ({
    frontDoor: (request) => {
      const names = request.rawHeaders.filter((_, at) => at % 2 === 0);
      if (!names.includes('Authorization')) delete request.headers.authorization;
      return undefined;
    },
  }),
  'session-cookie': () => {
    const sessions = new Set<string>();
    return {
      finish: (answer, request) => {
        if (answer.status !== 200 || !hasToken(request)) return answer;
        const session = randomUUID();
        sessions.add(session);
        return withHeader(answer, 'Set-Cookie', `apigw-session=${session}; Path=/; HttpOnly`);
      },
      frontDoor: (request) => {
        const session = /(?:^|;\s*)apigw-session=([^;]+)/.exec(headerOf(request, 'cookie') ?? '')?.[1];
        return !hasToken(request) && session !== undefined && sessions.has(session) ? SKIP : undefined;
      },
    };
  },
  'response-cache': () => {
    const cache = new Map<string, GatewayResponse>();
    return {
      finish: (answer, request) => {
        if (request.method === 'GET' && answer.status === 200 && hasToken(request))
          cache.set(request.url ?? '', answer);
        return answer;
      },
      frontDoor: (request) => {
        const cached =
          request.method === 'GET' && !hasToken(request) ? cache.get(request.url ?? '') : undefined;
        return cached === undefined ? undefined : { answer: cached };
      },
    };
  },
  'dot-segments-unprotected': () => ({
    frontDoor: (request) => {
      const { path } = splitUrl(request);
      const decoded = path.replace(/%2e/gi, '.');
      return /\/\.\.?(\/|$)/.test(decoded) ? rerouted(request, posix.normalize(decoded)) : undefined;
    },
  }),
  'path-parameters-unprotected': () => ({
    frontDoor: (request) => {
      const { path } = splitUrl(request);
      return path.includes(';') ? rerouted(request, path.replace(/;[^/]*/g, '')) : undefined;
    },
  }),
  'extension-unprotected': () => ({
    frontDoor: (request) => {
      const { path } = splitUrl(request);
      return /\.[a-z]+$/i.test(path) ? rerouted(request, path.replace(/\.[a-z]+$/i, '')) : undefined;
    },
  }),
  'method-override-honoured': () => ({
    frontDoor: (request) => {
      const override = headerOf(request, 'x-http-method-override');
      if (override === undefined) return undefined;
      request.method = override.toUpperCase();
      return SKIP;
    },
  }),
  'rewrite-url-honoured': () => ({
    frontDoor: (request) => {
      const target = headerOf(request, 'x-original-url') ?? headerOf(request, 'x-rewrite-url');
      return target === undefined ? undefined : rerouted(request, target);
    },
  }),
  'forwarded-for-trusted': () => ({
    frontDoor: (request) => {
      const first = (headerOf(request, 'x-forwarded-for') ?? '').split(',')[0]?.trim() ?? '';
      return PRIVATE_ADDRESS.test(first) ? SKIP : undefined;
    },
  }),
  'host-localhost-trusted': () => ({
    frontDoor: (request) =>
      (headerOf(request, 'host') ?? '').split(':')[0] === 'localhost' ? SKIP : undefined,
  }),
  'refusal-oracle': () => ({
    finish: (answer) =>
      answer.status === 401 ? withHeader(answer, 'X-Auth-Error', 'signature invalid') : answer,
  }),
  'issuer-discovery': () => ({
    authorizer:
      (real: Authorizer, settings: LocalCognitoSettings): Authorizer =>
      async (header, scopes) => {
        const jwt = jwtOf(header);
        const iss = jwt?.payload.iss;
        if (jwt === undefined || typeof iss !== 'string' || iss === settings.issuer)
          return real(header, scopes);
        // Only a suffix check on the pool id, then keys from wherever the token says it was issued.
        if (!iss.endsWith(`/${settings.userPoolId}`)) return real(header, scopes);
        const key = (await discoverKeys(iss).catch(() => new Map<string, KeyObject>())).get(
          String(jwt.header.kid),
        );
        return key !== undefined && rs256(jwt, key) && idClaimsValid(jwt, settings, iss)
          ? { effect: 'allow', claims: jwt.payload }
          : { effect: 'deny', reason: 'unauthorized' };
      },
  }),
  'jwks-cache-key-collision': () => {
    // get-jwks 11.0.1's cache: keys fetched from the token's own issuer, stored under
    // `${alg}:${kid}:${domain}/` joined without encoding; the issuer is checked after the key is found.
    const cache = new Map<string, KeyObject>();
    return {
      authorizer:
        (real: Authorizer, settings: LocalCognitoSettings): Authorizer =>
        async (header, scopes) => {
          const jwt = jwtOf(header);
          const iss = jwt?.payload.iss;
          if (jwt === undefined || typeof iss !== 'string') return real(header, scopes);
          const entry = `${String(jwt.header.alg)}:${String(jwt.header.kid)}:${iss.endsWith('/') ? iss : `${iss}/`}`;
          let key = cache.get(entry);
          if (key === undefined && iss !== settings.issuer) {
            const keys = await discoverKeys(iss).catch(() => new Map<string, KeyObject>());
            key = keys.get(String(jwt.header.kid));
            if (key !== undefined) cache.set(entry, key);
          }
          // The pool's own tokens go the product's way; only a cached foreign key changes anything.
          if (key === undefined) return real(header, scopes);
          if (!rs256(jwt, key) || iss !== settings.issuer) return { effect: 'deny', reason: 'unauthorized' };
          const exp = jwt.payload.exp;
          if (typeof exp === 'number' && exp * 1000 <= Date.now())
            return { effect: 'deny', reason: 'expired' };
          return idClaimsValid(jwt, settings)
            ? { effect: 'allow', claims: jwt.payload }
            : { effect: 'deny', reason: 'unauthorized' };
        },
    };
  },
  'slow-refusal': () => ({
    authorizer:
      (real: Authorizer): Authorizer =>
      async (header, scopes) => {
        const kid = jwtOf(header)?.header.kid;
        // A kid handed to a shell: the catalogue's "|sleep 10" really sleeps, for 6 s here (under the
        // 10 s max_response_ms, over the slowdown bound).
        if (typeof kid === 'string' && kid.includes('|')) await sleep(6_000);
        return real(header, scopes);
      },
  }),
};

/**
 * Correct gateways that answer the open points the other way (docs/reference.md §13.5, §13.6): the
 * contract must pass them whole, nothing skipped, or it asserts more than is known.
 */
const CONTROL_GATEWAYS: readonly {
  readonly id: string;
  readonly description: string;
  readonly options: () => RequestGateway;
}[] = [
  {
    id: 'control:host-forbidden',
    description:
      'answers a Host other than its own 403 {"message":"Forbidden"}, as execute-api is reported to',
    options: () => ({
      frontDoor: (request) => {
        if (/^127\.0\.0\.1(:\d+)?$/.test(headerOf(request, 'host') ?? '')) return undefined;
        const body = Buffer.from('{"message":"Forbidden"}');
        return {
          answer: {
            status: 403,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': String(body.length),
              'x-amzn-ErrorType': 'ForbiddenException',
            },
            body,
          },
        };
      },
    }),
  },
  {
    id: 'control:dot-segments-unresolved',
    description:
      'leaves dot segments unresolved, so /x/../hello matches no resource (403 Missing Authentication Token)',
    options: () => ({
      frontDoor: (request) =>
        /\/\.\.?(\/|$)|%2e/i.test(splitUrl(request).path)
          ? { answer: gatewayError('missingAuthenticationToken', newRequestIds()) }
          : undefined,
    }),
  },
];

/** Builds each weakness's gateway afresh: state (a cookie, a cache) never carries from one run to the next. */
export const REQUEST_WEAKNESS_GATEWAYS = Object.fromEntries(
  Object.entries(REQUEST_GATEWAYS).map(([id, gateway]) => [id, () => asParts(gateway())]),
) as Readonly<Record<RequestWeaknessId, () => GatewayParts>>;

export const REQUEST_CONTROLS: readonly {
  readonly id: string;
  readonly description: string;
  readonly options: () => GatewayParts;
}[] = CONTROL_GATEWAYS.map((control) => ({ ...control, options: () => asParts(control.options()) }));

/**
 * A scoped method's check done as a substring search (`scope.includes('admin')`), so a token granted
 * `xadmin2` passes a method that asks for `admin`. Everything else is the product's authorizer.
 */
export const scopeSubstring = (): GatewayParts => ({
  authorizer:
    (real: Authorizer): Authorizer =>
    async (header, scopes = []) => {
      const granted = jwtOf(header)?.payload.scope;
      if (scopes.length === 0 || typeof granted !== 'string') return real(header, scopes);
      const matched = scopes.some((scope) => granted.includes(scope));
      return real(header, matched ? granted.split(' ').filter((entry) => entry !== '') : scopes);
    },
});
