/**
 * The embedded local stack: a local Cognito (the cognito-local emulator) and the local API Gateway in
 * front of the real Lambda, wired from the same route table the AWS deployment uses.
 *
 * This is the composition root. `startStack` wires the product's own parts (the Cognito authorizer, the
 * description's handlers, the gateway's answers as they are): `npm run stack` and `npm run contract`
 * start the stack through it, and its options are the product's settings only. `composeStack` is the
 * same wiring with parts replaced, the way cognito-local's integration tests build their server from
 * its parts: tests build stacks with weakened parts through it (tests/support/weakened-stack.ts), and no
 * product interface carries a test's hook.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { choosePool } from '../api/pools.ts';
import { helloApi } from '../api/routes.ts';
import {
  type ApiSpec,
  authorizerOf,
  customIdentityHeader,
  type HandlerRef,
  type ProtectionKind,
  type RouteSpec,
  routeKey,
  scopesOf,
} from '../api/spec.ts';
import { startEmulator } from './cognito/emulator.ts';

export { emulatorSigningKey } from './cognito/emulator-key.ts';

import { UserError } from '../common/cli-error.ts';
import type { ClientCredentialsSettings } from '../token-helper/client-credentials.ts';
import { isResourceServerScope, resourceServersFor } from './cognito/oauth2-token.ts';
import { seedPool } from './cognito/seed.ts';
import { type Authorizer, createCognitoAuthorizer } from './gateway/authorizer.ts';
import type { LambdaHandler } from './gateway/integration.ts';
import {
  DEFAULT_SERVER_PARTS,
  type GatewayRoute,
  type GatewayServerParts,
  LOOPBACK,
  startGateway,
} from './gateway/server.ts';
import { createDataDirectory, removeDataDirectory, sweepStaleDataDirectories } from './temp-dir.ts';

/** How API Gateway names each protection (its authorizationType). */
const GATEWAY_AUTHORIZATION: Readonly<Record<ProtectionKind, GatewayRoute['authorization']>> = {
  cognito: 'COGNITO_USER_POOLS',
  iam: 'AWS_IAM',
  lambda: 'CUSTOM',
  none: 'NONE',
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Region reported for the local pool; the emulator itself ignores regions. */
export const LOCAL_REGION = 'us-east-1';
export const DEFAULT_USERNAME = 'contract-tester';

export interface LocalCognitoSettings {
  /** Emulator base URL, e.g. http://127.0.0.1:9229 (no trailing slash). */
  readonly endpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly username: string;
  readonly password: string;
  /**
   * Where an access token carrying the API's custom scopes comes from: the token endpoint and a
   * confidential app client allowed the client_credentials grant with every scope the description
   * names. Absent when no method has scopes.
   */
  readonly clientCredentials?: ClientCredentialsSettings;
}

export interface LocalStackOptions {
  /** Gateway port; 0 (the default) picks a free one. */
  readonly apiPort?: number;
  /** Emulator port; 0 (the default) picks a free one. */
  readonly cognitoPort?: number;
  readonly username?: string;
  /** Omit for a random password, generated per start. */
  readonly password?: string;
  /** The API to serve: the route table by default, or an imported export (`npm run stack -- --api-spec`). */
  readonly api?: ApiSpec;
  /** The handler for routes the description names none for; default: a stand-in answering 200 JSON. */
  readonly handler?: HandlerRef;
}

/**
 * The parts of a gateway the composition root wires, each replaceable: `startStack` uses the product's
 * own (none replaced); `composeStack` takes others, so a test can build a gateway wrong in exactly one
 * way (an authorizer that skips a check, a handler that throws, answers rewritten on the way out).
 */
export interface GatewayParts {
  /** Wraps or replaces the Cognito authorizer. */
  readonly authorizer?: (real: Authorizer, settings: LocalCognitoSettings) => Authorizer;
  /** Handlers in place of the description's, keyed by "METHOD /path". */
  readonly handlers?: Readonly<Record<string, LambdaHandler>>;
  /** The HTTP shell's own parts (its header limit, its last word on each answer). */
  readonly server?: Partial<GatewayServerParts>;
  /** In place of the description's integration timeout. */
  readonly integrationTimeoutMs?: number;
  /** Another API to serve than the stack's (e.g. one that allows POST without the authorizer). */
  readonly api?: ApiSpec;
  /**
   * false: no confidential app client even where the description has scopes, the case of a pool without
   * one (a scoped method's clauses that need its token are then skipped, with why).
   */
  readonly confidentialClient?: boolean;
}

/** A stack composed with replaced parts: it can also start further gateways in front of the same pool. */
export interface ComposedStack extends LocalStack {
  /**
   * Another gateway on a free port in front of the same Cognito and Lambda, built from `parts`; stopped
   * with the stack. Lets a mutation proof run many weakened gateways against one pool and one sign-in.
   */
  startGatewayVariant(parts: GatewayParts): Promise<{ readonly apiUrl: string; stop(): Promise<void> }>;
}

export interface LocalStack {
  /**
   * This start's id (a UUID): written into the environments it makes (`stack_run_id`) and served by
   * its local Cognito at STACK_IDENTITY_PATH, so an environment kept across a restart is told apart
   * from a current one even when the ports are the same.
   */
  readonly runId: string;
  /** Stage invoke URL, e.g. http://127.0.0.1:3000/dev */
  readonly apiUrl: string;
  /** The API key (`x-api-key`) methods with apiKeyRequired accept; random per start. */
  readonly apiKey: string;
  readonly cognito: LocalCognitoSettings;
  /** The pool's public keys as served at jwksUri. */
  readonly jwks: Jwks;
  stop(): Promise<void>;
}

/**
 * What a described route without a handler answers locally: a fixed 200 JSON body naming the route, so a
 * generated contract can run against a console-built API's shape before anyone touches AWS.
 */
export function standInHandler(route: Pick<RouteSpec, 'method' | 'path'>): LambdaHandler {
  const body = JSON.stringify({ standIn: true, route: routeKey(route) });
  return async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body });
}

/**
 * A route names its Lambda by source path (`lambda/hello.ts`). On Node 20, common/run-ts.mjs runs the
 * compiled copy in .build/ and registers how a source URL maps to it; the Lambda must come from there
 * too, since Node 20 cannot import a `.ts` file itself.
 */
function runnableUrl(sourceUrl: string): string {
  const map: unknown = (globalThis as Record<symbol, unknown>)[Symbol.for('hello-api.runnable-url')];
  return typeof map === 'function' ? (map as (url: string) => string)(sourceUrl) : sourceUrl;
}

async function loadHandler(ref: HandlerRef): Promise<LambdaHandler> {
  const module: unknown = await import(runnableUrl(pathToFileURL(resolve(repoRoot, ref.file)).href));
  const handler = (module as Record<string, unknown>)[ref.exportName];
  if (typeof handler !== 'function') {
    throw new UserError(
      `${ref.file} does not export a function named ${ref.exportName}: name the handler as FILE#EXPORT.`,
    );
  }
  return handler as LambdaHandler;
}

function handlerFor(
  route: RouteSpec,
  handler: HandlerRef | undefined,
): Promise<LambdaHandler> | LambdaHandler {
  const ref = route.handler ?? handler;
  return ref === undefined ? standInHandler(route) : loadHandler(ref);
}

async function fetchJwks(uri: string): Promise<Jwks> {
  const response = await fetch(uri, { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await response.json();
  if (!response.ok || typeof body !== 'object' || body === null || !Array.isArray((body as Jwks).keys)) {
    throw new Error(`the local pool's JWKS at ${uri} is not a key set`);
  }
  return body as Jwks;
}

/** Runs `cleanups` in reverse order, even if some fail, and rethrows the first failure. */
async function unwind(cleanups: (() => Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

/**
 * The header a Cognito method's authorizer reads its token from; nothing for Authorization (the gateway
 * reads that header anyway) or a method without one.
 */
function identityHeaderOf(api: ApiSpec, route: RouteSpec): { identityHeader?: string } {
  if (route.protection.kind !== 'cognito') return {};
  const header = customIdentityHeader(authorizerOf(api, route).identityHeader);
  return header === undefined ? {} : { identityHeader: header };
}

/**
 * The gateway's authorizer for `api`: the seeded pool's for the methods whose authorizer accepts the
 * pool the run signs in to, `other` (a pool the user is not in) for the methods left for another pool.
 */
function servedByPool(api: ApiSpec, authorizer: Authorizer, other: Authorizer): Authorizer {
  const left = new Set((choosePool(api)?.left ?? []).map((method) => method.route));
  if (left.size === 0) return authorizer;
  return (header, scopes, route) =>
    route !== undefined && left.has(route) ? other(header, scopes, route) : authorizer(header, scopes, route);
}

/** The stack as the product runs it: every part its own. */
export async function startStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { apiUrl, apiKey, runId, cognito, jwks, stop } = await composeStack(options, {});
  return { apiUrl, apiKey, runId, cognito, jwks, stop };
}

/** The stack with the gateway's parts `parts` replaces (none: the product's stack). */
export async function composeStack(options: LocalStackOptions, parts: GatewayParts): Promise<ComposedStack> {
  // The API the stack serves: a replaced part (a test serving another description) wins over the options.
  const api = parts.api ?? options.api ?? helloApi;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await sweepStaleDataDirectories();
    const dataDirectory = await createDataDirectory();
    cleanups.push(() => removeDataDirectory(dataDirectory));

    const [emulator, handlers] = await Promise.all([
      startEmulator({ host: LOOPBACK, port: options.cognitoPort ?? 0, dataDirectory }),
      Promise.all(
        api.routes.map(async (route) => [routeKey(route), await handlerFor(route, options.handler)] as const),
      ),
    ]);
    cleanups.push(() => emulator.stop());

    const username = options.username ?? DEFAULT_USERNAME;
    // Every custom scope the description names: its resource servers, and a confidential client allowed
    // them all (docs/reference.md §14).
    const scopes = [...new Set(api.routes.flatMap((route) => scopesOf(route)))];
    const seeded = await seedPool(emulator.call, {
      confidentialScopes: parts.confidentialClient === false ? [] : scopes.filter(isResourceServerScope),
      poolName: `${api.name}-local`,
      clientName: `${api.name}-client`,
      username,
      ...(options.password === undefined ? {} : { password: options.password }),
      email: `${username}@example.com`,
      tokenValidityMinutes: 60,
    });
    for (const server of resourceServersFor(scopes)) emulator.resourceServers.add(seeded.userPoolId, server);
    const issuer = `${emulator.endpoint}/${seeded.userPoolId}`;
    const jwksUri = `${issuer}/.well-known/jwks.json`;
    const jwks = await fetchJwks(jwksUri);
    const cognito: LocalCognitoSettings = {
      endpoint: emulator.endpoint,
      region: LOCAL_REGION,
      userPoolId: seeded.userPoolId,
      clientId: seeded.clientId,
      issuer,
      jwksUri,
      username: seeded.username,
      password: seeded.password,
      ...(seeded.confidential
        ? {
            clientCredentials: {
              tokenUrl: emulator.tokenUrl,
              clientId: seeded.confidential.clientId,
              clientSecret: seeded.confidential.clientSecret,
              scopes: seeded.confidential.scopes,
            },
          }
        : {}),
    };

    // The one API key of this stack, for methods that require one (random per start, never a secret elsewhere).
    const apiKey = randomBytes(20).toString('hex');
    const realAuthorizer = createCognitoAuthorizer({ issuer, jwksUri, jwks });
    // The authorizers that accept only pools other than the one seeded here (api/pools.ts) are served
    // as API Gateway serves them: verifying against a pool the seeded user is not in, so they refuse
    // every token of this stack with 401 Unauthorized, whatever its signature.
    const otherPoolAuthorizer = createCognitoAuthorizer({
      issuer: `${emulator.endpoint}/${LOCAL_REGION}_OtherPool`,
      jwksUri,
      jwks,
    });
    const loaded = new Map(handlers);
    const gatewayFor = async (variant: GatewayParts, port: number) => {
      const served = variant.api ?? api;
      const routes: GatewayRoute[] = await Promise.all(
        served.routes.map(async (route) => ({
          method: route.method,
          resource: route.path,
          authorization: GATEWAY_AUTHORIZATION[route.protection.kind],
          ...(route.apiKeyRequired ? { apiKeyRequired: true } : {}),
          scopes: scopesOf(route),
          ...identityHeaderOf(served, route),
          functionName: (route.handler ?? options.handler)?.exportName ?? 'stand-in',
          handler:
            variant.handlers?.[routeKey(route)] ??
            loaded.get(routeKey(route)) ??
            (await handlerFor(route, options.handler)),
        })),
      );
      const gateway = await startGateway(
        {
          port,
          stage: served.stage,
          routes,
          authorizer: servedByPool(
            served,
            variant.authorizer ? variant.authorizer(realAuthorizer, cognito) : realAuthorizer,
            otherPoolAuthorizer,
          ),
          integrationTimeoutMs: variant.integrationTimeoutMs ?? served.integrationTimeoutMs,
          apiId: 'local0api0',
          apiKey,
        },
        { ...DEFAULT_SERVER_PARTS, ...variant.server },
      );
      let stopped: Promise<void> | undefined;
      const stop = () => {
        stopped ??= gateway.stop();
        return stopped;
      };
      cleanups.push(stop);
      return { apiUrl: `${gateway.origin}/${served.stage}`, stop };
    };
    const gateway = await gatewayFor(parts, options.apiPort ?? 0);
    const runId = randomUUID();
    emulator.describeStack({
      runId,
      apiUrl: gateway.apiUrl,
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      issuer,
    });

    let stopping: Promise<void> | undefined;
    return {
      runId,
      apiUrl: gateway.apiUrl,
      apiKey,
      cognito,
      jwks,
      startGatewayVariant: (variant) => gatewayFor(variant, 0),
      stop: () => {
        stopping ??= unwind(cleanups);
        return stopping;
      },
    };
  } catch (error) {
    await unwind(cleanups).catch(() => undefined);
    throw error;
  }
}
