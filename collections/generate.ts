/**
 * The generator: the one place where the API description and the attack catalogue meet. For each
 * Cognito-protected method it makes the no-header 401, the raw and `Bearer` acceptance clauses with the
 * method's expected answer, the catalogue rows the plan gives it (collections/plan.ts: every row in both
 * header forms on the first method of each authorizer, a fixed sample on the others, or every row
 * everywhere with `--matrix full`), and a last check that the genuine token still works; for a scoped method, the ID-token and missing-scope refusals; for each resource,
 * every method it does not define (with and without a token) and the spellings of its path that are not
 * it; one undefined path; and for each method without authorizer, a coverage check that fails unless the
 * allow-list names it. Nothing here is written per route: a new route in the description is new clauses.
 */
import { createHash } from 'node:crypto';
import type { ApiSpec, HttpMethod, RouteSpec } from '../api/spec.ts';
import {
  acceptedTokenOf,
  authorizerOf,
  customIdentityHeader,
  isProtected,
  routeKey,
  scopesOf,
} from '../api/spec.ts';
import {
  allowListKey,
  COVERAGE_WORDS,
  coverageProtection,
  pathVariants,
  requestPath,
  resourcesOf,
  undefinedPath,
} from '../api/surface.ts';
import { ATTACKS, type AttackRow } from '../security/catalogue.ts';
import {
  type Assertions,
  acceptedAssertions,
  DEFAULT_SETTINGS,
  type ExpectationSettings,
  expectedStatusOf,
  noHeaderAssertions,
  onHead,
  pathVariantAssertions,
  requestRefusalAssertions,
  requestVariantAssertions,
  rowAssertions,
  scopeRefusalAssertions,
  undefinedRouteAssertions,
  withRefusalBounds,
} from './assertions.ts';
import type { Clause, ClauseKind, Expectation, HeaderForm, Send, TokenBase } from './clause.ts';
import { type ContractPlan, type MatrixMode, type MethodPlan, planContract } from './plan.ts';
import {
  CARRIED_ROWS,
  headersSentBy,
  type MethodAnswers,
  methodRequestClauses,
  overrideCarrier,
  resourceRequestClauses,
  UNDEFINED_PATH_ROWS,
} from './request-clauses.ts';

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

/** The header API Gateway reads a token from when the description names none. */
const DEFAULT_IDENTITY_HEADER = 'Authorization';

/**
 * A HEAD answer has the status and headers of the GET-like answer and never a body (docs/reference.md
 * §13): no HEAD clause expects a body, or looks for one.
 */
function isHead(method: HttpMethod): boolean {
  return method === 'HEAD';
}

/** The authorized answer's body, when it is distinctive enough to look for in refusals (never on HEAD). */
function absentBody(route: RouteSpec, method: HttpMethod = route.method): string | undefined {
  const body = route.authorized?.body;
  return body !== undefined && body.length >= 4 && !isHead(method) ? body : undefined;
}

/**
 * The expectation and its status in words, both from the same assertions (collections/assertions.ts);
 * on HEAD, no body but an empty one, whatever the answer (docs/reference.md §14).
 */
function expecting(
  made: Assertions,
  method: HttpMethod,
  answer: 'refusal' | 'accepted' = 'refusal',
): { expect: Expectation; expectedStatus: string } {
  const final = isHead(method) ? onHead(made, answer) : made;
  return { expect: { kind: 'answer', ...final }, expectedStatus: expectedStatusOf(final.assertions) };
}

/** The verb of a row's clause sentence, from what is asserted. */
function refusalVerb(made: Assertions): string {
  const words = expectedStatusOf(made.assertions);
  if (/^\d+$/.test(words)) {
    const body = made.assertions.find((assertion) => assertion.check === 'body');
    return body?.check === 'body' && body.equals !== ''
      ? `is refused with ${words} ${body.equals}`
      : `is refused with ${words}`;
  }
  if (words === '4xx') return 'is refused with a 4xx, never a 5xx';
  if (made.assertions.some((assertion) => assertion.check === 'refused')) return 'is never let through';
  return 'never makes the gateway fail (what else it answers is an open point)';
}

function needsOf(row: AttackRow): string | undefined {
  if (row.built === 'pool-key') return "the pool's private key: only the local emulator's is knowable";
  if (row.built === 'sign-in') return "the user's access token from the sign-in";
  if (row.needs?.includes('pool-jwks')) return "the pool's public keys (JWKS)";
  if (row.needs?.includes('other-token')) return "the user's other token (ID and access token)";
  return undefined;
}

interface Builder {
  readonly clauses: Clause[];
  readonly settings: ExpectationSettings;
  /** Every key so far: a duplicate is a generator bug, and a Set keeps the check linear. */
  readonly keys: Set<string>;
  /** Whether an accepted clause came before: from then on a refusal's time is bounded by its time. */
  timed: boolean;
}

/** A clause before its key, id and request path are derived (collections/request-clauses.ts makes them too). */
export type ClauseDraft = Omit<Clause, 'id' | 'key' | 'path'> & {
  readonly keyParts: readonly string[];
  readonly path?: string;
};

function add(builder: Builder, fields: ClauseDraft): void {
  const { keyParts, ...rest } = fields;
  const key = [routeKey({ method: fields.method, path: fields.path ?? fields.resource }), ...keyParts].join(
    ' · ',
  );
  if (builder.keys.has(key)) throw new Error(`two clauses share the key "${key}"`);
  builder.keys.add(key);
  // Every refusal is also held to the allow-listed headers and the slowdown bound, from the settings.
  const expect =
    rest.expect.kind === 'answer'
      ? {
          kind: 'answer' as const,
          ...withRefusalBounds(rest.expect, builder.settings, builder.timed),
        }
      : rest.expect;
  builder.clauses.push({
    id: stableId(key),
    key,
    ...rest,
    expect,
    path: fields.path ?? requestPath(fields.resource),
  });
  if (fields.kind === 'accepted') builder.timed = true;
}

/** Where a scoped method's accepted token comes from, for the clauses that need one. */
function scopedNeeds(scopes: readonly string[]): string {
  return `an access token carrying one of ${scopes.join(', ')} (the client_credentials grant of a confidential app client allowed one of them: oauth_token_url, oauth_client_id, oauth_client_secret)`;
}

/** A method's answers, as the request rows' clauses (collections/request-clauses.ts) expect them, on their facts. */
function answersOf(route: RouteSpec, settings: ExpectationSettings): MethodAnswers {
  const absent = absentBody(route);
  const base = acceptedTokenOf(route);
  return {
    unauthorized: (facts) => expecting(requestRefusalAssertions(facts, absent, settings), route.method),
    accepted: (facts) =>
      expecting(
        acceptedAssertions(route.authorized, { base, bearer: false }, settings, facts),
        route.method,
        'accepted',
      ),
    notIntegration: (facts) => expecting(requestVariantAssertions(facts, absent, settings), route.method),
  };
}

function protectedMethodClauses(
  builder: Builder,
  api: ApiSpec,
  route: RouteSpec,
  attacks: ReadonlyMap<string, AttackRow>,
  settings: ExpectationSettings,
  plan: MethodPlan,
): void {
  const folder = routeKey(route);
  const scopes = scopesOf(route);
  const base = acceptedTokenOf(route);
  const words = TOKEN_WORDS[base];
  const lambda = reaches(route);
  const header = authorizerOf(api, route).identityHeader;
  const identityHeader = customIdentityHeader(header);
  const common = {
    folder,
    method: route.method,
    resource: route.path,
    ...(scopes.length > 0 ? { scopes } : {}),
    ...(identityHeader ? { identityHeader } : {}),
  } as const;
  const absent = absentBody(route);
  const method = route.method;
  const accepted = (form: HeaderForm) =>
    expecting(
      acceptedAssertions(route.authorized, { base, bearer: form === 'bearer' }, settings),
      method,
      'accepted',
    );
  const clause = (
    kind: ClauseKind,
    keyParts: string[],
    name: string,
    send: Send,
    expected: { expect: Expectation; expectedStatus: string },
    extra: Partial<Clause> = {},
  ) =>
    add(builder, {
      ...common,
      kind,
      keyParts,
      name,
      send,
      ...expected,
      ...extra,
      ...(plan.skip === undefined ? {} : { skip: plan.skip }),
    });

  // The request rows go with the attack catalogue: once per authorizer, on the method that runs the
  // whole of it; a sampled method proves the same authorizer is attached with its own fixed sample.
  const requestRows = (phase: 'before-accepted' | 'after-accepted' | 'after-attacks') => {
    if (plan.coverage !== 'catalogue') return;
    for (const draft of methodRequestClauses(api, route, phase, answersOf(route, settings)))
      add(builder, { ...draft, ...(plan.skip === undefined ? {} : { skip: plan.skip }) });
  };

  clause(
    'no-header',
    ['no header'],
    `${folder} without an ${header} header is refused with 401 Unauthorized`,
    { authorization: 'none' },
    expecting(noHeaderAssertions(absent, settings), method),
  );
  requestRows('before-accepted');
  for (const form of FORMS) {
    const how =
      form === 'raw' ? `with the raw ${words} as the ${header} header` : `with "Bearer " and the ${words}`;
    clause(
      'accepted',
      [`${base} token`, form],
      `${folder} ${how} reaches ${lambda}`,
      { authorization: 'token', token: { kind: 'live', base }, form },
      accepted(form),
      {
        ...(base === 'access' ? { needs: scopedNeeds(scopes) } : {}),
      },
    );
  }
  requestRows('after-accepted');
  if (scopes.length > 0) {
    const scopeRefusal = expecting(scopeRefusalAssertions(absent, settings), method);
    for (const form of FORMS) {
      clause(
        'scope-id-token',
        ['id token', form],
        `${folder} refuses the ID token ${FORM_WORDS[form]}: it requires an access token with one of its scopes`,
        { authorization: 'token', token: { kind: 'live', base: 'id' }, form },
        scopeRefusal,
      );
      clause(
        'scope-without-scope',
        ['access token without scope', form],
        `${folder} refuses an access token without its scopes ${FORM_WORDS[form]}`,
        { authorization: 'token', token: { kind: 'scope-stripped' }, form },
        scopeRefusal,
        {
          needs: "the pool's private key: only the local emulator's is knowable",
        },
      );
      clause(
        'scope-without-scope',
        ['access token with a longer scope', form],
        `${folder} refuses an access token whose scopes only contain its scope inside a longer one (x<scope>2) ${FORM_WORDS[form]}`,
        { authorization: 'token', token: { kind: 'scope-superstring' }, form },
        scopeRefusal,
        { needs: "the pool's private key: only the local emulator's is knowable" },
      );
    }
  }
  // Which rows and header forms: the plan's (collections/plan.ts), in catalogue order.
  for (const id of plan.rows) {
    const row = attacks.get(id);
    if (row === undefined) continue;
    const made = rowAssertions(row, absent, settings);
    const verb = refusalVerb(made);
    const needs = needsOf(row);
    for (const form of plan.forms) {
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
        expecting(made, method),
        {
          row: row.id,
          ...(needs ? { needs } : {}),
        },
      );
    }
  }
  requestRows('after-attacks');
  clause(
    'persistence',
    ['persistence'],
    `${folder} still reaches ${lambda} with the ${words} after every refused token`,
    { authorization: 'token', token: { kind: 'live', base }, form: 'raw' },
    accepted('raw'),
    base === 'access' ? { needs: scopedNeeds(scopes) } : {},
  );
}

/**
 * The clauses of an API description, in run order, with their expectations final for `settings` (which
 * open facts to assert: collections/assertions.ts; the committed collection uses the defaults), and the
 * plan that chose each protected method's attack rows (collections/plan.ts; `matrix` full: all of them).
 */
export function generateContract(
  api: ApiSpec,
  attacks: readonly AttackRow[] = ATTACKS,
  settings: ExpectationSettings = DEFAULT_SETTINGS,
  matrix?: MatrixMode,
  signedInPoolId?: string,
): { clauses: Clause[]; plan: ContractPlan } {
  const plan = planContract(api, attacks, matrix, signedInPoolId);
  return { clauses: clausesOf(api, attacks, settings, plan), plan };
}

/** The clauses of an API description, in run order (see generateContract). */
export function generateClauses(
  api: ApiSpec,
  attacks: readonly AttackRow[] = ATTACKS,
  settings: ExpectationSettings = DEFAULT_SETTINGS,
  matrix?: MatrixMode,
  signedInPoolId?: string,
): Clause[] {
  return generateContract(api, attacks, settings, matrix, signedInPoolId).clauses;
}

function clausesOf(
  api: ApiSpec,
  attacks: readonly AttackRow[],
  settings: ExpectationSettings,
  plan: ContractPlan,
): Clause[] {
  const builder: Builder = { clauses: [], settings, keys: new Set(), timed: false };
  const rows = new Map(attacks.map((row) => [row.id, row]));
  const methodPlans = new Map(plan.methods.map((method) => [method.route, method]));
  // The path no resource matches, or why there is none: for the rewrite-header rows and the last clause.
  const missing = undefinedPath(api);
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
    const method = isProtected(route) ? methodPlans.get(routeKey(route)) : undefined;
    if (method !== undefined) protectedMethodClauses(builder, api, route, rows, settings, method);
  }
  for (const resource of resourcesOf(api)) {
    const folder = `${resource.path}: what it does not define`;
    const protectedRoutes = resource.routes.filter(isProtected);
    // The header a client of this resource sends its token in: its authorizer's identity source.
    const firstProtected = protectedRoutes[0];
    const header =
      firstProtected === undefined
        ? DEFAULT_IDENTITY_HEADER
        : authorizerOf(api, firstProtected).identityHeader;
    const identityHeader = customIdentityHeader(header);
    for (const method of resource.undefinedMethods) {
      const absent = resource.routes
        .map((route) => absentBody(route, method))
        .find((entry) => entry !== undefined);
      const common = {
        folder,
        kind: 'undefined-method',
        method,
        resource: resource.path,
        ...(identityHeader ? { identityHeader } : {}),
      } as const;
      add(builder, {
        ...common,
        keyParts: ['undefined method', 'no header'],
        name: `${method} ${resource.path} without an ${header} header is answered 403 Missing Authentication Token`,
        send: { authorization: 'none' },
        ...expecting(undefinedRouteAssertions(method, 'none', absent, settings), method),
      });
      add(builder, {
        ...common,
        keyParts: ['undefined method', 'id token'],
        // An Authorization header makes API Gateway take the request for a SigV4-signed one; a token in
        // another identity header leaves it a request without credentials (docs/reference.md §14).
        name: identityHeader
          ? `${method} ${resource.path} with the ID token in ${header} is answered 403 Missing Authentication Token`
          : `${method} ${resource.path} with the ID token is answered 403 IncompleteSignatureException`,
        send: { authorization: 'token', token: { kind: 'live', base: 'id' }, form: 'raw' },
        // The wording of the SigV4 complaint changed over time: status and type are firm, the text is open (§2).
        ...expecting(
          undefinedRouteAssertions(
            method,
            identityHeader ? 'custom-header' : 'authorization',
            absent,
            settings,
          ),
          method,
        ),
      });
    }
    // A HEAD route promises no body to look for: a variant names a method that has one where it can.
    const protectedRoute = protectedRoutes.find((route) => !isHead(route.method)) ?? firstProtected;
    if (protectedRoute !== undefined) {
      for (const variant of pathVariants(resource.path, api)) {
        add(builder, {
          folder,
          kind: 'path-variant',
          keyParts: ['path variant', variant.label],
          method: protectedRoute.method,
          resource: resource.path,
          path: variant.path,
          name: `${protectedRoute.method} ${resource.path} ${variant.label} (${variant.path}) without an ${header} header is not answered by ${reaches(protectedRoute)}`,
          send: { authorization: 'none' },
          ...expecting(pathVariantAssertions(absentBody(protectedRoute), settings), protectedRoute.method),
        });
      }
      // A resource whose method is tested by another run (another user pool) sends no token of this
      // pool there: those rows are skipped with the method's reason; the rows without a token still run.
      const skip = methodPlans.get(routeKey(protectedRoute))?.skip;
      for (const draft of resourceRequestClauses(
        api,
        missing,
        resource,
        protectedRoute,
        answersOf(protectedRoute, settings),
      ))
        add(builder, {
          ...draft,
          ...(skip === undefined || draft.send.authorization === 'none' ? {} : { skip }),
        });
    }
  }
  // No undefined path where a root greedy resource takes every path: generationNotes says so.
  if ('path' in missing) {
    add(builder, {
      folder: 'Undefined paths',
      kind: 'undefined-path',
      keyParts: ['undefined path'],
      method: 'GET',
      resource: missing.path,
      name: 'GET on an undefined path without an Authorization header is answered 403 Missing Authentication Token',
      send: { authorization: 'none' },
      ...expecting(undefinedRouteAssertions('GET', 'none', undefined, settings), 'GET'),
    });
  }
  // One coverage clause per declaration the contract does not test: an `ANY` method is one clause.
  const declared = new Map<string, RouteSpec>();
  for (const route of api.routes) {
    if (!isProtected(route) && !declared.has(allowListKey(route))) declared.set(allowListKey(route), route);
  }
  for (const [key, route] of declared) {
    const protection = coverageProtection(route) as keyof typeof COVERAGE_WORDS;
    add(builder, {
      folder: 'Authorizer coverage',
      kind: 'coverage',
      keyParts: ['coverage'],
      method: route.method,
      resource: route.path,
      name:
        protection === 'none'
          ? `${key} is declared without an authorizer and must be on the allow-list (allow_unprotected)`
          : `${key} is ${COVERAGE_WORDS[protection]}, and must be on the allow-list (allow_unprotected)`,
      send: { authorization: 'none' },
      expect: { kind: 'coverage', route: key, protection },
      expectedStatus: 'no request',
    });
  }
  // Last of all, on every protected method (one request each, whatever its plan): what every earlier
  // request left behind (a cookie, a cached answer) must not let a caller without a token in.
  for (const route of api.routes.filter(isProtected)) {
    const skip = methodPlans.get(routeKey(route))?.skip;
    for (const draft of methodRequestClauses(api, route, 'end', answersOf(route, settings)))
      add(builder, {
        ...draft,
        ...(skip === undefined || draft.send.authorization === 'none' ? {} : { skip }),
      });
  }
  return builder.clauses;
}

/**
 * What the description's shape leaves out of the contract, each as a sentence for the collection's
 * description and the run's summary: a clause that cannot exist for this API, and why.
 */
export function generationNotes(api: ApiSpec): string[] {
  const notes: string[] = [];
  const missing = undefinedPath(api);
  if ('none' in missing) notes.push(`No "undefined path" clause: ${missing.none}.`);
  // The resource rows (request-clauses.ts) run for each resource with a protected method.
  const guarded = resourcesOf(api).filter((resource) => resource.routes.some(isProtected));
  // Named by the headers the left-out rows send (request-clauses.ts leaves them out, on the same data).
  const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(' or ');
  const pathHeaders = headersSentBy(UNDEFINED_PATH_ROWS);
  if ('none' in missing && guarded.length > 0 && pathHeaders.length > 0) {
    notes.push(
      `No ${quoted(pathHeaders)} clause: ${pathHeaders.length === 1 ? 'it sends' : 'they send'} an undefined path, and ${missing.none}.`,
    );
  }
  const uncarried = guarded.filter((resource) => overrideCarrier(resource) === undefined);
  const carriedHeaders = headersSentBy(CARRIED_ROWS);
  if (uncarried.length > 0 && carriedHeaders.length > 0) {
    notes.push(
      `No ${quoted(carriedHeaders)} clause for ${uncarried.map((resource) => resource.path).join(', ')}: the override rides on an undefined method other than HEAD and OPTIONS, and ${uncarried.length === 1 ? 'this resource leaves' : 'these resources leave'} none.`,
    );
  }
  return notes;
}
