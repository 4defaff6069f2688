/**
 * Runs the cognito-local emulator in this process, bound to loopback, with its data in a directory we
 * own. We compose the emulator from its own parts instead of calling its `createDefaultServer`, because
 * that function (a) keeps its data under `./.cognito` relative to the working directory, which would put
 * users and plaintext passwords inside the repository, (b) loads the AWS SDK v2 only to build a Lambda
 * client for triggers we never configure, which costs start-up time and prints an end-of-support notice,
 * and (c) fixes the issuer before the port is known. Its router (lazy-targets.ts: each target loaded on first
 * use) is wrapped by auth-router.ts, which adds SRP and the app client's auth-flow settings.
 */

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CognitoError, UnsupportedError } from 'cognito-local/lib/errors.js';
import type { Config } from 'cognito-local/lib/server/config.js';
import type { Router } from 'cognito-local/lib/server/Router.js';
import { createServer } from 'cognito-local/lib/server/server.js';
import { DateClock } from 'cognito-local/lib/services/clock.js';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService.js';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { ConsoleMessageSender } from 'cognito-local/lib/services/messageDelivery/consoleMessageSender.js';
import { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery.js';
import { MessagesService } from 'cognito-local/lib/services/messages.js';
import { otp } from 'cognito-local/lib/services/otp.js';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import type { Triggers } from 'cognito-local/lib/services/triggers/triggers.js';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService.js';
import { pino } from 'pino';
import { configValue, processEnv } from '../../common/config-table.ts';
import { PortInUseError } from '../gateway/server.ts';
import { readBoundedBody } from '../request-body.ts';
import { authRouter } from './auth-router.ts';
import { type CognitoCall, CognitoJsonApiError } from './json-api.ts';
import { lazyRouter } from './lazy-targets.ts';
import { clientCredentialsToken, ResourceServers } from './oauth2-token.ts';

export interface EmulatorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Directory for the emulator's databases; the caller owns and removes it. */
  readonly dataDirectory: string;
}

export interface RunningEmulator {
  /** Base URL of the emulator's API, e.g. http://127.0.0.1:9229 (no trailing slash). */
  readonly endpoint: string;
  readonly port: number;
  /**
   * One Cognito operation run in this process through the same router the HTTP server uses, without
   * the HTTP round trip; for seeding. Answers and failures as the HTTP API would give them.
   */
  readonly call: CognitoCall;
  /** What GET STACK_IDENTITY_PATH answers from now on: which stack this emulator belongs to. */
  describeStack(identity: StackIdentity): void;
  /** The pools' resource servers, which the client_credentials grant reads (oauth2-token.ts). */
  readonly resourceServers: ResourceServers;
  /** The token endpoint (`POST`, Cognito's `/oauth2/token` on the pool's domain). */
  readonly tokenUrl: string;
  stop(): Promise<void>;
}

/**
 * Not a Cognito API: where the collection's environment check asks a local stack which start it is
 * (an environment kept across a restart names the old one). Loopback only, like the emulator, and
 * nothing secret in it.
 */
export const STACK_IDENTITY_PATH = '/_local-stack/identity.json';

export interface StackIdentity {
  readonly runId: string;
  readonly apiUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
}

/** Triggers call out to Lambda; the local stack configures none, so any call would be a bug. */
const noTriggers: Triggers = {
  enabled: () => false,
  customMessage: () => Promise.reject(new Error('CustomMessage trigger is not configured locally')),
  customEmailSender: () => Promise.reject(new Error('CustomEmailSender trigger is not configured locally')),
  postAuthentication: () => Promise.reject(new Error('PostAuthentication trigger is not configured locally')),
  postConfirmation: () => Promise.reject(new Error('PostConfirmation trigger is not configured locally')),
  preSignUp: () => Promise.reject(new Error('PreSignUp trigger is not configured locally')),
  preTokenGeneration: () => Promise.reject(new Error('PreTokenGeneration trigger is not configured locally')),
  userMigration: () => Promise.reject(new Error('UserMigration trigger is not configured locally')),
};

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  // The emulator logs every request at info level; only its errors are worth surfacing, and they
  // reach the caller as HTTP 500 answers anyway.
  const logger = pino({ level: configValue(processEnv(), 'COGNITO_LOCAL_DEBUG') ? 'debug' : 'silent' });
  const ctx = { logger };

  // Mutable on purpose: the issuer embeds the port, which is only known once the server listens, and
  // the token generator reads this object on every sign-in. Nothing signs in before start() returns.
  const tokenConfig: { IssuerDomain?: string } = {};
  const config: Config = {
    LambdaClient: { region: 'local' },
    TriggerFunctions: {},
    // Real pools created without UsernameAttributes accept plain usernames; the emulator's default
    // demands e-mail addresses.
    UserPoolDefaults: { UsernameAttributes: [] },
    TokenConfig: tokenConfig,
    KMSConfig: { region: 'local' },
    ServerConfig: { port: options.port, hostname: options.host, development: false, https: false },
  } as Config;

  const dataDirectory = join(options.dataDirectory, 'db');
  const clock = new DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(dataDirectory);
  const cognito = await new CognitoServiceFactoryImpl(
    dataDirectory,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);

  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(noTriggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, noTriggers, tokenConfig),
    triggers: noTriggers,
  };

  // One router for the HTTP server and the in-process calls, so both run exactly the same targets,
  // the local SRP and flow checks (auth-router.ts) in front of cognito-local's own.
  const router = authRouter(services, lazyRouter(services));
  const application = createServer(router, logger, config.ServerConfig, services).application;
  const resourceServers = new ResourceServers();
  // cognito-local's express application, with the client_credentials grant of /oauth2/token in front
  // of it (oauth2-token.ts); its own grants (authorization_code, refresh_token) still reach it.
  let identity: StackIdentity | undefined;
  const server: Server = createHttpServer((request, response) => {
    if (request.method === 'GET' && (request.url ?? '').split('?')[0] === STACK_IDENTITY_PATH) {
      if (identity === undefined) sendJson(response, 503, { message: 'the stack is still starting' });
      else sendJson(response, 200, identity);
      return;
    }
    if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== '/oauth2/token') {
      application(request, response);
      return;
    }
    readForm(request).then(
      (form) => {
        if (form.grant_type !== 'client_credentials') {
          // Already read: hand the parsed body on, as body-parser would have (it skips a parsed request).
          Object.assign(request, { body: form, _body: true });
          application(request, response);
          return;
        }
        clientCredentialsToken(
          services,
          ctx,
          resourceServers,
          tokenConfig.IssuerDomain ?? '',
          form,
          request.headers.authorization,
        ).then(
          (answer) => sendJson(response, answer.status, answer.body),
          () => sendJson(response, 500, { error: 'server_error' }),
        );
      },
      () => sendJson(response, 400, { error: 'invalid_request' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(options.port, 'local Cognito emulator', 'LOCAL_COGNITO_PORT')
          : error,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${options.host}:${port}`;
  tokenConfig.IssuerDomain = endpoint;

  return {
    endpoint,
    port,
    call: (operation, input) => callInProcess(router, ctx, operation, input),
    describeStack: (described) => {
      identity = described;
    },
    resourceServers,
    tokenUrl: `${endpoint}/oauth2/token`,
    stop: () => closeServer(server),
  };
}

/** A form-encoded request body (at most 64 KiB), decoded. */
async function readForm(request: IncomingMessage): Promise<Record<string, string>> {
  const body = await readBoundedBody(request, 65_536);
  if (body === 'too-large') throw new Error('body too large');
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

/**
 * What cognito-local's server does with a POST (server.js), minus HTTP: the body goes through JSON as
 * it would on the wire, Dates come back as epoch seconds, and a CognitoError becomes the same
 * `CognitoJsonApiError` (its code as the type) that the HTTP client raises for a 400 answer.
 */
async function callInProcess(
  router: Router,
  ctx: { readonly logger: ReturnType<typeof pino> },
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let output: unknown;
  try {
    output = await router(operation)(ctx, JSON.parse(JSON.stringify(input)));
  } catch (error) {
    if (error instanceof CognitoError) throw new CognitoJsonApiError(operation, error.code, error.message);
    if (error instanceof UnsupportedError) {
      throw new CognitoJsonApiError(
        operation,
        'CognitoLocal#Unsupported',
        `Cognito Local unsupported feature: ${error.message}`,
      );
    }
    throw error;
  }
  const text = JSON.stringify(output ?? {}, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? Math.floor(raw.getTime() / 1000) : value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets from SDK clients would otherwise hold close() open until they time out.
    server.closeAllConnections();
  });
}
