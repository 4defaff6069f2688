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
import { helloApi } from '../../../api/routes.ts';
import { type ApiSpec, type RouteSpec, routeKey } from '../../../api/spec.ts';
import { pathVariants, type Resource, resourcesOf } from '../../../api/surface.ts';
import { assertsCheck as asserts, type Clause } from '../../../collections/clause.ts';
import type { GatewayResponse } from '../../../local-stack/gateway/responses.ts';
import type { GatewayParts } from '../../../local-stack/stack.ts';
import { ATTACKS, WEAKNESSES, type WeaknessId } from '../../../security/catalogue.ts';
import { asStackAuthorizer, libraryAuthorizers } from './library-authorizers.ts';
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
   * The settings whose clauses judge it: `strict` (every open fact asserted as the local gateway's
   * guess, `--strict all`) for gateways wrong in one way against the project's own reference, since some
   * weaknesses show only on open points; `default` for a library as its README sets it up, which must
   * pass (or fail exactly its rows) on what the contract asserts by default.
   */
  readonly settings: 'default' | 'strict';
}

function keys(clauses: readonly Clause[], keep: (clause: Clause) => boolean): Set<string> {
  return new Set(clauses.filter(keep).map((clause) => clause.key));
}

function rowsAre(clause: Clause, rows: ReadonlySet<string>): boolean {
  return clause.row !== undefined && rows.has(clause.row);
}

const oversized = (clause: Clause) =>
  clause.row !== undefined && ATTACKS.find((row) => row.id === clause.row)?.defects.includes('oversized');
/**
 * Every clause whose refusal is the authorizer's (no header, a scoped method's refusal, a row's token)
 * and asserted: a row whose refusal is an open point asserts it only where the settings opt in.
 */
const authorizerRefusal = (clause: Clause): boolean => {
  if (oversized(clause)) return false;
  if (clause.kind === 'no-header') return true;
  return (clause.kind.startsWith('scope-') || clause.kind === 'attack') && asserts(clause, 'refused');
};
/** Every clause asserting exactly 401. */
const expects401 = (clause: Clause): boolean => asserts(clause, 'status', 401);
const genuineTokenAnswer = (clause: Clause): boolean =>
  clause.kind === 'accepted' || clause.kind === 'persistence';

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
  return {
    id: `weakness:${weakness}`,
    description: WEAKNESSES[weakness],
    options: () => WEAKENED_GATEWAYS[weakness](weakness),
    caughtBy: (clauses) =>
      new Set([
        ...keys(clauses, (clause) => rowsAre(clause, rows)),
        ...(STATEFUL[weakness]?.(clauses) ?? []),
      ]),
    caughtAs: CRASHES.has(weakness) ? 'server-error' : 'let-through',
    settings: 'strict',
  };
});

const libraryVariants: Variant[] = libraryAuthorizers.map((library) => {
  const rows = new Set(library.expectedToFallTo);
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
          rowsAre(clause, rows) ||
          (!library.acceptsGenuineTokens && (genuineTokenAnswer(clause) || clause.row === 'expired')),
      ),
    caughtAs: library.acceptsGenuineTokens ? 'let-through' : 'any',
    settings: library.setUp === 'readme' ? 'default' : 'strict',
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
    settings: 'strict',
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
    settings: 'strict',
  },
  {
    id: 'gateway:403-for-401',
    description: 'answers 403 where API Gateway answers 401',
    options: () => ({
      server: { finish: (answer) => (answer.status === 401 ? { ...answer, status: 403 } : answer) },
    }),
    caughtBy: (clauses) => keys(clauses, expects401),
    caughtAs: 'any',
    settings: 'strict',
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
    caughtBy: (clauses) => keys(clauses, expects401),
    caughtAs: 'any',
    settings: 'strict',
  },
  {
    id: 'gateway:post-unprotected',
    description:
      "also routes POST to the Lambda on the first resource that defines none, without the authorizer (the tutorial reader's mistake)",
    options: () => {
      const resource = postless();
      return { api: withRoutes([{ method: 'POST', path: resource.path, protection: { kind: 'none' } }]) };
    },
    caughtBy: (clauses) =>
      keys(
        clauses,
        (clause) =>
          clause.kind === 'undefined-method' &&
          clause.method === 'POST' &&
          clause.resource === postless().path,
      ),
    caughtAs: 'let-through',
    settings: 'strict',
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
    settings: 'strict',
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
    settings: 'strict',
  },
];

export const VARIANTS: readonly Variant[] = [...weaknessVariants, ...libraryVariants, ...gatewayVariants];

export function variantById(id: string): Variant {
  const found = VARIANTS.find((variant) => variant.id === id);
  if (found === undefined) throw new Error(`no proof variant "${id}"`);
  return found;
}
