/**
 * Reads API Gateway's OpenAPI 3 export of a deployed stage into an ApiSpec, so a console-built API (which
 * has no route table) gets its contract generated like the tutorial's:
 *
 *   aws apigateway get-export --rest-api-id ID --stage-name STAGE --export-type oas30 \
 *     --parameters extensions=apigateway api.json
 *
 * What the export says and how it is read (docs/reference.md §9): a Cognito authorizer is a security
 * scheme with `x-amazon-apigateway-authtype: cognito_user_pools`; a protected operation carries
 * `security: [{"<scheme>": []}]` (ID tokens) or `[{"<scheme>": ["scope", ...]}]` (access tokens with one
 * of the scopes); an operation without `security` has no authorizer. The file is untrusted input: every
 * defect is collected and reported in one message, each naming where it is and what to do.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../common/cli-error.ts';
import { isRecord } from '../common/records.ts';
import {
  type ApiSpec,
  type AuthorizedAnswer,
  HTTP_METHODS,
  type HttpMethod,
  type IntegrationType,
  type RouteSpec,
} from './spec.ts';

type Json = Record<string, unknown>;

const INTEGRATION_TYPES: Readonly<Record<string, IntegrationType>> = {
  aws_proxy: 'AWS_PROXY',
  aws: 'AWS',
  http_proxy: 'HTTP_PROXY',
  http: 'HTTP',
  mock: 'MOCK',
};

/** API Gateway's own default; the export states it per integration only when it differs. */
const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/** The vendor extension a user may add to an operation to pin what an authorized call answers. */
export const EXPECT_EXTENSION = 'x-contract-authorized';

const HOW_TO_EXPORT =
  'export the stage again with `aws apigateway get-export --rest-api-id ID --stage-name STAGE --export-type oas30 --parameters extensions=apigateway FILE`';

class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    this.list.push(`${where} ${what}`);
  }
}

interface CognitoScheme {
  readonly name: string;
  readonly providerArns: readonly string[];
  /** The header the token is read from (the scheme's `name`, the authorizer's identity source). */
  readonly header: string;
}

/** `method.request.header.<Name>`, the only identity source a Cognito authorizer takes. */
const IDENTITY_SOURCE = /^method\.request\.header\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/;

/** The security schemes that are Cognito user pool authorizers, by name; others are reported if used. */
function readSchemes(document: Json, problems: Problems): Map<string, CognitoScheme | { other: string }> {
  const schemes = new Map<string, CognitoScheme | { other: string }>();
  const components = document.components;
  const raw = isRecord(components) ? components.securitySchemes : undefined;
  if (raw === undefined) return schemes;
  if (!isRecord(raw)) {
    problems.add('components.securitySchemes', 'is not an object');
    return schemes;
  }
  for (const [name, scheme] of Object.entries(raw)) {
    if (!isRecord(scheme)) {
      problems.add(`components.securitySchemes.${name}`, 'is not an object');
      continue;
    }
    const authtype = scheme['x-amazon-apigateway-authtype'];
    const authorizer = scheme['x-amazon-apigateway-authorizer'];
    if (authtype === 'cognito_user_pools') {
      const arns = isRecord(authorizer) ? authorizer.providerARNs : undefined;
      if (!Array.isArray(arns) || arns.some((arn) => typeof arn !== 'string')) {
        problems.add(
          `components.securitySchemes.${name}.x-amazon-apigateway-authorizer.providerARNs`,
          'is not a list of user pool ARNs',
        );
        continue;
      }
      // The identity source: the scheme's header `name` (Authorization unless the authorizer names
      // another, docs/reference.md §14), which `identitySource` repeats where the export writes it.
      const source = isRecord(authorizer) ? authorizer.identitySource : undefined;
      const fromSource = typeof source === 'string' ? IDENTITY_SOURCE.exec(source)?.[1] : undefined;
      if (source !== undefined && fromSource === undefined) {
        problems.add(
          `components.securitySchemes.${name}.x-amazon-apigateway-authorizer.identitySource`,
          'is not method.request.header.<Name>, the only identity source a Cognito authorizer takes',
        );
        continue;
      }
      if (
        scheme.in !== 'header' ||
        typeof scheme.name !== 'string' ||
        !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(scheme.name)
      ) {
        problems.add(
          `components.securitySchemes.${name}`,
          'does not read the token from a request header (in: header, name: <Header>), which a Cognito authorizer always does',
        );
        continue;
      }
      if (fromSource !== undefined && fromSource.toLowerCase() !== scheme.name.toLowerCase()) {
        problems.add(
          `components.securitySchemes.${name}`,
          `names the header ${scheme.name} but its identitySource reads ${fromSource}: make them agree`,
        );
        continue;
      }
      schemes.set(name, { name, providerArns: arns as string[], header: scheme.name });
    } else {
      schemes.set(name, {
        other: typeof authtype === 'string' ? authtype : String(scheme.type ?? 'unknown'),
      });
    }
  }
  return schemes;
}

interface Authorization {
  readonly authorization: 'COGNITO_USER_POOLS' | 'NONE';
  readonly scopes?: readonly string[];
  readonly scheme?: string;
}

function readSecurity(
  security: unknown,
  where: string,
  schemes: ReadonlyMap<string, CognitoScheme | { other: string }>,
  problems: Problems,
): Authorization | undefined {
  if (security === undefined) return { authorization: 'NONE' };
  if (!Array.isArray(security)) {
    problems.add(`${where}.security`, 'is not a list of security requirements');
    return undefined;
  }
  if (security.length === 0) return { authorization: 'NONE' };
  if (security.length > 1) {
    problems.add(
      `${where}.security`,
      'lists alternative security requirements, which API Gateway does not export for a Cognito authorizer: keep one',
    );
    return undefined;
  }
  const requirement: unknown = security[0];
  if (!isRecord(requirement) || Object.keys(requirement).length === 0) {
    return { authorization: 'NONE' };
  }
  const names = Object.keys(requirement);
  if (names.length > 1) {
    problems.add(
      `${where}.security`,
      `requires several schemes at once (${names.join(', ')}), which this contract does not cover`,
    );
    return undefined;
  }
  const [name = ''] = names;
  const scheme = schemes.get(name);
  if (scheme === undefined) {
    problems.add(
      `${where}.security`,
      `names the scheme "${name}", which components.securitySchemes does not define`,
    );
    return undefined;
  }
  if ('other' in scheme) {
    problems.add(
      `${where}.security`,
      `uses the ${scheme.other} authorizer "${name}"; this contract tests Cognito user pool authorizers only`,
    );
    return undefined;
  }
  const scopes = requirement[name];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || scope === '')) {
    problems.add(`${where}.security.${name}`, 'is not a list of OAuth scope names');
    return undefined;
  }
  return {
    authorization: 'COGNITO_USER_POOLS',
    scheme: name,
    ...(scopes.length > 0 ? { scopes: scopes as string[] } : {}),
  };
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
      `${where}.${EXPECT_EXTENSION}`,
      'is not {"status": <number>, "body"?: <string>, "contentType"?: <string>}',
    );
    return undefined;
  }
  return {
    status: raw.status,
    ...(typeof raw.body === 'string' ? { body: raw.body } : {}),
    ...(typeof raw.contentType === 'string' ? { contentType: raw.contentType } : {}),
  };
}

function readStage(document: Json, problems: Problems): string {
  const servers = document.servers;
  const server: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (isRecord(server)) {
    const variables = server.variables;
    const basePath = isRecord(variables) ? variables.basePath : undefined;
    const fromVariable = isRecord(basePath) ? basePath.default : undefined;
    if (typeof fromVariable === 'string' && /^\/?[\w-]+$/.test(fromVariable))
      return fromVariable.replace(/^\//, '');
    if (typeof server.url === 'string') {
      const last = /\/([\w-]+)\/?$/.exec(server.url.replace(/\{basePath\}/, ''))?.[1];
      if (last !== undefined && !last.includes('.')) return last;
    }
  }
  problems.add('servers', 'names no stage (servers[0].variables.basePath.default)');
  return '';
}

const PATH =
  /^\/(?:[A-Za-z0-9._~-]+|\{[A-Za-z0-9_.-]+\+?\})?(?:\/(?:[A-Za-z0-9._~-]+|\{[A-Za-z0-9_.-]+\+?\}))*$/;

/** Reads an already parsed export (untrusted JSON) into an ApiSpec, or throws one UsageError naming every defect. */
export function apiSpecFromExport(json: unknown, source: { path: string; sha256: string }): ApiSpec {
  const file = source.path;
  if (!isRecord(json)) {
    throw new UsageError(`The API description ${file} is not a JSON object: ${HOW_TO_EXPORT}.`);
  }
  if (typeof json.openapi !== 'string' || !json.openapi.startsWith('3.')) {
    throw new UsageError(
      `The API description ${file} is not an OpenAPI 3 document (no "openapi": "3.x"; a Swagger 2 export has "swagger"): ${HOW_TO_EXPORT}.`,
    );
  }
  const problems = new Problems();
  const schemes = readSchemes(json, problems);
  const stage = readStage(json, problems);
  const info = json.info;
  const name = isRecord(info) && typeof info.title === 'string' && info.title !== '' ? info.title : 'api';
  const paths = json.paths;
  if (!isRecord(paths) || Object.keys(paths).length === 0) {
    problems.add('paths', 'is missing or empty: the export describes no resource');
  }
  const routes: RouteSpec[] = [];
  const usedSchemes = new Set<string>();
  let sawIntegration = false;
  for (const [path, item] of Object.entries(isRecord(paths) ? paths : {})) {
    const at = `paths.${path}`;
    if (!PATH.test(path)) {
      problems.add(at, 'is not a resource path like /items/{id}');
      continue;
    }
    if (!isRecord(item)) {
      problems.add(at, 'is not an object');
      continue;
    }
    const operations: [HttpMethod, unknown, string][] = [];
    for (const method of HTTP_METHODS) {
      const key = method.toLowerCase();
      if (item[key] !== undefined) operations.push([method, item[key], `${at}.${key}`]);
    }
    const any = item['x-amazon-apigateway-any-method'];
    if (any !== undefined) {
      // ANY answers every method the resource does not define by name.
      for (const method of HTTP_METHODS) {
        if (!operations.some(([defined]) => defined === method)) {
          operations.push([method, any, `${at}.x-amazon-apigateway-any-method`]);
        }
      }
    }
    for (const [method, operation, where] of operations) {
      if (!isRecord(operation)) {
        problems.add(where, 'is not an operation object');
        continue;
      }
      const integration = operation['x-amazon-apigateway-integration'];
      if (!isRecord(integration)) {
        problems.add(
          where,
          'has no x-amazon-apigateway-integration (an export without API Gateway extensions)',
        );
        continue;
      }
      sawIntegration = true;
      const type =
        typeof integration.type === 'string' ? INTEGRATION_TYPES[integration.type.toLowerCase()] : undefined;
      if (type === undefined) {
        problems.add(
          `${where}.x-amazon-apigateway-integration.type`,
          `is not one of ${Object.keys(INTEGRATION_TYPES).join(', ')}`,
        );
        continue;
      }
      const security = readSecurity(operation.security ?? json.security, where, schemes, problems);
      if (security === undefined) continue;
      if (security.scheme !== undefined) usedSchemes.add(security.scheme);
      const authorized = readExpected(operation, where, problems);
      routes.push({
        method,
        path,
        protection:
          security.authorization === 'COGNITO_USER_POOLS'
            ? { kind: 'cognito', authorizer: security.scheme ?? '', scopes: security.scopes ?? [] }
            : { kind: 'none' },
        integration: type,
        ...(authorized ? { authorized } : {}),
      });
    }
  }
  // Several authorizers (schemes) of one pool are fine: each method is tested with its own scheme's
  // header and scopes, and one user of that pool signs in. Several pools are not: the local stack seeds
  // one pool and a run signs in one user, so a method of another pool could only be tested with a token
  // it must refuse (docs/reference.md §14).
  const pools = new Set(
    [...usedSchemes].flatMap((id) => (schemes.get(id) as CognitoScheme | undefined)?.providerArns ?? []),
  );
  if (pools.size > 1) {
    problems.add(
      'components.securitySchemes',
      `names several user pools (${[...pools].join(', ')}, through ${[...usedSchemes].join(', ')}); a run signs in one user of one pool, so this contract tests one pool at a time: split the description per pool and run each`,
    );
  }
  if (problems.list.length > 0) {
    const fix = sawIntegration ? `fix the export or ${HOW_TO_EXPORT}` : HOW_TO_EXPORT;
    throw new UsageError(
      `The API description ${file} has ${problems.list.length === 1 ? 'a problem' : `${problems.list.length} problems`}: ${problems.list.join('; ')}. To fix: ${fix}.`,
    );
  }
  return {
    name,
    stage,
    authorizers: [...usedSchemes].map((id) => {
      const scheme = schemes.get(id) as CognitoScheme;
      return {
        id,
        type: 'COGNITO_USER_POOLS' as const,
        pools: scheme.providerArns.map((arn) => ({ key: arn, arn, label: arn })),
        identityHeader: scheme.header,
        // The export does not carry the result cache TTL; 0 is what the contract needs to see changes at once.
        resultTtlSeconds: 0,
      };
    }),
    routes: routes.sort(
      (a, b) =>
        a.path.localeCompare(b.path) || HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method),
    ),
    integrationTimeoutMs: DEFAULT_INTEGRATION_TIMEOUT_MS,
    source: { kind: 'openapi', path: source.path, sha256: source.sha256 },
  };
}

/** Reads the export from a file; `shown` is how the user typed the path. */
export async function readApiSpecFile(path: string, shown: string = path): Promise<ApiSpec> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      code === 'ENOENT'
        ? `The API description ${shown} does not exist: check the path given to --api-spec (or CONTRACT_API_SPEC).`
        : `The API description ${shown} cannot be read (${code}): check its permissions.`,
      { cause: error },
    );
  }
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const yaml = /^\s*(openapi|swagger)\s*:/m.test(text);
    throw new UsageError(
      yaml
        ? `The API description ${shown} is YAML: export it as JSON (the default of \`aws apigateway get-export\`, or --accepts application/json).`
        : `The API description ${shown} is not valid JSON: ${HOW_TO_EXPORT}.`,
    );
  }
  return apiSpecFromExport(json, { path: shown, sha256: createHash('sha256').update(bytes).digest('hex') });
}
