/**
 * Independent probe of the local gateway: one request per docs/reference.md §1–2 row (tokens with exactly one
 * defect each), compared with the reference answer, printed as a table. Exit code 1 on any mismatch.
 *
 *   node --import tsx tests/probes/gateway-probe.ts            # starts its own stack on free ports
 *   node --import tsx tests/probes/gateway-probe.ts --running  # probes `npm run stack` (reads its state file)
 *
 * Only firm and likely facts are compared; for IncompleteSignatureException the text is open, so only
 * status and type are.
 */
import { readFile } from 'node:fs/promises';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { type LocalStack, startStack } from '../../local-stack/stack.ts';
import { adminSignIn, type CognitoTarget } from '../support/cognito.ts';
import { BODIES } from '../support/gateway.ts';
import { type RawRequest, send } from '../support/http.ts';
import {
  decodeJwt,
  generateRsaKey,
  nowSeconds,
  publicKeyPem,
  signAsEmulator,
  signHs256,
  signRs256,
  unsigned,
} from '../support/jwt.ts';
import { stateFile } from '../support/stack-process.ts';

interface Target {
  readonly apiUrl: string;
  readonly cognito: CognitoTarget;
  readonly username: string;
  readonly password: string;
}

interface Probe {
  readonly name: string;
  readonly path?: string;
  readonly request: RawRequest;
  readonly status: number;
  readonly body?: string;
  readonly errorType?: string;
}

async function target(): Promise<{ target: Target; stack?: LocalStack }> {
  if (process.argv.includes('--running')) {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, string>;
    const cognito = {
      endpoint: String(state.cognitoEndpoint),
      region: String(state.region),
      userPoolId: String(state.userPoolId),
      clientId: String(state.clientId),
    };
    return {
      target: {
        apiUrl: String(state.apiUrl),
        cognito,
        username: String(state.username),
        password: String(state.password),
      },
    };
  }
  const stack = await startStack();
  const { endpoint, region, userPoolId, clientId, username, password } = stack.cognito;
  return {
    target: { apiUrl: stack.apiUrl, cognito: { endpoint, region, userPoolId, clientId }, username, password },
    stack,
  };
}

function probes(idToken: string, accessToken: string, pem: string): Probe[] {
  const { header, payload } = decodeJwt(idToken);
  const kid = String(header.kid);
  const other = generateRsaKey().privateKey;
  const [h, p, s] = idToken.split('.');
  const auth = (value: string): RawRequest => ({ headers: [['Authorization', value]] });
  const denied = { status: 401, body: BODIES.unauthorized, errorType: 'UnauthorizedException' };
  const now = nowSeconds();
  return [
    { name: 'no Authorization header', request: {}, ...denied },
    { name: 'empty value', request: auth(''), ...denied },
    { name: 'garbage', request: auth('garbage'), ...denied },
    { name: 'two parts', request: auth(`${h}.${p}`), ...denied },
    {
      name: 'payload not JSON',
      request: auth(`${h}.${Buffer.from('x').toString('base64url')}.${s}`),
      ...denied,
    },
    {
      name: 'tampered payload',
      request: auth(
        `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'x' })).toString('base64url')}.${s}`,
      ),
      ...denied,
    },
    { name: 'stripped signature', request: auth(`${h}.${p}.`), ...denied },
    {
      name: 'other key, pool kid',
      request: auth(signRs256({ kid, alg: 'RS256' }, payload, other)),
      ...denied,
    },
    {
      name: 'other key, unknown kid',
      request: auth(signRs256({ kid: 'x', alg: 'RS256' }, payload, other)),
      ...denied,
    },
    { name: 'alg none', request: auth(unsigned({ kid, alg: 'none' }, payload)), ...denied },
    {
      name: 'HS256 keyed with the public key PEM',
      request: auth(signHs256({ kid, alg: 'HS256' }, payload, pem)),
      ...denied,
    },
    {
      name: 'other issuer',
      request: auth(
        signAsEmulator({ ...payload, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
      ),
      ...denied,
    },
    { name: 'access token', request: auth(accessToken), ...denied },
    {
      name: 'expired ID token',
      request: auth(signAsEmulator({ ...payload, iat: now - 7200, exp: now - 3600 })),
      status: 401,
      body: BODIES.expired,
      errorType: 'UnauthorizedException',
    },
    { name: 'ID token raw', request: auth(idToken), status: 200, body: BODIES.greeting },
    { name: 'ID token as Bearer', request: auth(`Bearer ${idToken}`), status: 200, body: BODIES.greeting },
    {
      name: 'POST (undefined method)',
      request: { method: 'POST' },
      status: 403,
      body: BODIES.missingAuthenticationToken,
      errorType: 'MissingAuthenticationTokenException',
    },
    {
      name: 'wrong stage',
      path: '/../prod/hello',
      request: {},
      status: 403,
      body: BODIES.missingAuthenticationToken,
      errorType: 'MissingAuthenticationTokenException',
    },
    {
      name: 'undefined path, with Authorization',
      path: '/nowhere',
      request: auth(idToken),
      status: 403,
      errorType: 'IncompleteSignatureException',
    },
  ];
}

const { target: t, stack } = await target();
let mismatches = 0;
try {
  const { idToken, accessToken } = await adminSignIn(t.cognito, t.username, t.password);
  const jwksUrl = `${t.cognito.endpoint}/${t.cognito.userPoolId}/.well-known/jwks.json`;
  const pem = publicKeyPem((await (await fetch(jwksUrl)).json()) as Jwks);
  for (const probe of probes(idToken, accessToken, pem)) {
    const url = new URL(`${t.apiUrl}${probe.path ?? '/hello'}`).href;
    const answer = await send(url, probe.request);
    const problems = [
      answer.status !== probe.status && `status ${answer.status}`,
      probe.body !== undefined && answer.text !== probe.body && `body ${answer.text}`,
      (answer.headers['x-amzn-errortype'] ?? undefined) !== probe.errorType &&
        `type ${answer.headers['x-amzn-errortype']}`,
    ].filter(Boolean);
    if (problems.length > 0) mismatches += 1;
    console.log(
      `${problems.length === 0 ? 'ok  ' : 'DIFF'} ${probe.name.padEnd(36)} ${answer.status} ${problems.join('; ')}`,
    );
  }
} finally {
  await stack?.stop();
}
console.log(
  mismatches === 0
    ? 'All answers match docs/reference.md.'
    : `${mismatches} answer(s) differ from docs/reference.md.`,
);
process.exitCode = mismatches === 0 ? 0 : 1;
