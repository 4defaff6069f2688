/**
 * Finds the route for a method and a path below the stage, as API Gateway does: literal resources
 * first (`/items/special` before `/items/{id}`), then resources with path parameters (`{name}` is one
 * non-empty segment, `{name+}` one or more), compared segment by segment: a literal segment before a
 * `{name}`, a `{name}` before a greedy `{name+}` (so `/items/{id}` wins over `/items/{proxy+}`, and both
 * over a root `/{proxy+}`: docs/reference.md §14). The literal case is one Map lookup: it is on every
 * request's path.
 */
import type { LambdaHandler } from './integration.ts';

export interface GatewayRoute {
  readonly method: string;
  readonly resource: string;
  /**
   * API Gateway's authorizationType: `AWS_IAM` and `CUSTOM` (a Lambda authorizer) are answered without
   * reaching the integration, since the local stack neither checks SigV4 nor runs a team's authorizer
   * (docs/reference.md §15).
   */
  readonly authorization: 'COGNITO_USER_POOLS' | 'AWS_IAM' | 'CUSTOM' | 'NONE';
  /** The method requires an API key in `x-api-key`; without the stack's key the answer is 403 Forbidden. */
  readonly apiKeyRequired?: boolean;
  /** OAuth scopes the method requires (empty: ID tokens). */
  readonly scopes: readonly string[];
  /**
   * The request header the authorizer reads the token from (its identity source
   * `method.request.header.<Name>`), in any letter case; Authorization when absent. The route table
   * lower-cases it once, as Node keys request headers, so a match carries it ready for lookup.
   */
  readonly identityHeader?: string;
  readonly functionName: string;
  readonly handler: LambdaHandler;
}

export interface RouteMatch {
  readonly route: GatewayRoute;
  /** `METHOD /resource`, as the authorizer is told the route: built once per route, not per request. */
  readonly key: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

interface Pattern {
  readonly route: GatewayRoute;
  readonly key: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Per segment: 0 literal, 1 `{name}`, 2 `{name+}`; compared in order, the lower wins. */
  readonly ranks: readonly number[];
}

function byPrecedence(a: Pattern, b: Pattern): number {
  for (let at = 0; at < Math.min(a.ranks.length, b.ranks.length); at += 1) {
    const difference = (a.ranks[at] ?? 0) - (b.ranks[at] ?? 0);
    if (difference !== 0) return difference;
  }
  return b.ranks.length - a.ranks.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function createRouteTable(
  routes: readonly GatewayRoute[],
): (method: string, path: string) => RouteMatch | undefined {
  const literal = new Map<string, RouteMatch>();
  const patterns: Pattern[] = [];
  for (const given of routes) {
    const route =
      given.identityHeader === undefined
        ? given
        : { ...given, identityHeader: given.identityHeader.toLowerCase() };
    const names: string[] = [];
    const ranks: number[] = [];
    const source = route.resource
      .split('/')
      .map((segment) => {
        const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
        if (parameter === null) {
          ranks.push(0);
          return escapeRegExp(segment);
        }
        names.push(parameter[1] ?? '');
        ranks.push(parameter[2] === '+' ? 2 : 1);
        return parameter[2] === '+' ? '(.+)' : '([^/]+)';
      })
      .join('/');
    const key = `${route.method} ${route.resource}`;
    if (names.length === 0) literal.set(key, { route, key, pathParameters: null });
    else patterns.push({ route, key, regex: new RegExp(`^${source}$`), names, ranks });
  }
  patterns.sort(byPrecedence);
  return (method, path) => {
    const exact = literal.get(`${method} ${path}`);
    if (exact !== undefined || patterns.length === 0) return exact;
    for (const pattern of patterns) {
      if (pattern.route.method !== method) continue;
      const found = pattern.regex.exec(path);
      if (found === null) continue;
      const pathParameters: Record<string, string> = {};
      pattern.names.forEach((name, index) => {
        pathParameters[name] = decode(found[index + 1] ?? '');
      });
      return { route: pattern.route, key: pattern.key, pathParameters };
    }
    return undefined;
  };
}
