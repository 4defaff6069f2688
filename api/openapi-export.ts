/**
 * Reads an OpenAPI description of an API Gateway REST API: an export of a deployed stage in OpenAPI 3
 * or Swagger 2 (any `extensions=` choice), or the body of a SAM / CloudFormation API
 * (`DefinitionBody`, `Body`). Swagger 2 is read by a small mapping, not converted: the reader needs only
 * what both versions spell alike (`paths`, `security`, the `x-amazon-apigateway-*` extensions) and the
 * two places they differ (`securityDefinitions` for `components.securitySchemes`, `basePath` for
 * `servers`).
 *
 *   aws apigateway get-export --rest-api-id ID --stage-name STAGE --export-type oas30 \
 *     --parameters extensions=apigateway api.json
 *
 * How the extensions are read (docs/reference.md §9): a Cognito authorizer is a security scheme with
 * `x-amazon-apigateway-authtype: cognito_user_pools`; IAM is `awsSigv4`; a Lambda authorizer has
 * `x-amazon-apigateway-authorizer.type` `token` or `request`; an API key is the `x-api-key` header
 * scheme (`api_key`). An operation lists its scheme in `security` (a Cognito one with its scopes), or
 * says `x-amazon-apigateway-auth: {type: AWS_IAM}`; without either it has no authorizer. Every
 * defect is collected and reported once (api/problems.ts).
 */
import { isRecord } from '../common/records.ts';
import {
  type AuthorizerDecl,
  assemble,
  cognitoAuthorizer,
  type MethodDecl,
  RESOURCE_PATH,
  userPoolsOf,
} from './assemble.ts';
import { Intrinsics } from './intrinsics.ts';
import { at, Problems } from './problems.ts';
import type { ApiSpec, AuthorizedAnswer, HttpMethod, IntegrationType, Protection } from './spec.ts';
import { HTTP_METHODS } from './spec.ts';

type Json = Record<string, unknown>;

const INTEGRATION_TYPES: Readonly<Record<string, IntegrationType>> = {
  aws_proxy: 'AWS_PROXY',
  aws: 'AWS',
  http_proxy: 'HTTP_PROXY',
  http: 'HTTP',
  mock: 'MOCK',
};

/** The vendor extension a user may add to an operation to pin what an authorized call answers. */
export const EXPECT_EXTENSION = 'x-contract-authorized';

const ANY_METHOD = 'x-amazon-apigateway-any-method';

export const HOW_TO_EXPORT =
  'export the stage again with `aws apigateway get-export --rest-api-id ID --stage-name STAGE --export-type oas30 --parameters extensions=apigateway FILE`';

/** What an unknown scheme was, so a method using it can say so (and nothing is said when unused). */
type SchemeEntry = AuthorizerDecl | { readonly kind: 'unknown'; readonly id: string; readonly what: string };

export interface BodyContext {
  /** JSON path of the body in its file ('' for an export; `Resources.Api.Properties.DefinitionBody` in a template). */
  readonly base: string;
  readonly problems: Problems;
  readonly intrinsics: Intrinsics;
  /** Authorizers declared outside the body (SAM's `Auth.Authorizers`), by id. */
  readonly outside?: ReadonlyMap<string, AuthorizerDecl>;
  /** The fix for a defect in the body (re-export, or edit the template). */
  readonly fix: string;
  /**
   * SAM's `Auth.DefaultAuthorizer` of the API whose `DefinitionBody` this is: SAM adds it to every method
   * of the body that names no authorizer of `outside` (nor `AWS_IAM`) and is not marked `NONE`, OPTIONS
   * included unless `AddDefaultAuthorizerToCorsPreflight` is false.
   */
  readonly defaultAuthorizer?: { readonly name: string; readonly preflight: boolean };
  /**
   * SAM's `Auth.ApiKeyRequired: true` on that API: SAM requires an API key on every method of the body,
   * OPTIONS included unless `AddApiKeyRequiredToCorsPreflight` is false (set_path_default_apikey_required).
   */
  readonly defaultApiKey?: { readonly preflight: boolean };
}

/**
 * The security SAM writes on a method of a DefinitionBody, or undefined where SAM leaves the method as it
 * is. SAM reads and writes the method's own `security` only, never the document's, in two steps:
 * - the API's default authorizer (samtranslator's set_path_default_authorizer): a method naming an
 *   authorizer of `outside` (or `AWS_IAM`) keeps it, one marked `NONE` gets none, any other gets
 *   `{Default: []}` beside what it lists (an API key);
 * - the API's ApiKeyRequired (set_path_default_apikey_required): `{api_key: []}` beside the rest, but
 *   taken off OPTIONS when AddApiKeyRequiredToCorsPreflight is false.
 * A method SAM gives a requirement then overrides the document-level one, as any method-level one does.
 */
function samMethodSecurity(
  security: unknown,
  method: HttpMethod | 'ANY',
  context: BodyContext,
): unknown[] | undefined {
  if (security !== undefined && !Array.isArray(security)) return undefined;
  if (!(security ?? []).every(isRecord)) return undefined;
  let written = security as Json[] | undefined;
  const fallback = context.defaultAuthorizer;
  if (fallback !== undefined && (method !== 'OPTIONS' || fallback.preflight)) {
    const entries = written ?? [];
    const names = new Set(['AWS_IAM', ...(context.outside?.keys() ?? [])]);
    const namesAuthorizer = (entry: Json) => Object.keys(entry).some((key) => names.has(key));
    const others = entries.filter((entry) => !namesAuthorizer(entry));
    const none = others.findIndex((entry) => 'NONE' in entry);
    if (none !== -1) {
      const kept = others.filter((_, index) => index !== none);
      if (kept.length > 0) written = kept;
    } else {
      const authorizers = entries.filter(namesAuthorizer);
      written = [...others, ...(authorizers.length > 0 ? authorizers : [{ [fallback.name]: [] }])];
    }
  }
  const apiKey = context.defaultApiKey;
  if (apiKey !== undefined) {
    const others = (written ?? []).filter((entry) => !(SAM_API_KEY in entry));
    const wanted = method !== 'OPTIONS' || apiKey.preflight ? [...others, { [SAM_API_KEY]: [] }] : others;
    if (wanted.length > 0 || written !== undefined) written = wanted;
  }
  return written === security ? undefined : written;
}

/** The API key scheme SAM defines in a body whose API sets Auth.ApiKeyRequired (add_apikey_security_definition). */
const SAM_API_KEY = 'api_key';

export interface BodyRead {
  readonly name: string | undefined;
  readonly stage: string | undefined;
  readonly stageWhere: string;
  readonly authorizers: readonly AuthorizerDecl[];
  readonly methods: readonly MethodDecl[];
}

const IDENTITY_SOURCE = /^method\.request\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/;

function readScheme(id: string, scheme: Json, where: string, context: BodyContext): SchemeEntry | undefined {
  const { problems } = context;
  const authtype = String(scheme['x-amazon-apigateway-authtype'] ?? '').toLowerCase();
  const authorizer = scheme['x-amazon-apigateway-authorizer'];
  const authorizerType = isRecord(authorizer) ? String(authorizer.type ?? '').toLowerCase() : '';
  if (authtype === 'cognito_user_pools' || authorizerType === 'cognito_user_pools') {
    if (authorizer === undefined) {
      // What `get-export` writes without extensions=authorizers or apigateway: the type, not the pools.
      return problems.refuse(
        id,
        where,
        'is a Cognito user pool authorizer without x-amazon-apigateway-authorizer, so the file does not say which user pools it accepts (an export made without extensions=authorizers or extensions=apigateway)',
        context.fix,
      );
    }
    const arns = isRecord(authorizer) ? authorizer.providerARNs : undefined;
    const pools = userPoolsOf(Array.isArray(arns) ? arns : [], (arn) => context.intrinsics.pool(arn));
    if (pools === undefined) {
      return problems.refuse(
        id,
        at(where, 'x-amazon-apigateway-authorizer', 'providerARNs'),
        'is not a list of user pool ARNs',
        `list the pools, e.g. ["arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID"], or ${context.fix}`,
      );
    }
    const source = isRecord(authorizer) ? authorizer.identitySource : undefined;
    const fromSource = typeof source === 'string' ? IDENTITY_SOURCE.exec(source)?.[1] : undefined;
    if (typeof source === 'string' && fromSource === undefined) {
      return problems.refuse(
        id,
        at(where, 'x-amazon-apigateway-authorizer', 'identitySource'),
        `is ${JSON.stringify(source)}, but a Cognito authorizer reads its token from one request header`,
        'write it as method.request.header.NAME',
      );
    }
    if (fromSource === undefined && scheme.in !== undefined && scheme.in !== 'header') {
      return problems.refuse(
        id,
        at(where, 'in'),
        `is ${JSON.stringify(scheme.in)}, but a Cognito authorizer reads its token from a request header`,
        'set "in": "header" and "name" to the header (Authorization unless the authorizer names another)',
      );
    }
    const named = typeof scheme.name === 'string' && scheme.name !== '' ? scheme.name : undefined;
    if (fromSource !== undefined && named !== undefined && fromSource.toLowerCase() !== named.toLowerCase()) {
      return problems.refuse(
        id,
        where,
        `names the header ${named} but its identitySource reads ${fromSource}`,
        'make them agree (the identity source is the header the authorizer reads)',
      );
    }
    const header = fromSource ?? named ?? 'Authorization';
    return cognitoAuthorizer({
      id,
      pools,
      identityHeader: header,
      ttl: isRecord(authorizer) ? authorizer.authorizerResultTtlInSeconds : undefined,
      // An export without the TTL: 0, so the contract sees a changed authorizer at once.
      defaultTtlSeconds: 0,
    });
  }
  if (authtype === 'awssigv4') return { kind: 'iam', id };
  if (authorizerType === 'token' || authorizerType === 'request' || authtype === 'custom') {
    return { kind: 'lambda', id, type: authorizerType === 'request' ? 'REQUEST' : 'TOKEN' };
  }
  if (
    authtype === '' &&
    scheme.type === 'apiKey' &&
    scheme.in === 'header' &&
    typeof scheme.name === 'string' &&
    scheme.name.toLowerCase() === 'x-api-key'
  ) {
    return { kind: 'api-key', id };
  }
  const what =
    authtype !== ''
      ? `the ${authtype} authorizer`
      : scheme.type === 'apiKey'
        ? `an authorizer whose type the file does not say (no x-amazon-apigateway-authtype: an export made without extensions=apigateway or extensions=authorizers)`
        : `a ${String(scheme.type ?? 'untyped')} scheme, which API Gateway REST APIs do not use`;
  return { kind: 'unknown', id, what };
}

function readSchemes(document: Json, swagger: boolean, context: BodyContext): Map<string, SchemeEntry> {
  const schemes = new Map<string, SchemeEntry>();
  for (const [id, declared] of context.outside ?? []) schemes.set(id, declared);
  // SAM defines the API key scheme it requires (add_apikey_security_definition); the body's own wins.
  if (context.defaultApiKey !== undefined) schemes.set(SAM_API_KEY, { kind: 'api-key', id: SAM_API_KEY });
  const where = swagger
    ? at(context.base, 'securityDefinitions')
    : at(context.base, 'components', 'securitySchemes');
  const components = document.components;
  const raw = swagger
    ? document.securityDefinitions
    : isRecord(components)
      ? components.securitySchemes
      : undefined;
  if (raw === undefined) return schemes;
  if (!isRecord(raw)) {
    context.problems.add(where, 'is not an object', context.fix);
    return schemes;
  }
  for (const [id, scheme] of Object.entries(raw)) {
    if (!isRecord(scheme)) {
      context.problems.refuse(id, at(where, id), 'is not an object', context.fix);
      continue;
    }
    const entry = readScheme(id, scheme, at(where, id), context);
    if (entry !== undefined) schemes.set(id, entry);
  }
  return schemes;
}

interface Security {
  readonly protection: Protection;
  readonly apiKeyRequired: boolean;
}

const NONE: Security = { protection: { kind: 'none' }, apiKeyRequired: false };

function readSecurity(
  security: unknown,
  where: string,
  schemes: ReadonlyMap<string, SchemeEntry>,
  context: BodyContext,
  definedAt: string,
): Security | undefined {
  const { problems } = context;
  if (security === undefined) return NONE;
  if (!Array.isArray(security)) {
    problems.add(where, 'is not a list of security requirements', context.fix);
    return undefined;
  }
  if (security.length === 0) return NONE;
  // API Gateway has no alternatives: what the requirements name together is the method's one authorizer
  // and whether it wants an API key. SAM's output (and bodies written like it) list that pair as two
  // requirements, `[{"api_key": []}, {"MyAuthorizer": []}]` (SAM's set_path_default_apikey_required);
  // two authorizers are refused below, wherever they are listed.
  const named: (readonly [string, unknown, string])[] = [];
  for (const [index, requirement] of security.entries()) {
    if (!isRecord(requirement)) {
      problems.add(at(where, index), 'is not a security requirement object', context.fix);
      return undefined;
    }
    if (security.length > 1 && Object.keys(requirement).length === 0) {
      problems.add(
        at(where, index),
        'is an empty requirement, which makes the others optional, and an API Gateway method cannot be',
        `remove it, or ${context.fix}`,
      );
      return undefined;
    }
    for (const [id, scopes] of Object.entries(requirement)) named.push([id, scopes, at(where, index, id)]);
  }
  let protection: Protection | undefined;
  let apiKeyRequired = false;
  for (const [id, scopes, here] of named) {
    if (problems.refused.has(id)) return undefined;
    // SAM writes `NONE` for "no authorizer" (Auth.Authorizer: NONE) into the bodies it generates.
    if (id === 'NONE' && !schemes.has(id)) continue;
    const scheme = schemes.get(id);
    if (scheme === undefined) {
      return problems.refuse(
        id,
        here,
        `names the scheme "${id}", which ${definedAt} does not define`,
        `define it there or remove it`,
      );
    }
    if (scheme.kind === 'unknown') {
      return problems.refuse(id, here, `uses "${id}", ${scheme.what}`, context.fix);
    }
    if (scheme.kind === 'api-key') {
      apiKeyRequired = true;
      continue;
    }
    if (protection !== undefined) {
      problems.add(
        where,
        'names two authorizers, but an API Gateway method has one',
        `keep one (an API key, api_key, may go with it), or ${context.fix}`,
      );
      return undefined;
    }
    if (scheme.kind === 'iam') protection = { kind: 'iam' };
    else if (scheme.kind === 'lambda') protection = { kind: 'lambda', authorizer: id };
    else {
      if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || scope === '')) {
        problems.add(here, 'is not a list of OAuth scope names', `write [] or ["resource-server/scope"]`);
        return undefined;
      }
      const listed = scopes as string[];
      protection = {
        kind: 'cognito',
        authorizer: id,
        scopes: listed.length > 0 ? listed : (scheme.defaultScopes ?? []),
      };
    }
  }
  return { protection: protection ?? { kind: 'none' }, apiKeyRequired };
}

function readExpected(operation: Json, where: string, problems: Problems): AuthorizedAnswer | undefined {
  const raw = operation[EXPECT_EXTENSION];
  if (raw === undefined) return undefined;
  if (
    !isRecord(raw) ||
    typeof raw.status !== 'number' ||
    !Number.isInteger(raw.status) ||
    raw.status < 100 ||
    raw.status > 599 ||
    (raw.body !== undefined && typeof raw.body !== 'string') ||
    (raw.contentType !== undefined && typeof raw.contentType !== 'string')
  ) {
    problems.add(
      at(where, EXPECT_EXTENSION),
      'is not {"status": <number>, "body"?: <string>, "contentType"?: <string>}',
      'correct it or remove it',
    );
    return undefined;
  }
  return {
    status: raw.status,
    ...(typeof raw.body === 'string' ? { body: raw.body } : {}),
    ...(typeof raw.contentType === 'string' ? { contentType: raw.contentType } : {}),
  };
}

function readStage(document: Json, swagger: boolean, base: string): { stage?: string; where: string } {
  if (swagger) {
    const basePath = document.basePath;
    const where = at(base, 'basePath');
    if (typeof basePath === 'string') {
      const name = /^\/?([\w-]+)\/?$/.exec(basePath)?.[1];
      if (name !== undefined) return { stage: name, where };
    }
    return { where };
  }
  const where = at(base, 'servers');
  const servers = document.servers;
  const server: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (isRecord(server)) {
    const variables = server.variables;
    const basePath = isRecord(variables) ? variables.basePath : undefined;
    const fromVariable = isRecord(basePath) ? basePath.default : undefined;
    if (typeof fromVariable === 'string' && /^\/?[\w-]+$/.test(fromVariable)) {
      return { stage: fromVariable.replace(/^\//, ''), where };
    }
    if (typeof server.url === 'string') {
      const last = /\/([\w-]+)\/?$/.exec(server.url.replace(/\{basePath\}/, ''))?.[1];
      if (last !== undefined && !last.includes('.')) return { stage: last, where };
    }
  }
  return { where };
}

/** Reads an OpenAPI 3 or Swagger 2 body (untrusted, already parsed) into authorizers and declared methods. */
export function readBody(document: Json, context: BodyContext): BodyRead {
  const { problems, base } = context;
  const swagger = document.swagger !== undefined && document.openapi === undefined;
  const definedAt = swagger ? at(base, 'securityDefinitions') : at(base, 'components.securitySchemes');
  const schemes = readSchemes(document, swagger, context);
  const { stage, where: stageWhere } = readStage(document, swagger, base);
  const info = document.info;
  const name = isRecord(info) && typeof info.title === 'string' && info.title !== '' ? info.title : undefined;
  const paths = document.paths;
  if (!isRecord(paths) || Object.keys(paths).length === 0) {
    problems.add(at(base, 'paths'), 'is missing or empty: the description has no resource', context.fix);
  }
  const methods: MethodDecl[] = [];
  for (const [path, item] of Object.entries(isRecord(paths) ? paths : {})) {
    const here = at(base, 'paths', path);
    if (!RESOURCE_PATH.test(path)) {
      if (path === '$default') {
        // HTTP APIs (v2) route unmatched requests to `$default`; a REST API has no such resource.
        problems.add(
          here,
          "is an HTTP API's default route, which a REST API does not have",
          'remove it, or give it as a greedy resource such as /{proxy+}',
        );
        continue;
      }
      problems.add(here, 'is not a resource path like /items/{id}', 'correct the path');
      continue;
    }
    if (!isRecord(item)) {
      problems.add(here, 'is not an object', context.fix);
      continue;
    }
    const operations: [HttpMethod | 'ANY', unknown, string][] = [];
    for (const method of HTTP_METHODS) {
      const key = method.toLowerCase();
      if (item[key] !== undefined) operations.push([method, item[key], at(here, key)]);
    }
    if (item[ANY_METHOD] !== undefined) operations.push(['ANY', item[ANY_METHOD], at(here, ANY_METHOD)]);
    for (const [method, operation, where] of operations) {
      if (!isRecord(operation)) {
        problems.add(where, 'is not an operation object', context.fix);
        continue;
      }
      let integration: IntegrationType | undefined;
      const declared = operation['x-amazon-apigateway-integration'];
      if (isRecord(declared)) {
        integration =
          typeof declared.type === 'string' ? INTEGRATION_TYPES[declared.type.toLowerCase()] : undefined;
        if (integration === undefined) {
          problems.add(
            at(where, 'x-amazon-apigateway-integration', 'type'),
            `is not one of ${Object.keys(INTEGRATION_TYPES).join(', ')}`,
            context.fix,
          );
          continue;
        }
      }
      const auth = operation['x-amazon-apigateway-auth'];
      const authType = isRecord(auth) && typeof auth.type === 'string' ? auth.type.toUpperCase() : undefined;
      // The method's own requirement (as SAM leaves it, in a template), else the document's.
      const own = samMethodSecurity(operation.security, method, context) ?? operation.security;
      const security =
        authType === 'AWS_IAM'
          ? { protection: { kind: 'iam' as const }, apiKeyRequired: false }
          : readSecurity(
              own ?? document.security,
              own === undefined ? at(base, 'security') : at(where, 'security'),
              schemes,
              context,
              definedAt,
            );
      if (security === undefined) continue;
      const authorized = readExpected(operation, where, problems);
      methods.push({
        method,
        path,
        where,
        protection: security.protection,
        ...(security.apiKeyRequired ? { apiKeyRequired: true } : {}),
        ...(integration ? { integration } : {}),
        ...(authorized ? { authorized } : {}),
      });
    }
  }
  const authorizers = [...schemes.values()].filter(
    (entry): entry is AuthorizerDecl => entry.kind !== 'unknown',
  );
  return { name, stage, stageWhere, authorizers, methods };
}

/** Reads an export that is already parsed (untrusted JSON) into an ApiSpec, or throws one UsageError naming every defect. */
export function apiSpecFromExport(
  json: unknown,
  source: { path: string; sha256: string },
  options: { stage?: string } = {},
): ApiSpec {
  const problems = new Problems();
  const document = isRecord(json) ? json : {};
  const swagger = document.swagger !== undefined && document.openapi === undefined;
  if (!isRecord(json) || (!swagger && !(typeof json.openapi === 'string' && json.openapi.startsWith('3.')))) {
    problems.add('openapi', 'is missing: this is not an OpenAPI 3 or Swagger 2 document', HOW_TO_EXPORT);
    problems.throwIfAny(source.path);
  }
  const read = readBody(document, {
    base: '',
    problems,
    intrinsics: new Intrinsics(undefined),
    fix: HOW_TO_EXPORT,
  });
  return assemble({
    name: read.name ?? 'api',
    stage: read.stage,
    stageWhere: read.stageWhere,
    stageOverride: options.stage,
    authorizers: read.authorizers,
    methods: read.methods,
    source: { kind: swagger ? 'swagger' : 'openapi', path: source.path, sha256: source.sha256 },
    authorizersWhere: swagger ? 'securityDefinitions' : 'components.securitySchemes',
    problems,
    file: source.path,
  });
}
