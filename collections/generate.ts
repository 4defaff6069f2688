/**
 * The generator: the one place where the API description and the attack catalogue meet. For each
 * Cognito-protected method it makes the no-header 401, the raw and `Bearer` acceptance clauses with the
 * method's expected answer, every catalogue row in both header forms, and a last check that the genuine
 * token still works; for a scoped method, the ID-token and missing-scope refusals; for each resource,
 * every method it does not define (with and without a token) and the spellings of its path that are not
 * it; one undefined path; and for each method without authorizer, a coverage check that fails unless the
 * allow-list names it. Nothing here is written per route: a new route in the description is new clauses.
 */
import { createHash } from 'node:crypto';
import type { ApiSpec, AuthorizedAnswer, RouteSpec } from '../api/spec.ts';
import { isProtected, routeKey, scopesOf } from '../api/spec.ts';
import { pathVariants, requestPath, resourcesOf, undefinedPath } from '../api/surface.ts';
import { ATTACKS, type AttackRow } from '../security/catalogue.ts';
import type { Clause, ClauseKind, Expectation, HeaderForm, Send, TokenBase } from './clause.ts';

const UNAUTHORIZED = '{"message":"Unauthorized"}';
const EXPIRED = '{"message":"The incoming token has expired"}';
const MISSING_AUTHENTICATION_TOKEN = '{"message":"Missing Authentication Token"}';

const FORMS: readonly HeaderForm[] = ['raw', 'bearer'];
const FORM_WORDS: Readonly<Record<HeaderForm, string>> = {
  raw: 'sent raw',
  bearer: 'sent as "Bearer <token>"',
};
const TOKEN_WORDS: Readonly<Record<TokenBase, string>> = { id: 'ID token', access: 'access token' };

/** A UUID derived from the clause key (RFC 4122 layout, version 5 style), so item ids are stable. */
export function stableId(key: string): string {
  const hex = createHash('sha1').update(`cognito-api-contract:${key}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function reaches(route: RouteSpec): string {
  return route.integration === 'AWS_PROXY' || route.integration === 'AWS' ? 'the Lambda' : 'the integration';
}

/** The authorized answer's body, when it is distinctive enough to look for in refusals. */
function absentBody(route: RouteSpec): { absent?: string } {
  const body = route.authorized?.body;
  return body !== undefined && body.length >= 4 ? { absent: body } : {};
}

function unauthorized(route: RouteSpec): Expectation {
  return {
    kind: 'gateway-error',
    status: 401,
    body: UNAUTHORIZED,
    errorType: 'UnauthorizedException',
    ...absentBody(route),
  };
}

function refusalFor(row: AttackRow, route: RouteSpec): { expect: Expectation; verb: string; status: string } {
  switch (row.refusal) {
    case 'unauthorized':
      return { expect: unauthorized(route), verb: 'is refused with 401 Unauthorized', status: '401' };
    case 'expired':
      return {
        expect: {
          kind: 'gateway-error',
          status: 401,
          body: EXPIRED,
          errorType: 'UnauthorizedException',
          ...absentBody(route),
        },
        verb: 'is refused with 401 "The incoming token has expired"',
        status: '401',
      };
    case 'client-error':
      return {
        expect: { kind: 'client-error', ...absentBody(route) },
        verb: 'is refused with a 4xx, never a 5xx',
        status: '4xx',
      };
    case 'open':
      return {
        expect: { kind: 'open', ...absentBody(route) },
        verb: 'is never let through (an open point: 401 asserted where open_points is "refuse")',
        status: 'not 2xx, not 5xx',
      };
  }
}

function needsOf(row: AttackRow): string | undefined {
  if (row.built === 'pool-key') return "the pool's private key: only the local emulator's is knowable";
  if (row.built === 'sign-in') return "the user's access token from the sign-in";
  if (row.needs?.includes('pool-jwks')) return "the pool's public keys (JWKS)";
  if (row.needs?.includes('other-token')) return "the user's other token (ID and access token)";
  return undefined;
}

function rowApplies(row: AttackRow, base: TokenBase): boolean {
  return row.appliesTo !== 'id-token-methods' || base === 'id';
}

interface Builder {
  readonly clauses: Clause[];
}

function add(
  builder: Builder,
  fields: Omit<Clause, 'id' | 'key' | 'path'> & {
    readonly keyParts: readonly string[];
    readonly path?: string;
  },
): void {
  const { keyParts, ...rest } = fields;
  const key = [routeKey({ method: fields.method, path: fields.path ?? fields.resource }), ...keyParts].join(
    ' · ',
  );
  if (builder.clauses.some((clause) => clause.key === key))
    throw new Error(`two clauses share the key "${key}"`);
  builder.clauses.push({
    id: stableId(key),
    key,
    ...rest,
    path: fields.path ?? requestPath(fields.resource),
  });
}

function acceptedExpectation(answer: AuthorizedAnswer | undefined): Expectation {
  return { kind: 'authorized', answer: answer ?? null };
}

function protectedMethodClauses(builder: Builder, route: RouteSpec, attacks: readonly AttackRow[]): void {
  const folder = routeKey(route);
  const scopes = scopesOf(route);
  const base: TokenBase = scopes.length > 0 ? 'access' : 'id';
  const words = TOKEN_WORDS[base];
  const lambda = reaches(route);
  const common = {
    folder,
    method: route.method,
    resource: route.path,
    ...(scopes.length > 0 ? { scopes } : {}),
  } as const;
  const acceptedStatus = route.authorized ? String(route.authorized.status) : 'not 401/403 from the gateway';
  const clause = (
    kind: ClauseKind,
    keyParts: string[],
    name: string,
    send: Send,
    expect: Expectation,
    expectedStatus: string,
    extra: Partial<Clause> = {},
  ) => add(builder, { ...common, kind, keyParts, name, send, expect, expectedStatus, ...extra });

  clause(
    'no-header',
    ['no header'],
    `${folder} without an Authorization header is refused with 401 Unauthorized`,
    { authorization: 'none' },
    unauthorized(route),
    '401',
  );
  for (const form of FORMS) {
    const how =
      form === 'raw'
        ? `with the raw ${words} as the Authorization header`
        : `with "Bearer " and the ${words}`;
    clause(
      'accepted',
      [`${base} token`, form],
      `${folder} ${how} reaches ${lambda}`,
      { authorization: 'token', token: { kind: 'live', base }, form },
      acceptedExpectation(route.authorized),
      acceptedStatus,
      {
        ...(base === 'access' ? { needs: `an access token carrying one of ${scopes.join(', ')}` } : {}),
      },
    );
  }
  if (scopes.length > 0) {
    const scopeRefusal: Expectation = { kind: 'scope-refused', ...absentBody(route) };
    for (const form of FORMS) {
      clause(
        'scope-id-token',
        ['id token', form],
        `${folder} refuses the ID token ${FORM_WORDS[form]}: it requires an access token with one of its scopes`,
        { authorization: 'token', token: { kind: 'live', base: 'id' }, form },
        scopeRefusal,
        '401 or 403',
      );
      clause(
        'scope-without-scope',
        ['access token without scope', form],
        `${folder} refuses an access token without its scopes ${FORM_WORDS[form]}`,
        { authorization: 'token', token: { kind: 'scope-stripped' }, form },
        scopeRefusal,
        '401 or 403',
        {
          needs: "the pool's private key: only the local emulator's is knowable",
        },
      );
    }
  }
  for (const row of attacks) {
    if (!rowApplies(row, base)) continue;
    const { expect, verb, status } = refusalFor(row, route);
    const needs = needsOf(row);
    for (const form of FORMS) {
      clause(
        'attack',
        [row.id, form],
        `${folder}: ${row.clause} ${FORM_WORDS[form]} ${verb}`,
        {
          authorization: 'token',
          token: {
            kind: 'attack',
            row: row.id,
            base,
            built: row.built,
            ...(row.needs ? { needs: row.needs } : {}),
          },
          form,
        },
        expect,
        status,
        {
          row: row.id,
          ...(needs ? { needs } : {}),
        },
      );
    }
  }
  clause(
    'persistence',
    ['persistence'],
    `${folder} still reaches ${lambda} with the ${words} after every refused token`,
    { authorization: 'token', token: { kind: 'live', base }, form: 'raw' },
    acceptedExpectation(route.authorized),
    acceptedStatus,
  );
}

/** The clauses of an API description, in run order. */
export function generateClauses(api: ApiSpec, attacks: readonly AttackRow[] = ATTACKS): Clause[] {
  const builder: Builder = { clauses: [] };
  add(builder, {
    folder: 'Before the contract',
    kind: 'environment',
    keyParts: ['environment'],
    method: 'GET',
    resource: '/',
    name: 'The environment belongs to the system under test and its tokens are current',
    send: { authorization: 'none' },
    expect: { kind: 'environment' },
    expectedStatus: 'no request',
  });
  for (const route of api.routes) {
    if (isProtected(route)) protectedMethodClauses(builder, route, attacks);
  }
  for (const resource of resourcesOf(api)) {
    const folder = `${resource.path}: what it does not define`;
    const absent = resource.routes.map(absentBody).find((entry) => entry.absent !== undefined) ?? {};
    for (const method of resource.undefinedMethods) {
      const common = { folder, kind: 'undefined-method', method, resource: resource.path } as const;
      add(builder, {
        ...common,
        keyParts: ['undefined method', 'no header'],
        name: `${method} ${resource.path} without an Authorization header is answered 403 Missing Authentication Token`,
        send: { authorization: 'none' },
        expect: {
          kind: 'gateway-error',
          status: 403,
          // A HEAD answer has the status and headers of the error, and no body (docs/reference.md §2).
          body: method === 'HEAD' ? '' : MISSING_AUTHENTICATION_TOKEN,
          errorType: 'MissingAuthenticationTokenException',
          ...absent,
        },
        expectedStatus: '403',
      });
      add(builder, {
        ...common,
        keyParts: ['undefined method', 'id token'],
        name: `${method} ${resource.path} with the ID token is answered 403 IncompleteSignatureException`,
        send: { authorization: 'token', token: { kind: 'live', base: 'id' }, form: 'raw' },
        // The wording of the SigV4 complaint changed over time: status and type are firm, the text is open (§2).
        expect: {
          kind: 'gateway-error',
          status: 403,
          body: method === 'HEAD' ? '' : null,
          errorType: 'IncompleteSignatureException',
          ...absent,
        },
        expectedStatus: '403',
      });
    }
    const protectedRoute = resource.routes.find(isProtected);
    if (protectedRoute !== undefined) {
      for (const variant of pathVariants(resource.path)) {
        add(builder, {
          folder,
          kind: 'path-variant',
          keyParts: ['path variant', variant.label],
          method: protectedRoute.method,
          resource: resource.path,
          path: variant.path,
          name: `${protectedRoute.method} ${resource.path} ${variant.label} (${variant.path}) without an Authorization header is not answered by ${reaches(protectedRoute)}`,
          send: { authorization: 'none' },
          expect: { kind: 'not-integration', ...absentBody(protectedRoute) },
          expectedStatus: '4xx',
        });
      }
    }
  }
  const missing = undefinedPath(api);
  add(builder, {
    folder: 'Undefined paths',
    kind: 'undefined-path',
    keyParts: ['undefined path'],
    method: 'GET',
    resource: missing,
    name: 'GET on an undefined path without an Authorization header is answered 403 Missing Authentication Token',
    send: { authorization: 'none' },
    expect: {
      kind: 'gateway-error',
      status: 403,
      body: MISSING_AUTHENTICATION_TOKEN,
      errorType: 'MissingAuthenticationTokenException',
    },
    expectedStatus: '403',
  });
  for (const route of api.routes.filter((candidate) => !isProtected(candidate))) {
    add(builder, {
      folder: 'Authorizer coverage',
      kind: 'coverage',
      keyParts: ['coverage'],
      method: route.method,
      resource: route.path,
      name: `${routeKey(route)} is declared without an authorizer and must be on the allow-list (allow_unprotected)`,
      send: { authorization: 'none' },
      expect: { kind: 'coverage', route: routeKey(route) },
      expectedStatus: 'no request',
    });
  }
  return builder.clauses;
}
