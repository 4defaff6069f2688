/**
 * Builds `hello-api.postman_collection.json` from reviewable sources: the sandbox scripts live as plain
 * JavaScript in `collections/src/`, the clauses as the table below. The committed JSON is the artifact QA
 * import; a unit test fails when it differs from what this module builds, so the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import { sandboxDiagnosisSource } from '../token-helper/diagnosis.ts';

const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const UNAUTHORIZED = '{"message":"Unauthorized"}';
const EXPIRED = '{"message":"The incoming token has expired"}';
const MISSING_TOKEN = '{"message":"Missing Authentication Token"}';

type ScriptSource = 'contract-checks' | 'forge-token' | 'attack-variable' | 'sign-in';

function source(name: ScriptSource): string {
  return readFileSync(new URL(`./src/${name}.js`, import.meta.url), 'utf8').trimEnd();
}

/** How a clause sets its Authorization header: none at all, or a literal value with {{variables}}. */
type Authorization = { readonly send: 'none' } | { readonly send: 'header'; readonly value: string };

interface Prerequest {
  readonly library: 'forge-token' | 'attack-variable';
  readonly call: string;
}

/** The derivations `forge-token.js` offers (keys of its `forge` object). */
type ForgeKind = 'garbage' | 'twoParts' | 'tamperedPayload' | 'signatureRemoved' | 'algNone' | 'oversized';

interface Clause {
  /** A sentence: what is sent and what must come back. */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly authorization: Authorization;
  /** Pre-request code after the inlined library, if any. */
  readonly prerequest?: Prerequest;
  /** Test code after the inlined contract checks. */
  readonly tests: string;
}

const noAuthorization: Authorization = { send: 'none' };
const attackToken: Authorization = { send: 'header', value: '{{attack_token}}' };

function refused(body = UNAUTHORIZED): string {
  return `expectGatewayError(401, ${JSON.stringify(body)}, 'UnauthorizedException', 'the authorizer refused the token');`;
}

function forged(kind: ForgeKind): Prerequest {
  return { library: 'forge-token', call: `useForgedToken(${JSON.stringify(kind)});` };
}

function fromVariable(
  variable: string,
  why: string,
  body = UNAUTHORIZED,
): Pick<Clause, 'prerequest' | 'tests'> {
  return {
    prerequest: {
      library: 'attack-variable',
      call: `useAttackVariable(${JSON.stringify(variable)}, ${JSON.stringify(why)});`,
    },
    tests: `if (!skippedBecauseEmpty(${JSON.stringify(variable)})) {\n  ${refused(body)}\n}`,
  };
}

const MINTED = 'minted by the TypeScript side: run the collection through npm run contract';

export const tutorialClauses: readonly Clause[] = [
  {
    name: 'GET /hello without an Authorization header is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: noAuthorization,
    tests: `checkNoAuthorizationSent();\n${refused()}`,
  },
  {
    name: 'GET /hello with the raw ID token as the Authorization header reaches the Lambda',
    method: 'GET',
    path: '/hello',
    authorization: { send: 'header', value: '{{id_token}}' },
    tests: 'expectGreeting();',
  },
  {
    name: 'GET /hello with "Bearer " and the ID token reaches the Lambda',
    method: 'GET',
    path: '/hello',
    authorization: { send: 'header', value: 'Bearer {{id_token}}' },
    tests: 'expectGreeting();',
  },
  {
    name: 'POST /hello without an Authorization header is answered 403 Missing Authentication Token',
    method: 'POST',
    path: '/hello',
    authorization: noAuthorization,
    tests: `checkNoAuthorizationSent();\nexpectGatewayError(403, ${JSON.stringify(MISSING_TOKEN)}, 'MissingAuthenticationTokenException', 'POST /hello is not a defined method');`,
  },
  {
    name: 'GET on an undefined path without an Authorization header is answered 403 Missing Authentication Token',
    method: 'GET',
    path: '/no-such-resource',
    authorization: noAuthorization,
    tests: `checkNoAuthorizationSent();\nexpectGatewayError(403, ${JSON.stringify(MISSING_TOKEN)}, 'MissingAuthenticationTokenException', 'the path is not a defined resource');`,
  },
];

export const refusedTokenClauses: readonly Clause[] = [
  {
    name: 'An empty Authorization header is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: { send: 'header', value: '' },
    tests: refused(),
  },
  {
    name: 'A garbage token is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('garbage'),
    tests: refused(),
  },
  {
    name: 'A token with only two parts is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('twoParts'),
    tests: refused(),
  },
  {
    name: 'A token whose payload was changed after signing is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('tamperedPayload'),
    tests: refused(),
  },
  {
    name: 'A token whose signature was removed is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('signatureRemoved'),
    tests: refused(),
  },
  {
    name: 'A token with alg "none" is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('algNone'),
    tests: refused(),
  },
  {
    name: "An HS256 token keyed with the pool's public key is refused with 401 Unauthorized",
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable('attack_hs256_pool_public_key', MINTED),
  },
  {
    name: "An RS256 token signed by another key under the pool's kid is refused with 401 Unauthorized",
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable('attack_rs256_pool_kid', MINTED),
  },
  {
    name: 'An RS256 token signed by another key under its own kid is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable('attack_rs256_own_kid', MINTED),
  },
  {
    name: 'A token from another issuer is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable(
      'attack_other_issuer',
      "needs the pool's own signing key so that the issuer is the only defect: local target only",
    ),
  },
  {
    name: 'An access token instead of the ID token is refused with 401 Unauthorized',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable(
      // The collection's own sign-in fills access_token, and the token helper saves it beside id_token.
      'access_token',
      'set by the sign-in or the TypeScript side; empty when neither ran',
    ),
  },
  {
    name: 'A genuinely signed but expired ID token is refused with 401 "The incoming token has expired"',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    ...fromVariable(
      'attack_expired_id_token',
      "only the local emulator's signing key is known, so it exists on the local target only",
      EXPIRED,
    ),
  },
  {
    name: 'An oversized Authorization header is refused with a 4xx, never a 5xx or the greeting',
    method: 'GET',
    path: '/hello',
    authorization: attackToken,
    prerequest: forged('oversized'),
    tests: "expectClientError('the gateway refused the oversized header');",
  },
];

export const folders = [
  { name: "The tutorial's contract", clauses: tutorialClauses },
  { name: 'Security: tokens that must be refused', clauses: refusedTokenClauses },
] as const;

function script(listen: 'prerequest' | 'test', code: string) {
  return { listen, script: { type: 'text/javascript', exec: code.split('\n') } };
}

// Requests without a token must send none: explicit `noauth` everywhere (an inherited auth helper would
// add one), and the pre-request drops any header a user or an app default slipped in.
const dropAuthorization =
  '// This clause is about a request without Authorization: drop any the app or a user added.\n' +
  "pm.request.headers.remove('Authorization');";

function request(clause: Clause) {
  const prerequest =
    clause.authorization.send === 'none'
      ? dropAuthorization
      : clause.prerequest && `${source(clause.prerequest.library)}\n\n${clause.prerequest.call}`;
  return {
    name: clause.name,
    event: [
      ...(prerequest ? [script('prerequest', prerequest)] : []),
      script('test', `${source('contract-checks')}\n\n${clause.tests}`),
    ],
    request: {
      auth: { type: 'noauth' },
      method: clause.method,
      header:
        clause.authorization.send === 'header'
          ? [{ key: 'Authorization', value: clause.authorization.value, type: 'text' }]
          : [],
      url: {
        raw: `{{baseUrl}}${clause.path}`,
        host: ['{{baseUrl}}'],
        path: clause.path.split('/').filter((segment) => segment !== ''),
      },
    },
    response: [],
  };
}

export function buildHelloApiCollection() {
  return {
    info: {
      // Fixed so re-importing in the Postman app updates the collection instead of adding a copy.
      _postman_id: '5f0c9f3e-8a51-4c1e-9a44-3d1b0c7e2a10',
      name: 'hello-api contract',
      // Recorded in each run's summary.json: raise it when a clause is added, removed or changes meaning.
      version: '1.0.0',
      description:
        'The contract of GET /hello on API Gateway (REST, stage dev) behind a Cognito user pool authorizer. ' +
        'Pick an environment (local or aws), fill username and password, run. The collection signs in ' +
        'by itself (SRP by default, auth_flow password for USER_PASSWORD_AUTH) and keeps the tokens in id_token, access_token and refresh_token.',
      schema: POSTMAN_SCHEMA,
    },
    auth: { type: 'noauth' },
    // The sign-in's failure codes and hints come from token-helper/diagnosis.ts, shared with npm run token.
    event: [
      script(
        'prerequest',
        `${sandboxDiagnosisSource()}\n\n${source('sign-in')}\n\nsignInEnsureTokens(pm, () => undefined);`,
      ),
    ],
    variable: [{ key: 'max_response_ms', value: '10000', type: 'string' }],
    item: folders.map((folder) => ({
      name: folder.name,
      auth: { type: 'noauth' },
      item: folder.clauses.map(request),
    })),
  };
}

export function renderHelloApiCollection(): string {
  return `${JSON.stringify(buildHelloApiCollection(), null, 2)}\n`;
}
