/**
 * Finds the route for a method and a path below the stage, as API Gateway does: literal resources
 * first (`/items/special` before `/items/{id}`), then resources with path parameters (`{name}` is one
 * non-empty segment, `{name+}` one or more), fewer parameters first. The literal case is one Map lookup:
 * it is on every request's path.
 */
import type { LambdaHandler } from './integration.ts';

export interface GatewayRoute {
  readonly method: string;
  readonly resource: string;
  /**
   * API Gateway's authorizationType: `AWS_IAM` and `CUSTOM` (a Lambda authorizer) are answered without
   * reaching the integration, since the local stack neither checks SigV4 nor runs a team's authorizer
   * (docs/reference.md §14).
   */
  readonly authorization: 'COGNITO_USER_POOLS' | 'AWS_IAM' | 'CUSTOM' | 'NONE';
  /** The method requires an API key in `x-api-key`; without the stack's key the answer is 403 Forbidden. */
  readonly apiKeyRequired?: boolean;
  /** OAuth scopes the method requires (empty: ID tokens). */
  readonly scopes: readonly string[];
  readonly functionName: string;
  readonly handler: LambdaHandler;
}

export interface RouteMatch {
  readonly route: GatewayRoute;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

interface Pattern {
  readonly route: GatewayRoute;
  readonly regex: RegExp;
  readonly names: readonly string[];
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
  for (const route of routes) {
    const names: string[] = [];
    const source = route.resource
      .split('/')
      .map((segment) => {
        const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
        if (parameter === null) return escapeRegExp(segment);
        names.push(parameter[1] ?? '');
        return parameter[2] === '+' ? '(.+)' : '([^/]+)';
      })
      .join('/');
    if (names.length === 0) literal.set(`${route.method} ${route.resource}`, { route, pathParameters: null });
    else patterns.push({ route, regex: new RegExp(`^${source}$`), names });
  }
  patterns.sort((a, b) => a.names.length - b.names.length);
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
      return { route: pattern.route, pathParameters };
    }
    return undefined;
  };
}
