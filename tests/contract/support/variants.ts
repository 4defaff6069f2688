/**
 * Every gateway the mutation proof runs the contract against, by id, with the clauses that must fail
 * against it, derived from the generated clauses and the catalogue, never listed by hand:
 * - `weakness:<id>`: the tests' reference verifier with one catalogue weakness (security/catalogue.ts);
 *   caught by exactly the clauses of the rows that list it;
 * - `library:<id>`: an authorizer on a real published JWT library version (library-authorizers.ts);
 *   caught by exactly the clauses of the rows it was measured to fall to;
 * - `gateway:<id>`: a gateway wrong outside the token checks (authorizer off, routes, answers).
 * Variants are built from their id alone, so a worker thread can build the same one (proof-worker.ts).
 */
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { helloApi } from '../../../api/routes.ts';
import { type ApiSpec, isProtected, type RouteSpec, routeKey } from '../../../api/spec.ts';
import { pathVariants, type Resource, requestPath, resourcesOf } from '../../../api/surface.ts';
import { EXPIRED } from '../../../collections/assertions.ts';
import { assertsCheck as asserts, type Clause } from '../../../collections/clause.ts';
import { emulatorSigningKey } from '../../../local-stack/cognito/emulator-key.ts';
import type { GatewayResponse } from '../../../local-stack/gateway/responses.ts';
import type { GatewayParts } from '../../../local-stack/stack.ts';
import { ATTACKS, OPEN_ONLY_WEAKNESSES, WEAKNESSES, type WeaknessId } from '../../../security/catalogue.ts';
import type { FactId } from '../../../security/facts.ts';
import {
  REQUEST_ROWS,
  REQUEST_WEAKNESSES,
  type RequestWeaknessId,
  requestRowById,
} from '../../../security/request-catalogue.ts';
import { asStackAuthorizer, libraryAuthorizers } from './library-authorizers.ts';
import { REQUEST_CONTROLS, REQUEST_WEAKNESS_GATEWAYS } from './request-weaknesses.ts';
import { authorizerOff, WEAKENED_GATEWAYS } from './weak-authorizers.ts';

export interface Variant {
  readonly id: string;
  /** What is wrong with the gateway, completing "a gateway that ...". */
  readonly description: string;
  readonly options: () => GatewayParts;
  /** The keys of the clauses that must fail, and only those. */
  readonly caughtBy: (clauses: readonly Clause[]) => ReadonlySet<string>;
  /** How a caught clause was answered: let through (2xx), a server error (5xx), or either. */
  readonly caughtAs: 'let-through' | 'server-error' | 'any';
  /**
   * The settings whose clauses judge it: the default ones (what users run: nothing open asserted), or,
   * for a weakness only an open fact can catch (OPEN_ONLY_WEAKNESSES in security/catalogue.ts),
   * `--strict` of that one fact.
   */
  readonly strict?: FactId;
}

/**
 * The check a weakened gateway's answer breaks on the rows meant to catch it: a token let through
 * breaks "refused" (the least a row asserts of a refusal), a server error breaks "not 5xx".
 */
export function brokenCheck(caughtAs: Variant['caughtAs']): 'refused' | 'not-5xx' {
  return caughtAs === 'server-error' ? 'not-5xx' : 'refused';
}

/**
 * The clauses of `rows` that fail against a gateway breaking `check` on them: those that assert it
 * under the settings `clauses` were made with. A row whose check rests on an open fact nobody opted in
 * for does not assert it, and passes.
 */
function rowClausesAsserting(
  clauses: readonly Clause[],
  rows: ReadonlySet<string>,
  check: 'refused' | 'not-5xx',
): Set<string> {
  return keys(clauses, (clause) => rowsAre(clause, rows) && asserts(clause, check));
}

function keys(clauses: readonly Clause[], keep: (clause: Clause) => boolean): Set<string> {
  return new Set(clauses.filter(keep).map((clause) => clause.key));
}

/** The clause sends the token of one of `rows`: a catalogue row's, or a request row's that is the same token. */
function rowsAre(clause: Clause, rows: ReadonlySet<string>): boolean {
  if (clause.row !== undefined) return rows.has(clause.row);
  const same = clause.requestRow === undefined ? undefined : requestRowById(clause.requestRow).sameTokenAs;
  return same !== undefined && rows.has(same);
}

/**
 * The clause's request reaches a protected method of the proof's API: its path as the local gateway
 * resolves it (WHATWG URL: dot segments resolved, docs/reference.md §13.5 leaves the real one open), or
 * exactly as spelled (`literal`, for a cache keyed by the request target).
 */
const reachesProtectedRoute = (clause: Clause, literal = false): boolean => {
  const path = literal ? clause.path : new URL(clause.path, 'http://gateway').pathname;
  return helloApi.routes.some(
    (route) => isProtected(route) && route.method === clause.method && requestPath(route.path) === path,
  );
};
/** The request row's answer is the method's accepted one (read from the row, never the title). */
const requestAccepted = (clause: Clause): boolean =>
  clause.requestRow !== undefined && requestRowById(clause.requestRow).expect === 'accepted';
/** A request clause that expects a refusal yet is addressed to a protected method as it is. */
const requestRefusedAtRoute = (clause: Clause): boolean =>
  clause.kind === 'request' && !requestAccepted(clause) && reachesProtectedRoute(clause);
// (A request row's placement or Host header changes nothing about where it is routed.)

const oversized = (clause: Clause) =>
  clause.row !== undefined && ATTACKS.find((row) => row.id === clause.row)?.defects.includes('oversized');
/**
 * Every clause whose refusal is the authorizer's (no header, a scoped method's refusal, a row's token,
 * a request row addressed to the method) and asserted: a row whose refusal is an open point asserts it
 * only where the settings opt in.
 */
const authorizerRefusal = (clause: Clause): boolean => {
  if (oversized(clause)) return false;
  if (clause.kind === 'no-header') return true;
  if (requestRefusedAtRoute(clause)) return true;
  return (clause.kind.startsWith('scope-') || clause.kind === 'attack') && asserts(clause, 'refused');
};
/** Every clause asserting exactly 401. */
const expects401 = (clause: Clause): boolean => asserts(clause, 'status', 401);
/**
 * Every clause asserting a 401 and its body. A row whose body is open (several defects whose refusals
 * differ only on open points) asserts none by default, and its "absent" check looks for the integration's
 * exact body, which a greeting quoted inside a JSON string is not.
 */
const expects401Body = (clause: Clause): boolean => expects401(clause) && asserts(clause, 'body');
const genuineTokenAnswer = (clause: Clause): boolean =>
  clause.kind === 'accepted' ||
  clause.kind === 'persistence' ||
  (clause.kind === 'request' && requestAccepted(clause));

const CRASHES: ReadonlySet<string> = new Set([
  'crash-on-malformed',
  'crash-on-unexpected-types',
  'oversized-header-crash',
]);

/**
 * A verifier that remembers verified signatures carries state from clause to clause: a transplanted
 * signature (the user's other genuine token's) passes it once that other token verified earlier in the
 * run, on this route or an earlier one. So its catches beyond its rows are worked out from the clauses
 * in run order, not from a route's position: a live token, or the other genuine token sent as an attack
 * (the access-token row), is remembered from the clause that sends it on.
 */
function rememberedTransplants(clauses: readonly Clause[]): Set<string> {
  const remembered = new Set<string>();
  const caught = new Set<string>();
  for (const clause of clauses) {
    if (clause.send.authorization !== 'token') continue;
    const token = clause.send.token;
    if (token.kind === 'live') remembered.add(token.base);
    if (token.kind !== 'attack') continue;
    const other = token.base === 'id' ? 'access' : 'id';
    if (token.row === 'signature-transplanted' && remembered.has(other)) caught.add(clause.key);
    if (token.row === 'access-token') remembered.add('access');
  }
  return caught;
}

/** Weaknesses whose catches depend on what the run sent before, not only on the rows that list them. */
const STATEFUL: Partial<Record<WeaknessId, (clauses: readonly Clause[]) => Set<string>>> = {
  'verified-cache-keyed-by-signature': rememberedTransplants,
};

const weaknessVariants: Variant[] = (Object.keys(WEAKNESSES) as WeaknessId[]).map((weakness) => {
  const rows = new Set(ATTACKS.filter((row) => row.catches.includes(weakness)).map((row) => row.id));
  const caughtAs = CRASHES.has(weakness) ? 'server-error' : 'let-through';
  const openOnly = OPEN_ONLY_WEAKNESSES[weakness];
  return {
    id: `weakness:${weakness}`,
    description: WEAKNESSES[weakness],
    options: () => WEAKENED_GATEWAYS[weakness](weakness),
    caughtBy: (clauses) =>
      new Set([
        ...rowClausesAsserting(clauses, rows, brokenCheck(caughtAs)),
        ...(STATEFUL[weakness]?.(clauses) ?? []),
      ]),
    caughtAs,
    ...(openOnly ? { strict: openOnly.fact } : {}),
  };
});

const libraryVariants: Variant[] = libraryAuthorizers.map((library) => {
  const rows = new Set(library.expectedToFallTo);
  const requestRows = new Set(library.expectedToFallToRequests ?? []);
  return {
    id: `library:${library.id}`,
    description: `verifies with ${library.package} ${library.version} the way its README shows${
      library.setUp === 'readme' ? ' and nothing else' : ", inside the authorizer's claim checks"
    } (${
      library.vulnerable
        ? library.advisory.join(', ')
        : library.expectedToFallTo.length > 0
          ? 'no advisory'
          : 'a current release'
    }): ${library.weakness}`,
    options: () => ({ authorizer: asStackAuthorizer(library.create) }),
    // A set-up that cannot verify RS256 at all also refuses the genuine token, and the genuinely signed
    // expired one as merely unauthorized.
    caughtBy: (clauses) =>
      keys(
        clauses,
        (clause) =>
          (rowsAre(clause, rows) && asserts(clause, 'refused')) ||
          (clause.requestRow !== undefined && requestRows.has(clause.requestRow)) ||
          (!library.acceptsGenuineTokens && (genuineTokenAnswer(clause) || clause.row === 'expired')),
      ),
    caughtAs: library.acceptsGenuineTokens ? 'let-through' : 'any',
  };
});

function withRoutes(extra: readonly Omit<RouteSpec, 'integration' | 'handler'>[]): ApiSpec {
  return {
    ...helloApi,
    routes: [
      ...helloApi.routes,
      ...extra.map((route) => ({
        ...route,
        integration: 'AWS_PROXY' as const,
        handler: { file: 'lambda/hello.ts', exportName: 'handler' },
      })),
    ],
  };
}

function withBody(answer: GatewayResponse, body: string): GatewayResponse {
  const bytes = Buffer.from(body, 'utf8');
  return { ...answer, headers: { ...answer.headers, 'Content-Length': String(bytes.length) }, body: bytes };
}

/** The first resource of the description that defines no POST (where the tutorial reader adds one). */
function postless(): Resource {
  const resource = resourcesOf(helloApi).find((candidate) => candidate.undefinedMethods.includes('POST'));
  if (resource === undefined) throw new Error('every resource of api/routes.ts defines POST');
  return resource;
}

const gatewayVariants: Variant[] = [
  {
    id: 'gateway:authorizer-off',
    description: 'has no authorizer at all: every request reaches the Lambda',
    options: () => ({ authorizer: () => authorizerOff() }),
    caughtBy: (clauses) => keys(clauses, authorizerRefusal),
    caughtAs: 'let-through',
  },
  {
    id: 'gateway:other-greeting',
    description: 'answers authorized calls with another greeting',
    options: () => ({
      handlers: Object.fromEntries(
        helloApi.routes.map((route) => [
          routeKey(route),
          async () => ({ statusCode: 200, body: JSON.stringify('Hello from a stranger!') }),
        ]),
      ),
    }),
    caughtBy: (clauses) => keys(clauses, genuineTokenAnswer),
    caughtAs: 'let-through',
  },
  {
    id: 'gateway:403-for-401',
    description: 'answers 403 where API Gateway answers 401',
    options: () => ({
      server: { finish: (answer) => (answer.status === 401 ? { ...answer, status: 403 } : answer) },
    }),
    caughtBy: (clauses) => keys(clauses, expects401),
    caughtAs: 'any',
  },
  {
    id: 'gateway:greeting-in-401',
    description: "puts the Lambda's greeting into its 401 bodies",
    options: () => ({
      server: {
        finish: (answer) =>
          answer.status === 401
            ? withBody(answer, '{"message":"Unauthorized","preview":"\\"Hello from Lambda!\\""}')
            : answer,
      },
    }),
    caughtBy: (clauses) => keys(clauses, expects401Body),
    caughtAs: 'any',
  },
  {
    id: 'gateway:post-unprotected',
    description:
      "also routes POST to the Lambda on the first resource that defines none, without the authorizer (the tutorial reader's mistake)",
    options: () => {
      const resource = postless();
      return { api: withRoutes([{ method: 'POST', path: resource.path, protection: { kind: 'none' } }]) };
    },
    // The method-override row carries its override on POST too: an unguarded POST answers it.
    caughtBy: (clauses) =>
      keys(
        clauses,
        (clause) =>
          clause.method === 'POST' &&
          clause.resource === postless().path &&
          (clause.kind === 'undefined-method' ||
            (clause.kind === 'request' && clause.send.authorization === 'none')),
      ),
    caughtAs: 'let-through',
  },
  {
    id: 'gateway:any-method',
    description:
      'routes every method of each resource to the Lambda behind the authorizer (ANY instead of the methods defined)',
    options: () => ({
      api: withRoutes(
        resourcesOf(helloApi).flatMap((resource) =>
          resource.undefinedMethods.map((method) => ({
            method,
            path: resource.path,
            protection: { kind: 'cognito' as const, authorizer: 'CognitoUserPoolAuthorizer', scopes: [] },
          })),
        ),
      ),
    }),
    caughtBy: (clauses) => keys(clauses, (clause) => clause.kind === 'undefined-method'),
    caughtAs: 'any',
  },
  {
    id: 'gateway:path-variants-unprotected',
    description:
      "routes other spellings of each resource's path (slashes, case, percent-encoding) to the Lambda without the authorizer",
    options: () => ({
      api: withRoutes(
        resourcesOf(helloApi).flatMap((resource) =>
          [...new Set(resource.routes.map((route) => route.method))].flatMap((method) =>
            pathVariants(resource.path).map((variant) => ({
              method,
              path: variant.path,
              protection: { kind: 'none' as const },
            })),
          ),
        ),
      ),
    }),
    caughtBy: (clauses) => keys(clauses, (clause) => clause.kind === 'path-variant'),
    caughtAs: 'let-through',
  },
];

/**
 * The clauses a weakness that keeps state (a session cookie, a cached answer) lets through: every
 * request without an identity header or a token of its own, sent to a protected method as the route
 * table spells it, after the first accepted answer (`getOnly` for a cache of GETs).
 */
function afterAcceptedWithoutToken(clauses: readonly Clause[], getOnly: boolean): Set<string> {
  const first = clauses.findIndex((clause) => clause.kind === 'accepted');
  return keys(
    clauses,
    (clause) =>
      clauses.indexOf(clause) > first &&
      clause.send.authorization === 'none' &&
      clause.shape?.token === undefined &&
      reachesProtectedRoute(clause, getOnly) &&
      (!getOnly || clause.method === 'GET'),
  );
}

function requestWeaknessCaughtBy(weakness: RequestWeaknessId, clauses: readonly Clause[]): Set<string> {
  switch (weakness) {
    case 'session-cookie':
      return afterAcceptedWithoutToken(clauses, false);
    case 'response-cache':
      return afterAcceptedWithoutToken(clauses, true);
    case 'refusal-oracle':
      // Its header rides on every 401: the clauses that check a 401's headers (UnauthorizedException asserted).
      return keys(
        clauses,
        (clause) =>
          asserts(clause, 'refusal-headers') && asserts(clause, 'error-type', 'UnauthorizedException'),
      );
    case 'slow-refusal':
      // The rows whose kid is a shell command: the weakened gateway runs it, the slowdown bound sees it.
      return keys(clauses, (clause) => clause.row === 'kid-command-injection');
    default:
      return keys(
        clauses,
        (clause) =>
          clause.requestRow !== undefined && requestRowById(clause.requestRow).catches.includes(weakness),
      );
  }
}

const requestVariants: Variant[] = (Object.keys(REQUEST_WEAKNESSES) as RequestWeaknessId[]).map(
  (weakness) => ({
    id: `request:${weakness}`,
    description: REQUEST_WEAKNESSES[weakness],
    options: REQUEST_WEAKNESS_GATEWAYS[weakness],
    caughtBy: (clauses) => requestWeaknessCaughtBy(weakness, clauses),
    caughtAs:
      weakness === 'refusal-oracle' ||
      weakness === 'slow-refusal' ||
      weakness === 'identity-header-case-sensitive'
        ? 'any'
        : 'let-through',
  }),
);

/** Whether a request's token verifies under the pool's key and carries claims Cognito never issues. */
function poolSignedOddClaims(authorization: string | undefined): boolean {
  const [header, payload, signature] = (authorization ?? '').replace(/^Bearer /, '').split('.');
  if (header === undefined || payload === undefined || signature === undefined) return false;
  const key = createPublicKey({ key: emulatorSigningKey().privateJwk as JsonWebKey, format: 'jwk' });
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return (
      typeof claims.exp !== 'number' ||
      (claims.token_use !== 'id' && claims.token_use !== 'access') ||
      Array.isArray(claims.iss)
    );
  } catch {
    return false;
  }
}

function withError(
  answer: GatewayResponse,
  status: number,
  body: string,
  errorType: string,
): GatewayResponse {
  return {
    ...withBody(answer, body),
    status,
    headers: { ...withBody(answer, body).headers, 'x-amzn-ErrorType': errorType },
  };
}

/**
 * Correct gateways that differ from the reference only on an open point (security/facts.ts), one per
 * open fact where another correct answer is possible: each must pass the default contract with nothing
 * skipped, and (where the fact can be opted in) fail under `--strict` of that fact, which shows it really
 * answers differently there. Open facts without one here: `several-defects` (no row of the hello API has
 * defects whose refusals differ on firm or likely facts) and `scope-refusal-status` (the hello API has
 * no method with OAuth scopes, so no clause asks).
 */
export interface Control extends Variant {
  /** The open fact it answers differently on. */
  readonly differsOn: FactId;
  /**
   * Whether `--strict` of that fact fails it: not where the fact has no guess to assert (the SigV4
   * text) or the guess admits the control's answer too (any 4xx for a path variant).
   */
  readonly failsStrict: boolean;
}

const controlVariants: Control[] = [
  {
    id: 'control:expired-error-type',
    differsOn: 'expired-error-type',
    failsStrict: true,
    description: 'names the expired-token answer ExpiredTokenException instead of UnauthorizedException',
    options: () => ({
      server: {
        finish: (answer) =>
          answer.body.toString('utf8') === EXPIRED
            ? { ...answer, headers: { ...answer.headers, 'x-amzn-ErrorType': 'ExpiredTokenException' } }
            : answer,
      },
    }),
    caughtBy: () => new Set(),
    caughtAs: 'any',
  },
  {
    id: 'control:pool-signed-odd-claims',
    differsOn: 'pool-signed-odd-claims',
    failsStrict: true,
    description:
      'refuses a pool-signed token with claims Cognito never issues with 403 Forbidden instead of 401 Unauthorized',
    options: () => ({
      server: {
        finish: (answer, request) =>
          answer.status === 401 && poolSignedOddClaims(request.headers.authorization)
            ? withError(answer, 403, '{"message":"Forbidden"}', 'AccessDeniedException')
            : answer,
      },
    }),
    caughtBy: () => new Set(),
    caughtAs: 'any',
  },
  {
    id: 'control:path-variant-status',
    differsOn: 'path-variant-status',
    failsStrict: false,
    description: 'answers every spelling variant of /hello 404 Not Found',
    options: () => {
      const variants = new Set(pathVariants('/hello').map((variant) => `/dev${variant.path}`));
      return {
        server: {
          finish: (answer, request) =>
            variants.has(request.url ?? '') && answer.status >= 400 && answer.status < 500
              ? withError(answer, 404, '{"message":"Not Found"}', 'NotFoundException')
              : answer,
        },
      };
    },
    caughtBy: () => new Set(),
    caughtAs: 'any',
  },
  {
    id: 'control:request-variant-status',
    differsOn: 'request-variant-status',
    failsStrict: false,
    description:
      "answers every request row's spelling of /hello (an extension, a ;parameter, dot segments) 404 Not Found",
    options: () => {
      const spelled = new Set(
        REQUEST_ROWS.flatMap((row) =>
          row.path.kind === 'spelled' ? [`/dev${row.path.make('/hello')}`] : [],
        ),
      );
      return {
        server: {
          finish: (answer, request) =>
            spelled.has(request.url ?? '') && answer.status >= 400 && answer.status < 500
              ? withError(answer, 404, '{"message":"Not Found"}', 'NotFoundException')
              : answer,
        },
      };
    },
    caughtBy: () => new Set(),
    caughtAs: 'any',
  },
  {
    id: 'control:sigv4-complaint-text',
    differsOn: 'sigv4-complaint-text',
    failsStrict: false,
    description: 'words its IncompleteSignatureException complaint differently',
    options: () => ({
      server: {
        finish: (answer) =>
          answer.headers['x-amzn-ErrorType'] === 'IncompleteSignatureException' && answer.body.length > 0
            ? withBody(answer, '{"message":"Authorization header requires \'Credential\' parameter."}')
            : answer,
      },
    }),
    caughtBy: () => new Set(),
    caughtAs: 'any',
  },
];

export const CONTROLS: readonly Control[] = controlVariants;

export const VARIANTS: readonly Variant[] = [
  ...weaknessVariants,
  ...libraryVariants,
  ...gatewayVariants,
  ...requestVariants,
  ...REQUEST_CONTROLS.map(
    (control): Variant => ({ ...control, caughtBy: () => new Set<string>(), caughtAs: 'any' }),
  ),
  ...controlVariants,
];

export function variantById(id: string): Variant {
  const found = VARIANTS.find((variant) => variant.id === id);
  if (found === undefined) throw new Error(`no proof variant "${id}"`);
  return found;
}
