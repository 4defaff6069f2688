/**
 * Reads the routes back out of a synthesized template, in the shape of `api/routes.ts`, so the parity
 * test can compare the two as plain data. Template JSON is `unknown` until these guards narrow it.
 */
import type { ApiSpec } from '../../api/routes.ts';
import { routeKey, scopesOf } from '../../api/spec.ts';
import { isRecord } from '../../common/records.ts';

/** One route as both sides can state it; compared with deepStrictEqual. */
export interface RouteFacts {
  readonly route: string;
  readonly authorization: string;
  readonly authorizer: string | null;
  /** OAuth scopes on the method, sorted; empty when it has none. */
  readonly scopes: readonly string[];
  readonly integration: string;
  readonly integrationTimeoutMs: number | null;
  /** Lambda handler setting: `index.<export>` because NodejsFunction bundles to index.js. */
  readonly lambdaHandler: string | null;
}

type Json = Record<string, unknown>;

export function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

export function resourcesOfType(template: unknown, type: string): Map<string, Json> {
  const resources = field(template, 'Resources');
  if (!isRecord(resources)) throw new Error('Template has no Resources.');
  const found = new Map<string, Json>();
  for (const [id, resource] of Object.entries(resources)) {
    if (isRecord(resource) && resource.Type === type) found.set(id, resource);
  }
  return found;
}

/** `{ Ref: id }` → id; the root resource (`Fn::GetAtt [api, RootResourceId]`) → null. */
function refOrRoot(value: unknown): string | null {
  const ref = field(value, 'Ref');
  if (typeof ref === 'string') return ref;
  const getAtt = field(value, 'Fn::GetAtt');
  if (Array.isArray(getAtt) && getAtt[1] === 'RootResourceId') return null;
  throw new Error(`Unexpected resource reference ${JSON.stringify(value)}.`);
}

function resourcePath(template: unknown, resourceId: string | null): string {
  if (resourceId === null) return '/';
  const resource = resourcesOfType(template, 'AWS::ApiGateway::Resource').get(resourceId);
  const part = field(resource, 'Properties', 'PathPart');
  if (typeof part !== 'string') throw new Error(`Resource ${resourceId} has no PathPart.`);
  const parent = resourcePath(template, refOrRoot(field(resource, 'Properties', 'ParentId')));
  return parent === '/' ? `/${part}` : `${parent}/${part}`;
}

/** The Lambda a proxy integration URI points at (`Fn::Join` containing `Fn::GetAtt [fn, Arn]`). */
function integratedFunctionId(uri: unknown): string | null {
  const parts = field(uri, 'Fn::Join');
  const pieces: unknown = Array.isArray(parts) ? parts[1] : undefined;
  if (!Array.isArray(pieces)) return null;
  for (const piece of pieces) {
    const getAtt = field(piece, 'Fn::GetAtt');
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return null;
}

export function routesFromTemplate(template: unknown): RouteFacts[] {
  const authorizers = resourcesOfType(template, 'AWS::ApiGateway::Authorizer');
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  const facts: RouteFacts[] = [];
  for (const method of resourcesOfType(template, 'AWS::ApiGateway::Method').values()) {
    const props = field(method, 'Properties');
    const authorizerRef = field(props, 'AuthorizerId', 'Ref');
    const authorizerName =
      typeof authorizerRef === 'string' ? field(authorizers.get(authorizerRef), 'Properties', 'Name') : null;
    const functionId = integratedFunctionId(field(props, 'Integration', 'Uri'));
    const handler = functionId === null ? null : field(functions.get(functionId), 'Properties', 'Handler');
    const timeout = field(props, 'Integration', 'TimeoutInMillis');
    const scopes = field(props, 'AuthorizationScopes');
    facts.push({
      route: `${String(field(props, 'HttpMethod'))} ${resourcePath(template, refOrRoot(field(props, 'ResourceId')))}`,
      authorization: String(field(props, 'AuthorizationType')),
      authorizer: typeof authorizerName === 'string' ? authorizerName : null,
      scopes: Array.isArray(scopes) ? scopes.map(String).sort() : [],
      integration: String(field(props, 'Integration', 'Type')),
      integrationTimeoutMs: typeof timeout === 'number' ? timeout : null,
      lambdaHandler: typeof handler === 'string' ? handler : null,
    });
  }
  return facts.sort((a, b) => a.route.localeCompare(b.route));
}

/** Route (`GET /hello`) → logical id of the Lambda its proxy integration invokes. */
export function functionIdsByRoute(template: unknown): Map<string, string | null> {
  const byRoute = new Map<string, string | null>();
  for (const method of resourcesOfType(template, 'AWS::ApiGateway::Method').values()) {
    const props = field(method, 'Properties');
    const route = `${String(field(props, 'HttpMethod'))} ${resourcePath(template, refOrRoot(field(props, 'ResourceId')))}`;
    byRoute.set(route, integratedFunctionId(field(props, 'Integration', 'Uri')));
  }
  return byRoute;
}

export function routesFromSpec(spec: ApiSpec): RouteFacts[] {
  return spec.routes
    .map((route) => ({
      route: routeKey(route),
      authorization: route.protection.kind === 'cognito' ? 'COGNITO_USER_POOLS' : 'NONE',
      authorizer: route.protection.kind === 'cognito' ? route.protection.authorizer : null,
      scopes: [...scopesOf(route)].sort(),
      // The CDK app deploys Lambda proxy routes only (infra/rest-api-from-spec.ts refuses others).
      integration: route.integration ?? 'AWS_PROXY',
      integrationTimeoutMs: spec.integrationTimeoutMs,
      lambdaHandler: route.handler === undefined ? null : `index.${route.handler.exportName}`,
    }))
    .sort((a, b) => a.route.localeCompare(b.route));
}
