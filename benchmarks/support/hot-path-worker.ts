/**
 * One step of the local gateway's per-request work, timed in this (fresh) process without sockets, so
 * that a change of a microsecond shows up: over HTTP on a shared 2-core machine the noise is several
 * microseconds. Prints one JSON line: {"step", "nsPerCall", "calls"} and exits.
 *
 * The request is the bench's: authorized GET /dev/hello with a ~1 kB RS256 ID token in Authorization,
 * as a fresh string on every call (the HTTP parser makes a new one per request). The key and token are
 * made here with node:crypto; nothing leaves the process.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { handler } from '../../lambda/hello.ts';
import { createCognitoAuthorizer } from '../../local-stack/gateway/authorizer.ts';
import { invokeProxyIntegration } from '../../local-stack/gateway/integration.ts';
import { buildProxyEvent } from '../../local-stack/gateway/proxy-event.ts';
import { parseRequestTarget } from '../../local-stack/gateway/request-target.ts';
import { newRequestIds } from '../../local-stack/gateway/responses.ts';
import { type GatewayOptions, handleRequest } from '../../local-stack/gateway/server.ts';
import { HOT_PATH_STEPS, type HotPathStep } from './hot-path-worker-steps.ts';

const step = process.argv[2] as HotPathStep;
if (!HOT_PATH_STEPS.includes(step))
  throw new Error(`unknown step ${step}: one of ${HOT_PATH_STEPS.join(', ')}`);

const issuer = 'http://127.0.0.1:9229/local_bench';
const kid = 'bench-key';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] } as Jwks;
const now = Math.floor(Date.now() / 1000);
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
// The claims of a Cognito ID token for the seeded user, so the token has a real one's size.
const signingInput = `${part({ kid, alg: 'RS256' })}.${part({
  sub: '5b7a3b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  email_verified: true,
  iss: issuer,
  'cognito:username': 'contract-tester',
  origin_jti: 'f3c2b1a0-9e8d-4c7b-a6f5-e4d3c2b1a098',
  aud: '3n4b5urk1ft4fl3mg5e62d9ado',
  event_id: '7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8',
  token_use: 'id',
  auth_time: now,
  exp: now + 3600,
  iat: now,
  jti: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  email: 'contract-tester@example.com',
})}`;
const token = `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
const tokenBytes = Buffer.from(token, 'latin1');
/** A new string with the token's characters, as the HTTP parser hands over for every request. */
const freshHeader = () => tokenBytes.toString('latin1');

const authorizer = createCognitoAuthorizer({ issuer, jwksUri: `${issuer}/.well-known/jwks.json`, jwks });
const first = await authorizer(token);
if (first.effect !== 'allow') throw new Error('the bench token was refused');
const claims = first.claims;

function request(): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.method = 'GET';
  message.url = '/dev/hello';
  message.httpVersion = '1.1';
  const authorization = freshHeader();
  message.rawHeaders = ['host', '127.0.0.1:3000', 'authorization', authorization];
  message.headers = { host: '127.0.0.1:3000', authorization };
  return message;
}

const options: GatewayOptions = {
  port: 0,
  stage: 'dev',
  apiId: 'local0api0',
  routes: [
    {
      method: 'GET',
      resource: '/hello',
      authorization: 'COGNITO_USER_POOLS',
      scopes: [],
      functionName: 'hello',
      handler,
    },
  ],
  authorizer,
  integrationTimeoutMs: 29_000,
};

/** The per-call inputs of the event and gateway steps, made alone so their cost can be subtracted. */
function requestWithIds(): unknown {
  request();
  return newRequestIds();
}

/** What one call costs; `setup` is timed alone and subtracted, so only the step itself counts. */
type Body = () => unknown;
const steps: Record<HotPathStep, { calls: number; setup: Body; call: Body }> = {
  authorizer: { calls: 200_000, setup: freshHeader, call: () => authorizer(freshHeader()) },
  target: { calls: 1_000_000, setup: () => '/dev/hello', call: () => parseRequestTarget('/dev/hello') },
  event: {
    calls: 100_000,
    setup: requestWithIds,
    call: () =>
      buildProxyEvent({
        request: request(),
        query: undefined,
        stage: 'dev',
        path: '/hello',
        resource: '/hello',
        body: Buffer.alloc(0),
        ids: newRequestIds(),
        claims,
        apiId: 'local0api0',
        now: Date.now(),
      }),
  },
  integration: {
    calls: 200_000,
    setup: newRequestIds,
    call: () =>
      invokeProxyIntegration({
        handler,
        functionName: 'hello',
        event: {} as never, // the tutorial's handler does not read its event
        ids: newRequestIds(),
        timeoutMs: 29_000,
      }),
  },
  gateway: {
    calls: 100_000,
    setup: requestWithIds,
    call: () => handleRequest(options, request(), newRequestIds()),
  },
};

/** Ten calls in flight at a time, like the bench's ten connections. */
async function time(body: Body, calls: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let i = 0; i < calls / 10; i++) await body();
    }),
  );
  return ((performance.now() - started) * 1e6) / calls;
}

const { calls, setup, call } = steps[step];
// A figure for a refused or failed request would time the wrong path.
const sample: unknown = await call();
const status = (sample as { status?: unknown }).status;
const allowed = (sample as { effect?: unknown }).effect;
if ((status !== undefined && status !== 200) || (allowed !== undefined && allowed !== 'allow')) {
  throw new Error(`step ${step} did not take the authorized path: ${JSON.stringify({ status, allowed })}`);
}
// Warm-up, so the JIT has compiled both loops before either is timed.
await time(setup, calls / 4);
await time(call, calls / 4);
const setupNs = await time(setup, calls);
const callNs = await time(call, calls);
process.stdout.write(`${JSON.stringify({ step, nsPerCall: callNs - setupNs, calls })}\n`);
