/**
 * Reads the API of a SAM or CloudFormation template (a CDK app's `cdk synth` output included), so an API
 * defined in code gets its contract before it is deployed.
 *
 * SAM: an `AWS::Serverless::Api` (its `DefinitionBody`, `Auth` with `Authorizers`, `DefaultAuthorizer`
 * — a name, `AWS_IAM` — `ApiKeyRequired`, `AddDefaultAuthorizerToCorsPreflight`, and `Cors`) and the
 * `Api` events of `AWS::Serverless::Function` and `AWS::Serverless::StateMachine` (per event
 * `Auth.Authorizer`, `NONE`, `AWS_IAM`, `AuthorizationScopes`, `ApiKeyRequired`); events without
 * `RestApiId` belong to SAM's implicit API `ServerlessRestApi`, stage `Prod`. `Globals.Api` applies to
 * each.
 *
 * CloudFormation: an `AWS::ApiGateway::RestApi` with an OpenAPI `Body`, or built from
 * `AWS::ApiGateway::Resource` (parents chained by `Ref` up to `Fn::GetAtt [Api, RootResourceId]`),
 * `AWS::ApiGateway::Method` and `AWS::ApiGateway::Authorizer` resources; the stage from an
 * `AWS::ApiGateway::Stage` or `Deployment`.
 */
import { isRecord } from '../common/records.ts';
import {
  type AuthorizerDecl,
  assemble,
  cognitoAuthorizer,
  type MethodDecl,
  RESOURCE_PATH,
  STAGE_FIX,
  userPoolsOf,
} from './assemble.ts';
import { Intrinsics, spelled } from './intrinsics.ts';
import { type BodyContext, type BodyRead, readBody } from './openapi-export.ts';
import { at, Problems } from './problems.ts';
import type { ApiSpec, HttpMethod, IntegrationType, Protection } from './spec.ts';
import { HTTP_METHODS } from './spec.ts';

type Json = Record<string, unknown>;

const EDIT = 'correct the template';
const IMPLICIT_API = 'ServerlessRestApi';
/** The stage SAM deploys its implicit API to (AWS SAM documentation: "ServerlessRestApi … Prod"). */
const IMPLICIT_STAGE = 'Prod';

export interface TemplateOptions {
  /** --stage: the stage when the template names none; wins when it does. */
  readonly stage?: string;
  /** --api-id: the logical id of the REST API to read, when the template defines several. */
  readonly apiId?: string;
}

interface Source {
  readonly path: string;
  readonly sha256: string;
}

interface Context {
  readonly template: Json;
  readonly resources: Json;
  readonly problems: Problems;
  readonly intrinsics: Intrinsics;
  /** What the reader decided for the user and says so (ApiSpec.notes). */
  readonly notes: string[];
}

/** A Cognito user pool authorizer somewhere in a value: SAM `UserPoolArn`, an OpenAPI body's authtype. */
function mentionsCognito(value: unknown): boolean {
  const text = JSON.stringify(value ?? null);
  return (
    /"UserPoolArn"\s*:/.test(text) || /"x-amazon-apigateway-authtype"\s*:\s*"cognito_user_pools"/i.test(text)
  );
}

function resourcesOfType(context: Context, type: string): [string, Json][] {
  return Object.entries(context.resources).flatMap(([id, resource]) =>
    isRecord(resource) && resource.Type === type
      ? [[id, isRecord(resource.Properties) ? resource.Properties : {}]]
      : [],
  );
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function methodName(value: string): HttpMethod | 'ANY' | undefined {
  const upper = value.toUpperCase();
  if (upper === 'ANY') return 'ANY';
  return (HTTP_METHODS as readonly string[]).includes(upper) ? (upper as HttpMethod) : undefined;
}

/**
 * The one REST API read from a template: the only one, the one `--api-id` names, or, among several, the
 * only one that uses a Cognito user pool authorizer (the API this contract is about; `cognito` says which
 * ids do). The choice among several is recorded in `context.notes`, naming the others and --api-id.
 */
function oneApi(
  context: Context,
  ids: readonly string[],
  chosen: string | undefined,
  cognito: (id: string) => boolean = () => false,
): string | undefined {
  if (chosen === undefined && ids.length > 1) {
    const withCognito = ids.filter(cognito);
    const [only] = withCognito;
    if (withCognito.length === 1 && only !== undefined) {
      context.notes.push(
        `Read the REST API ${only}, the only one of the template's ${ids.length} REST APIs (${ids.join(', ')}) with a Cognito user pool authorizer; choose another with --api-id ID (CONTRACT_API_ID).`,
      );
      return only;
    }
  }
  if (chosen !== undefined) {
    if (ids.includes(chosen)) return chosen;
    context.problems.add(
      'Resources',
      `has no REST API ${JSON.stringify(chosen)} (it defines ${ids.length === 0 ? 'none' : ids.join(', ')})`,
      'give one of those logical ids to --api-id (CONTRACT_API_ID)',
    );
    return undefined;
  }
  if (ids.length === 1) return ids[0];
  // An HTTP API (API Gateway v2) has JWT authorizers, not the REST API's Cognito authorizer.
  const httpApis = Object.entries(context.resources).flatMap(([id, resource]) =>
    isRecord(resource) &&
    (resource.Type === 'AWS::Serverless::HttpApi' || resource.Type === 'AWS::ApiGatewayV2::Api')
      ? [id]
      : [],
  );
  context.problems.add(
    'Resources',
    ids.length > 0
      ? `defines ${ids.length} REST APIs (${ids.join(', ')})`
      : httpApis.length > 0
        ? `defines no REST API, only HTTP APIs (${httpApis.join(', ')}), which this contract does not test`
        : 'defines no REST API',
    ids.length === 0
      ? 'give the template of a REST API (AWS::Serverless::Api, Api events, or AWS::ApiGateway::RestApi)'
      : 'choose one by its logical id with --api-id ID (CONTRACT_API_ID)',
  );
  return undefined;
}

function resolveStage(
  context: Context,
  value: unknown,
  where: string,
  override: string | undefined,
): string | undefined {
  if (override !== undefined || value === undefined) return override;
  const resolved = context.intrinsics.string(value);
  if ('value' in resolved) return resolved.value;
  context.problems.add(where, `is ${spelled(value)}, ${resolved.unresolved}`, STAGE_FIX);
  return 'unresolved';
}

/**
 * A template's OpenAPI body (`Body`, `DefinitionBody`) with its conditions settled: an `Fn::If` whose
 * condition can be decided offline takes its branch; one only a deployment decides is read both ways and
 * accepted when both branches describe the same methods and protections (they differ in integrations,
 * titles, ...), since those are all the contract needs.
 */
function readTemplateBody(
  context: Context,
  value: unknown,
  base: string,
  outside?: ReadonlyMap<string, AuthorizerDecl>,
  samDefaults: Pick<BodyContext, 'defaultAuthorizer' | 'defaultApiKey'> = {},
): BodyRead | undefined {
  const settled = context.intrinsics.settle(value);
  const read = (body: unknown, problems: Problems, where: string) =>
    isRecord(body)
      ? readBody(body, {
          base: where,
          problems,
          intrinsics: context.intrinsics,
          ...(outside ? { outside } : {}),
          ...samDefaults,
          fix: EDIT,
        })
      : undefined;
  if ('value' in settled) {
    const body = read(settled.value, context.problems, base);
    if (body === undefined) context.problems.add(base, 'is not an OpenAPI object', EDIT);
    return body;
  }
  const { condition, branches } = settled.undecided;
  const reads = branches.map((branch, index) => {
    const problems = new Problems();
    return { problems, body: read(branch, problems, at(base, 'Fn::If', index + 1)) };
  });
  const shape = (body: BodyRead | undefined) =>
    body === undefined
      ? undefined
      : JSON.stringify([
          body.methods
            .map((method) => [method.method, method.path, method.protection, method.apiKeyRequired === true])
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
          body.authorizers,
        ]);
  const [first, second] = reads;
  if (
    first?.body !== undefined &&
    first.problems.list.length === 0 &&
    second?.problems.list.length === 0 &&
    shape(first.body) === shape(second.body)
  ) {
    return first.body;
  }
  context.problems.add(
    base,
    `is Fn::If on the condition ${condition}, which only a deployment decides, and its two branches describe different methods or protections`,
    'pass the OpenAPI body the deployed stage uses with --api-spec FILE --stage NAME',
  );
  return undefined;
}

// ---------------------------------------------------------------------------------------------- SAM

function samAuthorizers(context: Context, auth: Json, where: string): Map<string, AuthorizerDecl> {
  const declared = new Map<string, AuthorizerDecl>();
  const authorizers = auth.Authorizers;
  if (!isRecord(authorizers)) return declared;
  for (const [id, raw] of Object.entries(authorizers)) {
    const here = at(where, 'Authorizers', id);
    if (!isRecord(raw)) {
      context.problems.refuse(id, here, 'is not an object', EDIT);
      continue;
    }
    const identity = isRecord(raw.Identity) ? raw.Identity : {};
    const header =
      typeof identity.Header === 'string' && identity.Header !== '' ? identity.Header : 'Authorization';
    if (raw.UserPoolArn !== undefined) {
      const arns: unknown[] = Array.isArray(raw.UserPoolArn) ? raw.UserPoolArn : [raw.UserPoolArn];
      const pools = userPoolsOf(arns, (arn) => context.intrinsics.pool(arn));
      if (pools === undefined) {
        context.problems.refuse(
          id,
          at(here, 'UserPoolArn'),
          'is not a user pool ARN or a list of them',
          EDIT,
        );
        continue;
      }
      declared.set(
        id,
        cognitoAuthorizer({
          id,
          pools,
          identityHeader: header,
          ttl: identity.ReauthorizeEvery,
          defaultTtlSeconds: 300,
          defaultScopes: stringList(raw.AuthorizationScopes),
        }),
      );
    } else if (raw.FunctionArn !== undefined) {
      declared.set(id, {
        kind: 'lambda',
        id,
        type: raw.FunctionPayloadType === 'REQUEST' ? 'REQUEST' : 'TOKEN',
      });
    } else {
      context.problems.refuse(
        id,
        here,
        'has neither UserPoolArn (Cognito) nor FunctionArn (Lambda authorizer)',
        EDIT,
      );
    }
  }
  return declared;
}

function samProtection(
  context: Context,
  name: unknown,
  scopes: unknown,
  authorizers: ReadonlyMap<string, AuthorizerDecl>,
  where: string,
): Protection | undefined {
  if (name === undefined || name === 'NONE') return { kind: 'none' };
  if (name === 'AWS_IAM') return { kind: 'iam' };
  if (typeof name !== 'string') {
    context.problems.add(where, `is ${spelled(name)}, not an authorizer name`, EDIT);
    return undefined;
  }
  if (context.problems.refused.has(name)) return undefined;
  const authorizer = authorizers.get(name);
  if (authorizer === undefined) {
    return context.problems.refuse(
      name,
      where,
      `names the authorizer "${name}", which Auth.Authorizers does not define`,
      'define it there, or write NONE or AWS_IAM',
    );
  }
  if (authorizer.kind === 'lambda') return { kind: 'lambda', authorizer: name };
  if (authorizer.kind !== 'cognito') return { kind: authorizer.kind === 'iam' ? 'iam' : 'none' };
  const listed = stringList(scopes);
  return { kind: 'cognito', authorizer: name, scopes: listed ?? authorizer.defaultScopes ?? [] };
}

/** What reading one template carries: its resources, its problems so far, its intrinsics, its notes. */
function contextOf(template: Json): Context {
  return {
    template,
    resources: isRecord(template.Resources) ? template.Resources : {},
    problems: new Problems(),
    intrinsics: new Intrinsics(template),
    notes: [],
  };
}

/**
 * The API an Api event belongs to: its RestApiId, a `Ref` to an AWS::Serverless::Api or that API's
 * logical id written as a plain string (SAM takes both), or SAM's implicit API when it has none.
 */
function eventApi(
  restApiId: unknown,
  explicit: ReadonlyMap<string, Json>,
  context: Context,
  where: string,
): string | undefined {
  if (restApiId === undefined) return IMPLICIT_API;
  const ref = context.intrinsics.refOf(restApiId);
  if (ref !== undefined) return ref;
  if (typeof restApiId === 'string' && explicit.has(restApiId)) return restApiId;
  context.problems.add(
    where,
    `is ${spelled(restApiId)}, not a reference to an AWS::Serverless::Api of this template`,
    'write !Ref and the logical id of the API the event belongs to, or leave it out for the implicit API',
  );
  return undefined;
}

export function readSam(template: Json, source: Source, options: TemplateOptions = {}): ApiSpec {
  const context = contextOf(template);
  const { problems } = context;
  const explicit = new Map(resourcesOfType(context, 'AWS::Serverless::Api'));
  interface Event {
    readonly api: string;
    readonly method: unknown;
    readonly path: unknown;
    readonly auth: Json;
    readonly where: string;
    readonly integration: IntegrationType;
  }
  const events: Event[] = [];
  // A function's event is a Lambda proxy integration; a state machine's, an AWS integration that
  // starts an execution (SAM's StateMachine Api event: same properties, same Auth).
  const sources = [
    ['AWS::Serverless::Function', 'AWS_PROXY'],
    ['AWS::Serverless::StateMachine', 'AWS'],
  ] as const;
  for (const [type, integration] of sources) {
    for (const [id, props] of resourcesOfType(context, type)) {
      if (!isRecord(props.Events)) continue;
      for (const [name, event] of Object.entries(props.Events)) {
        if (!isRecord(event) || event.Type !== 'Api') continue;
        const properties = isRecord(event.Properties) ? event.Properties : {};
        const where = at('Resources', id, 'Properties', 'Events', name, 'Properties');
        const api = eventApi(properties.RestApiId, explicit, context, at(where, 'RestApiId'));
        if (api === undefined) continue;
        events.push({
          api,
          method: properties.Method,
          path: properties.Path,
          auth: isRecord(properties.Auth) ? properties.Auth : {},
          where,
          integration,
        });
      }
    }
  }
  const ids = [...new Set([...explicit.keys(), ...events.map((event) => event.api)])];
  // A SAM template (Transform) whose REST API is written as plain CloudFormation resources
  // (AWS::ApiGateway::RestApi with its Resources, Methods and Authorizer): SAM passes those through
  // unchanged, so they are read as CloudFormation.
  if (ids.length === 0 && resourcesOfType(context, 'AWS::ApiGateway::RestApi').length > 0) {
    return readCloudFormation(template, source, options);
  }
  const globals = isRecord(template.Globals) && isRecord(template.Globals.Api) ? template.Globals.Api : {};
  const apiId = oneApi(
    context,
    ids,
    options.apiId,
    (candidate) =>
      mentionsCognito(globals.Auth) ||
      mentionsCognito(explicit.get(candidate)?.Auth) ||
      mentionsCognito(explicit.get(candidate)?.DefinitionBody),
  );
  problems.throwIfAny(source.path);
  const id = apiId ?? IMPLICIT_API;
  const own = explicit.get(id) ?? {};
  const props: Json = { ...globals, ...own };
  const where = explicit.has(id) ? at('Resources', id, 'Properties') : 'Globals.Api';
  const auth: Json = {
    ...(isRecord(globals.Auth) ? globals.Auth : {}),
    ...(isRecord(own.Auth) ? own.Auth : {}),
  };
  const authWhere = at(where, 'Auth');
  const authorizers = samAuthorizers(context, auth, authWhere);
  const stage = explicit.has(id)
    ? resolveStage(context, props.StageName, at(where, 'StageName'), options.stage)
    : (options.stage ?? IMPLICIT_STAGE);
  if (explicit.has(id) && stage === undefined) {
    problems.add(at(where, 'StageName'), 'is missing', STAGE_FIX);
  }

  // The API's ApiKeyRequired, as SAM applies it to every method (set_path_default_apikey_required): the
  // body's, the events' that do not say, and the CORS preflight unless AddApiKeyRequiredToCorsPreflight
  // is false.
  const defaultApiKey =
    auth.ApiKeyRequired === true ? { preflight: auth.AddApiKeyRequiredToCorsPreflight !== false } : undefined;
  let body: BodyRead | undefined;
  if (props.DefinitionBody !== undefined) {
    const bodyWhere = at(where, 'DefinitionBody');
    if (isRecord(props.DefinitionBody) && props.DefinitionBody['Fn::Transform'] !== undefined) {
      problems.add(
        bodyWhere,
        'is included at deploy time (Fn::Transform AWS::Include), so it cannot be read offline',
        'pass the included OpenAPI file itself with --api-spec FILE --stage NAME',
      );
    } else {
      // SAM adds the default authorizer to the body's methods that name none (not to those marked NONE),
      // and the API's ApiKeyRequired to every method of the body.
      const fallback = auth.DefaultAuthorizer;
      body = readTemplateBody(context, props.DefinitionBody, bodyWhere, authorizers, {
        ...(typeof fallback === 'string' && authorizers.has(fallback)
          ? {
              defaultAuthorizer: {
                name: fallback,
                preflight: auth.AddDefaultAuthorizerToCorsPreflight !== false,
              },
            }
          : {}),
        ...(defaultApiKey ? { defaultApiKey } : {}),
      });
    }
  } else if (props.DefinitionUri !== undefined) {
    problems.add(
      at(where, 'DefinitionUri'),
      `names its OpenAPI file (${spelled(props.DefinitionUri)}) outside the template`,
      'pass that file itself with --api-spec FILE --stage NAME',
    );
  }

  const defaultName = auth.DefaultAuthorizer;
  const methods: MethodDecl[] = [...(body?.methods ?? [])];
  for (const event of events.filter((candidate) => candidate.api === id)) {
    const method = typeof event.method === 'string' ? methodName(event.method) : undefined;
    if (method === undefined) {
      problems.add(at(event.where, 'Method'), `is ${spelled(event.method)}, not an HTTP method or any`, EDIT);
      continue;
    }
    if (typeof event.path !== 'string' || !RESOURCE_PATH.test(event.path)) {
      problems.add(
        at(event.where, 'Path'),
        `is ${spelled(event.path)}, not a resource path like /items/{id}`,
        EDIT,
      );
      continue;
    }
    const named = event.auth.Authorizer;
    const protection = samProtection(
      context,
      named ?? defaultName,
      event.auth.AuthorizationScopes,
      authorizers,
      named === undefined ? at(authWhere, 'DefaultAuthorizer') : at(event.where, 'Auth', 'Authorizer'),
    );
    if (protection === undefined) continue;
    const apiKey =
      typeof event.auth.ApiKeyRequired === 'boolean'
        ? event.auth.ApiKeyRequired
        : defaultApiKey !== undefined;
    methods.push({
      method,
      path: event.path,
      where: event.where,
      protection,
      ...(apiKey ? { apiKeyRequired: true } : {}),
      integration: event.integration,
    });
  }
  if (props.Cors !== undefined) {
    // SAM adds an OPTIONS method (a MOCK integration) to every path for CORS preflight; the default
    // authorizer guards it unless AddDefaultAuthorizerToCorsPreflight is false.
    const preflight =
      auth.AddDefaultAuthorizerToCorsPreflight === false
        ? ({ kind: 'none' } as const)
        : samProtection(context, defaultName, undefined, authorizers, at(authWhere, 'DefaultAuthorizer'));
    for (const path of new Set(methods.map((method) => method.path))) {
      if (
        preflight === undefined ||
        methods.some((method) => method.path === path && method.method === 'OPTIONS')
      ) {
        continue;
      }
      methods.push({
        method: 'OPTIONS',
        path,
        where: at(where, 'Cors'),
        protection: preflight,
        ...(defaultApiKey?.preflight ? { apiKeyRequired: true } : {}),
        integration: 'MOCK',
      });
    }
  }
  if (
    props.DefinitionBody === undefined &&
    props.DefinitionUri === undefined &&
    !events.some((event) => event.api === id)
  ) {
    problems.add(
      where,
      `defines no method: ${id} has no DefinitionBody and no Api event of a function or state machine names it`,
      'give the template that defines its methods',
    );
  }
  const name = context.intrinsics.string(props.Name);
  const spec = assemble({
    name: 'value' in name ? name.value : (body?.name ?? id),
    stage,
    stageWhere: at(where, 'StageName'),
    stageOverride: options.stage,
    authorizers: [...authorizers.values(), ...(body?.authorizers ?? [])],
    methods,
    source: { kind: 'sam', path: source.path, sha256: source.sha256 },
    authorizersWhere: at(authWhere, 'Authorizers'),
    problems,
    file: source.path,
  });
  return context.notes.length > 0 ? { ...spec, notes: context.notes } : spec;
}

// ------------------------------------------------------------------------------------ CloudFormation

const INTEGRATION_TYPES: Readonly<Record<string, IntegrationType>> = {
  AWS_PROXY: 'AWS_PROXY',
  AWS: 'AWS',
  HTTP_PROXY: 'HTTP_PROXY',
  HTTP: 'HTTP',
  MOCK: 'MOCK',
};

function belongsTo(context: Context, props: Json, apiId: string): boolean {
  return context.intrinsics.refOf(props.RestApiId) === apiId;
}

function cfnAuthorizers(context: Context, apiId: string): Map<string, AuthorizerDecl> {
  const declared = new Map<string, AuthorizerDecl>();
  for (const [id, props] of resourcesOfType(context, 'AWS::ApiGateway::Authorizer')) {
    if (!belongsTo(context, props, apiId)) continue;
    const where = at('Resources', id, 'Properties');
    const type = context.intrinsics.string(props.Type);
    const kind = 'value' in type ? type.value.toUpperCase() : '';
    if (kind === 'TOKEN' || kind === 'REQUEST') {
      declared.set(id, { kind: 'lambda', id, type: kind });
      continue;
    }
    if (kind !== 'COGNITO_USER_POOLS') {
      context.problems.refuse(
        id,
        at(where, 'Type'),
        `is ${spelled(props.Type)}, not COGNITO_USER_POOLS, TOKEN or REQUEST`,
        EDIT,
      );
      continue;
    }
    const arns: unknown[] = Array.isArray(props.ProviderARNs) ? props.ProviderARNs : [];
    const pools = userPoolsOf(arns, (arn) => context.intrinsics.pool(arn));
    if (pools === undefined) {
      context.problems.refuse(id, at(where, 'ProviderARNs'), 'is not a list of user pool ARNs', EDIT);
      continue;
    }
    const source = context.intrinsics.string(props.IdentitySource ?? 'method.request.header.Authorization');
    const header = 'value' in source ? /^method\.request\.header\.(.+)$/.exec(source.value)?.[1] : undefined;
    if (header === undefined) {
      context.problems.refuse(
        id,
        at(where, 'IdentitySource'),
        `is ${spelled(props.IdentitySource)}, but a Cognito authorizer reads its token from one request header`,
        'write it as method.request.header.NAME',
      );
      continue;
    }
    declared.set(
      id,
      cognitoAuthorizer({
        id,
        pools,
        identityHeader: header,
        ttl: props.AuthorizerResultTtlInSeconds,
        defaultTtlSeconds: 300,
      }),
    );
  }
  return declared;
}

function cfnPath(
  context: Context,
  apiId: string,
  value: unknown,
  seen: Set<string> = new Set(),
): string | undefined {
  const getAtt = context.intrinsics.getAttOf(value);
  if (getAtt !== undefined && getAtt[0] === apiId && getAtt[1] === 'RootResourceId') return '/';
  const ref = context.intrinsics.refOf(value);
  if (ref === undefined || seen.has(ref)) return undefined;
  seen.add(ref);
  const resource = context.resources[ref];
  if (
    !isRecord(resource) ||
    resource.Type !== 'AWS::ApiGateway::Resource' ||
    !isRecord(resource.Properties)
  ) {
    return undefined;
  }
  const part = context.intrinsics.string(resource.Properties.PathPart);
  const parent = cfnPath(context, apiId, resource.Properties.ParentId, seen);
  if (!('value' in part) || parent === undefined) return undefined;
  return parent === '/' ? `/${part.value}` : `${parent}/${part.value}`;
}

export function readCloudFormation(template: Json, source: Source, options: TemplateOptions = {}): ApiSpec {
  const context = contextOf(template);
  const { problems } = context;
  const apis = resourcesOfType(context, 'AWS::ApiGateway::RestApi');
  const apiId = oneApi(
    context,
    apis.map(([id]) => id),
    options.apiId,
    (candidate) =>
      mentionsCognito(apis.find(([other]) => other === candidate)?.[1].Body) ||
      resourcesOfType(context, 'AWS::ApiGateway::Authorizer').some(([, props]) => {
        const type = context.intrinsics.string(props.Type);
        return (
          belongsTo(context, props, candidate) &&
          'value' in type &&
          type.value.toUpperCase() === 'COGNITO_USER_POOLS'
        );
      }),
  );
  problems.throwIfAny(source.path);
  const id = apiId ?? '';
  const props = apis.find(([candidate]) => candidate === id)?.[1] ?? {};
  const where = at('Resources', id, 'Properties');

  // The stage: a Stage resource of this API, else a Deployment that names one.
  const stageResource = [
    ...resourcesOfType(context, 'AWS::ApiGateway::Stage').map(([sid, p]) => [sid, p, 'StageName'] as const),
    ...resourcesOfType(context, 'AWS::ApiGateway::Deployment').map(
      ([sid, p]) => [sid, p, 'StageName'] as const,
    ),
  ].find(([, p, field]) => belongsTo(context, p, id) && p[field] !== undefined);
  const stageWhere = stageResource
    ? at('Resources', stageResource[0], 'Properties', 'StageName')
    : at('Resources');
  const stage = resolveStage(context, stageResource?.[1].StageName, stageWhere, options.stage);

  const authorizers = cfnAuthorizers(context, id);
  const methods: MethodDecl[] = [];
  let body: BodyRead | undefined;
  if (props.BodyS3Location !== undefined) {
    problems.add(
      at(where, 'BodyS3Location'),
      'keeps the OpenAPI body in S3, which cannot be read offline',
      'pass the OpenAPI file itself with --api-spec FILE --stage NAME',
    );
  } else if (props.Body !== undefined) {
    body = readTemplateBody(context, props.Body, at(where, 'Body'));
    methods.push(...(body?.methods ?? []));
  }
  for (const [methodId, method] of resourcesOfType(context, 'AWS::ApiGateway::Method')) {
    if (!belongsTo(context, method, id)) continue;
    const here = at('Resources', methodId, 'Properties');
    const path = cfnPath(context, id, method.ResourceId);
    if (path === undefined || !RESOURCE_PATH.test(path)) {
      problems.add(
        at(here, 'ResourceId'),
        `is ${spelled(method.ResourceId)}, which does not lead through AWS::ApiGateway::Resource parents to ${id}'s root`,
        EDIT,
      );
      continue;
    }
    const verb = context.intrinsics.string(method.HttpMethod);
    const name = 'value' in verb ? methodName(verb.value) : undefined;
    if (name === undefined) {
      problems.add(
        at(here, 'HttpMethod'),
        `is ${spelled(method.HttpMethod)}, not an HTTP method or ANY`,
        EDIT,
      );
      continue;
    }
    const typeText = context.intrinsics.string(method.AuthorizationType ?? 'NONE');
    const type = 'value' in typeText ? typeText.value.toUpperCase() : '';
    let protection: Protection | undefined;
    if (type === 'NONE') protection = { kind: 'none' };
    else if (type === 'AWS_IAM') protection = { kind: 'iam' };
    else if (type === 'COGNITO_USER_POOLS' || type === 'CUSTOM') {
      const ref = context.intrinsics.refOf(method.AuthorizerId);
      const authorizer = ref === undefined ? undefined : authorizers.get(ref);
      if (ref !== undefined && problems.refused.has(ref)) continue;
      if (authorizer === undefined) {
        problems.add(
          at(here, 'AuthorizerId'),
          `is ${spelled(method.AuthorizerId)}, not a Ref to an AWS::ApiGateway::Authorizer of ${id}`,
          EDIT,
        );
        continue;
      }
      const scopes = stringList(method.AuthorizationScopes) ?? [];
      protection =
        authorizer.kind === 'cognito'
          ? { kind: 'cognito', authorizer: authorizer.id, scopes }
          : { kind: 'lambda', authorizer: authorizer.id };
    } else {
      problems.add(
        at(here, 'AuthorizationType'),
        `is ${spelled(method.AuthorizationType)}, not NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS`,
        EDIT,
      );
      continue;
    }
    const integration = isRecord(method.Integration)
      ? context.intrinsics.string(method.Integration.Type)
      : undefined;
    const integrationType =
      integration && 'value' in integration ? INTEGRATION_TYPES[integration.value.toUpperCase()] : undefined;
    methods.push({
      method: name,
      path,
      where: here,
      protection,
      ...(method.ApiKeyRequired === true ? { apiKeyRequired: true } : {}),
      ...(integrationType ? { integration: integrationType } : {}),
    });
  }
  if (methods.length === 0 && props.Body === undefined && props.BodyS3Location === undefined) {
    problems.add(
      where,
      `has no Body and no AWS::ApiGateway::Method resources`,
      'give the template that defines its methods',
    );
  }
  const apiName = context.intrinsics.string(props.Name);
  const spec = assemble({
    name: 'value' in apiName ? apiName.value : (body?.name ?? id),
    stage,
    stageWhere,
    stageOverride: options.stage,
    authorizers: [...authorizers.values(), ...(body?.authorizers ?? [])],
    methods,
    source: { kind: 'cloudformation', path: source.path, sha256: source.sha256 },
    authorizersWhere: 'Resources',
    problems,
    file: source.path,
  });
  return context.notes.length > 0 ? { ...spec, notes: context.notes } : spec;
}
