/**
 * Views of an API description that the contract, the coverage check and the local stack share: its
 * resources, the methods each does not define, requestable paths, and which methods lack an authorizer.
 */
import { type ApiSpec, HTTP_METHODS, type HttpMethod, type RouteSpec, routeKey, scopesOf } from './spec.ts';

/** What a path parameter is filled with in a request: a value no real resource is likely to have. */
export const PATH_PLACEHOLDER = 'contract-placeholder';

export interface Resource {
  readonly path: string;
  readonly routes: readonly RouteSpec[];
  /**
   * Methods the resource does not define, in HTTP_METHODS order, leaving out those a greedy resource
   * (`{name+}`) that also matches the resource's request path defines: which of the two answers such a
   * request is not asserted (docs/reference.md §14).
   */
  readonly undefinedMethods: readonly HttpMethod[];
}

/** A `{name+}` segment: the resource matches its own path and every path below it (docs/reference.md §14). */
export function isGreedy(resource: string): boolean {
  return /\{[^}]+\+\}$/.test(resource);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The request paths a resource matches, as API Gateway matches them: a literal segment itself, `{name}`
 * one non-empty segment, `{name+}` one or more. Raw, undecoded request paths.
 */
export function resourcePattern(resource: string): RegExp {
  const source = resource
    .split('/')
    .map((segment) => {
      const parameter = /^\{[^}+]+(\+?)\}$/.exec(segment);
      if (parameter === null) return escapeRegExp(segment);
      return parameter[1] === '+' ? '.+' : '[^/]+';
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Each resource of a route list with its compiled pattern, made once per list (generation asks often). */
const matchers = new WeakMap<readonly RouteSpec[], readonly { resource: string; pattern: RegExp }[]>();

/** The resources of the description that match a request path (the resource itself included). */
export function resourcesMatching(api: Pick<ApiSpec, 'routes'>, path: string): string[] {
  let compiled = matchers.get(api.routes);
  if (compiled === undefined) {
    compiled = [...new Set(api.routes.map((route) => route.path))].map((resource) => ({
      resource,
      pattern: resourcePattern(resource),
    }));
    matchers.set(api.routes, compiled);
  }
  return compiled.filter(({ pattern }) => pattern.test(path)).map(({ resource }) => resource);
}

export function resourcesOf(api: ApiSpec): Resource[] {
  const byPath = new Map<string, RouteSpec[]>();
  for (const route of api.routes) {
    const list = byPath.get(route.path) ?? [];
    list.push(route);
    byPath.set(route.path, list);
  }
  return [...byPath].map(([path, routes]) => {
    // A greedy resource other than this one that matches this resource's request path may answer the
    // methods this one lacks: those are not "undefined" here.
    const greedyMethods = new Set(
      resourcesMatching(api, requestPath(path))
        .filter((other) => other !== path && isGreedy(other))
        .flatMap((other) => (byPath.get(other) ?? []).map((route) => route.method)),
    );
    return {
      path,
      routes,
      undefinedMethods: HTTP_METHODS.filter(
        (method) => !routes.some((route) => route.method === method) && !greedyMethods.has(method),
      ),
    };
  });
}

/** The resource path with every `{param}` / `{param+}` filled: what a request asks for. */
export function requestPath(resource: string): string {
  return resource.replace(/\{[^}]+\}/g, PATH_PLACEHOLDER);
}

export interface PathVariant {
  readonly label: string;
  readonly path: string;
}

/**
 * Spellings of a defined resource's path that are not the resource: API Gateway's answer to each is
 * open (docs/reference.md §8), but none may reach the integration without a token. With the description
 * given, a spelling that one of its resources matches (a greedy `{proxy+}` or a `{param}` takes
 * `/Hello` as well as `/hello`) is left out: that resource may legitimately answer it.
 */
export function pathVariants(resource: string, api?: Pick<ApiSpec, 'routes'>): readonly PathVariant[] {
  const path = requestPath(resource);
  const segments = resource.split('/').filter((segment) => segment !== '');
  const variants: PathVariant[] = [
    { label: 'with a trailing slash', path: `${path}/` },
    { label: 'with a doubled slash', path: `/${path}` },
  ];
  // Case and encoding change a literal segment: a path parameter's value is any text, so changing it
  // would still be the resource.
  let index = segments.length - 1;
  while (index >= 0 && (segments[index] ?? '').startsWith('{')) index -= 1;
  const literal = segments[index] ?? '';
  const letter = /[a-z]/i.exec(literal);
  if (letter !== null) {
    const filled = (replacement: string) =>
      requestPath(`/${segments.map((segment, at) => (at === index ? replacement : segment)).join('/')}`);
    const other = (char: string) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase());
    variants.push({ label: 'in other case', path: filled([...literal].map(other).join('')) });
    const at = letter.index;
    const code = (literal.codePointAt(at) ?? 0).toString(16).toUpperCase().padStart(2, '0');
    variants.push({
      label: 'percent-encoded',
      path: filled(`${literal.slice(0, at)}%${code}${literal.slice(at + 1)}`),
    });
  }
  if (api === undefined) return variants;
  return variants.filter((variant) => resourcesMatching(api, variant.path).length === 0);
}

/** A path no resource of the description matches, or why there is none. */
export type UndefinedPath =
  | { readonly path: string }
  | {
      readonly none: string;
    };

const UNDEFINED_CANDIDATES = ['/no-such-resource', '/no-such-resource/no-such-child'];

/**
 * A path no resource of the description matches (greedy resources included: a root `/{proxy+}` takes
 * every path but `/`), or the reason there is none.
 */
export function undefinedPath(api: Pick<ApiSpec, 'routes'>): UndefinedPath {
  for (const base of UNDEFINED_CANDIDATES) {
    let candidate = base;
    for (let n = 2; n < 100 && resourcesMatching(api, candidate).length > 0; n += 1) {
      candidate = `${base}-${n}`;
    }
    if (resourcesMatching(api, candidate).length === 0) return { path: candidate };
  }
  const catchAll = [...new Set(api.routes.map((route) => route.path))].filter(
    (resource) => resourcePattern(resource).test('/no-such-resource') && /^\/\{[^}]+\}/.test(resource),
  );
  return {
    none: `every path below the stage is matched by ${catchAll.join(', ') || 'a resource'} (a root path parameter${catchAll.some(isGreedy) ? ' that is greedy' : ''}), so no request path is undefined`,
  };
}

/** What protects a method, as the coverage check reports it. */
export type CoverageProtection = 'cognito' | 'cognito-scopes' | 'iam' | 'lambda' | 'api-key' | 'none';

/**
 * How the coverage check names each protection the contract does not test: one wording for the
 * generated clause, its failure message, the console summary and the HTML report.
 */
export const COVERAGE_WORDS: Readonly<
  Record<Exclude<CoverageProtection, 'cognito' | 'cognito-scopes'>, string>
> = {
  iam: 'IAM: not tested by this contract',
  lambda: 'Lambda authorizer: not tested by this contract',
  'api-key': 'API key only: unprotected',
  none: 'no authorizer: unprotected',
};

export function coverageProtection(route: RouteSpec): CoverageProtection {
  switch (route.protection.kind) {
    case 'cognito':
      return scopesOf(route).length > 0 ? 'cognito-scopes' : 'cognito';
    case 'none':
      return route.apiKeyRequired ? 'api-key' : 'none';
    default:
      return route.protection.kind;
  }
}

/** A method behind a Cognito authorizer: the contract tests it; any other must be allow-listed. */
export function isCognitoCovered(protection: CoverageProtection): boolean {
  return protection === 'cognito' || protection === 'cognito-scopes';
}

/**
 * The key a method is allow-listed by: `METHOD /path`, or `ANY /path` for the methods one `ANY`
 * declaration stands for (one declaration, one entry).
 */
export function allowListKey(route: RouteSpec): string {
  return route.declaredAs === 'ANY' ? `ANY ${route.path}` : routeKey(route);
}

export interface CoverageEntry {
  readonly route: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly protection: CoverageProtection;
  readonly scopes: readonly string[];
  /** For methods the contract does not test: whether the allow-list names it. */
  readonly allowListed: boolean;
}

/** Every method of the description with its protection; the ones not behind Cognito must be on the allow-list. */
export function authorizerCoverage(api: ApiSpec, allowList: ReadonlySet<string>): CoverageEntry[] {
  return api.routes.map((route) => {
    const protection = coverageProtection(route);
    return {
      route: routeKey(route),
      method: route.method,
      path: route.path,
      protection,
      scopes: scopesOf(route),
      allowListed: !isCognitoCovered(protection) && allowList.has(allowListKey(route)),
    };
  });
}

/**
 * Parses the allow-list setting: comma-separated `METHOD /path` entries as the description writes the
 * path (e.g. `OPTIONS /items, GET /health, ANY /proxy/{proxy+}`). Returns the entries and the ones that are not well formed.
 */
export function parseAllowList(text: string): { entries: Set<string>; malformed: string[] } {
  const entries = new Set<string>();
  const malformed: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim().replace(/\s+/g, ' ');
    if (entry === '') continue;
    const [method = '', path = ''] = entry.split(' ');
    const verb = method.toUpperCase();
    if (!((HTTP_METHODS as readonly string[]).includes(verb) || verb === 'ANY') || !path.startsWith('/')) {
      malformed.push(entry);
      continue;
    }
    entries.add(`${method.toUpperCase()} ${path}`);
  }
  return { entries, malformed };
}
