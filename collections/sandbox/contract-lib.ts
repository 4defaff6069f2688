/**
 * The contract's runtime in the Postman sandbox (app and Newman alike). The collection-level
 * pre-request defines it once per run (./main.ts; it is kept in the sandbox's global scope, which
 * persists across the scripts of a run) and calls `prepare(pm)` before each request; the
 * collection-level test script calls `check(pm)` after it. Both read the request's clause
 * (collections/generate.ts writes it into a disabled X-Contract-Clause header) and act on its data:
 * which token to send in which form, and what must come back. Nothing here is specific to one route or
 * one attack; the expensive tokens are built once per live token.
 * It never logs a token, a password or a secret: Newman's --verbose and the app's console keep logs.
 */
import type { AuthorizedAnswer } from '../../api/spec.ts';
import { parseAllowList } from '../../api/surface.ts';
import type { JsonObject } from '../../common/jwt-parts.ts';
import { isRecord } from '../../common/records.ts';
import type { CLAUSE_HEADER, Clause, Expectation, TokenBase, TokenSource } from '../clause.ts';
import type { AttackBuilder, AttackContext, SandboxAttacker } from './attack-builders.ts';
import { readJwt as decode } from './jwt.ts';
import type { Pm, PmCheckScope, PmResponse } from './postman.ts';

export interface ContractConfig {
  /** The digest of the library's sources: the collection's pre-request redefines it when it differs. */
  readonly version: string;
  readonly builders: Readonly<Record<string, AttackBuilder>>;
  /** Settles the tokens (./sign-in.ts), then calls `done`. */
  readonly signIn: (pm: Pm, done: () => void) => void;
  readonly attacker: SandboxAttacker;
}

export interface Contract {
  readonly version: string;
  beforeRequest(pm: Pm): void;
  prepare(pm: Pm): void;
  check(pm: PmCheckScope): void;
}

// Spelled here as a literal so that this file imports only types from collections/clause.ts; the type
// makes the compiler check that it is clause.ts's header name.
const CLAUSE_HEADER_NAME: typeof CLAUSE_HEADER = 'X-Contract-Clause';

function setting(pm: Pick<PmCheckScope, 'variables'>, name: string): string {
  const value = pm.variables.get(name);
  return value === undefined || value === null ? '' : String(value);
}

/**
 * Only the fields this library branches on are checked: the clause is written by collections/generate.ts
 * into the same collection as this library, so the check guards against a header edited by hand, not
 * against another schema.
 */
function isClause(value: unknown): value is Clause {
  return (
    isRecord(value) &&
    isRecord(value.expect) &&
    typeof value.expect.kind === 'string' &&
    isRecord(value.send) &&
    typeof value.send.authorization === 'string'
  );
}

// The clause travels with its request as a disabled header (never sent): see collections/clause.ts.
function clauseFor(pm: Pick<PmCheckScope, 'request'>): Clause | undefined {
  const header = pm.request.headers.find((entry) => entry && entry.key === CLAUSE_HEADER_NAME);
  if (!header || typeof header.value !== 'string') return undefined;
  try {
    const clause: unknown = JSON.parse(header.value);
    return isClause(clause) ? clause : undefined;
  } catch {
    return undefined;
  }
}

/** An error's message, whichever realm it comes from (instanceof fails across sandbox contexts). */
function messageOf(error: unknown): string {
  return isRecord(error) && typeof error.message === 'string' && error.message !== ''
    ? error.message
    : String(error);
}

function fail(pm: Pick<PmCheckScope, 'test'>, name: string, message: string): void {
  pm.test(name, () => {
    throw new Error(message);
  });
}

/** No request for this clause: postman-runtime 7.35 and newer skip it, older ones send it anyway. */
function skipRequest(pm: Pm): void {
  pm.variables.set('contract_skipped', pm.info.requestId);
  if (pm.execution && typeof pm.execution.skipRequest === 'function') pm.execution.skipRequest();
}

function skip(pm: Pm, reason: string): void {
  pm.test.skip(`SKIPPED: ${reason}`);
  // skipRequest arrived in postman-runtime 7.35: on older runtimes the request goes out and check()
  // finds the clause marked skipped, so nothing shows as passed that was not tried.
  skipRequest(pm);
}

/** The access token of the client_credentials grant (./sign-in.ts), carrying the API's scopes. */
const SCOPED_ACCESS_TOKEN = 'scoped_access_token';

/** The variable that holds each live token. */
const LIVE: Readonly<Record<TokenBase, string>> = { id: 'id_token', access: 'access_token' };

/** A token to send, or why the clause is skipped, or why it fails without a request. */
type Resolution = { readonly token: string } | { readonly skip: string } | { readonly fail: string };

/** The context of one live token: what the builders read, and what is worked out once for it. */
interface LiveContext extends AttackContext {
  poolJwk: JsonObject | undefined;
  jwksError: string | undefined;
  readonly built: Record<string, Resolution>;
}

const POOL_KEY_MISSING =
  "needs the pool's private key: runs on the local target only (npm run contract, or the environment npm run stack writes)";

export function createContract(config: ContractConfig): Contract {
  const builders = config.builders;
  const contexts: Partial<Record<TokenBase, LiveContext>> = {};
  const jwksByIssuer: Record<string, unknown> = {};

  function context(pm: Pm, base: TokenBase): LiveContext | { readonly error: string } {
    const token = setting(pm, LIVE[base]);
    if (!token)
      return { error: `${LIVE[base]} is empty: see the sign-in check above, or fill ${LIVE[base]}` };
    const cached = contexts[base];
    if (cached && cached.token === token) return cached;
    const decoded = decode(token);
    if (!decoded) return { error: `${LIVE[base]} is not a JWT: sign in again or fill it with a token` };
    const made: LiveContext = {
      token,
      parts: decoded.parts,
      header: decoded.header,
      payload: decoded.payload,
      other: setting(pm, LIVE[base === 'id' ? 'access' : 'id']),
      poolJwk: undefined,
      jwksError: undefined,
      attacker: config.attacker,
      urls: { jku: setting(pm, 'attacker_jwks_url'), x5u: setting(pm, 'attacker_x5u_url') },
      built: {},
    };
    contexts[base] = made;
    return made;
  }

  // withJwks, fromPoolKey and resolve hand their outcome to a callback and `return done(...)` to stop
  // there, as the script always has; their return type is left to inference, since biome refuses
  // `return done(...)` in a function declared `: void`.

  // The pool's public keys: handed over by the runner in `pool_jwks`, or fetched once per issuer from
  // the issuer's well-known URL (what every verifier does).
  function withJwks(pm: Pm, c: LiveContext, done: () => void) {
    if (c.poolJwk !== undefined || c.jwksError !== undefined) return done();
    const issuer = typeof c.payload.iss === 'string' ? c.payload.iss : '';
    const use = (jwks: unknown) => {
      const keys: readonly unknown[] = isRecord(jwks) && Array.isArray(jwks.keys) ? jwks.keys : [];
      c.poolJwk = keys.find((key): key is JsonObject => isRecord(key) && key.kid === c.header.kid);
      if (!c.poolJwk)
        c.jwksError = `the pool's JWKS has no key with the token's kid "${String(c.header.kid)}"`;
      done();
    };
    const given = setting(pm, 'pool_jwks');
    if (given) {
      try {
        return use(JSON.parse(given));
      } catch {
        c.jwksError = 'pool_jwks is not JSON';
        return done();
      }
    }
    if (jwksByIssuer[issuer]) return use(jwksByIssuer[issuer]);
    if (!/^https?:\/\//.test(issuer)) {
      c.jwksError = "the token's issuer is not a URL, so the pool's JWKS cannot be found";
      return done();
    }
    const url = `${issuer}/.well-known/jwks.json`;
    pm.sendRequest({ url, method: 'GET' }, (error, response) => {
      if (error || !response || response.code !== 200) {
        c.jwksError = `the pool's public keys could not be fetched from ${url} (${error ? messageOf(error) : `HTTP ${response?.code}`})`;
        return done();
      }
      try {
        jwksByIssuer[issuer] = response.json();
      } catch {
        c.jwksError = `${url} did not answer JSON`;
        return done();
      }
      use(jwksByIssuer[issuer]);
    });
  }

  /** The environment's `pool_key_tokens` (security/pool-key-tokens.ts writes it): untrusted JSON. */
  function poolKeyTokens(pm: Pm): Readonly<Record<string, unknown>> | undefined {
    const raw = setting(pm, 'pool_key_tokens');
    if (!raw) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  // Why the environment's pool-key tokens cannot be used with the live token, or undefined.
  function staleness(pm: Pm, material: Readonly<Record<string, unknown>>): string | undefined {
    const live = decode(setting(pm, 'id_token'));
    if (live && material.issuer && live.payload.iss !== material.issuer) {
      return `its pool-key tokens were minted for ${String(material.issuer)}, but the signed-in ID token comes from ${String(live.payload.iss)}`;
    }
    if (typeof material.expiresAt === 'number' && material.expiresAt * 1000 <= Date.now()) {
      return `its pool-key tokens expired at ${new Date(material.expiresAt * 1000).toISOString()}`;
    }
    return undefined;
  }

  function fromPoolKey(pm: Pm, base: TokenBase, name: string, done: (result: Resolution) => void) {
    const material = poolKeyTokens(pm);
    if (!material) return done({ skip: POOL_KEY_MISSING });
    if (staleness(pm, material))
      return done({ skip: 'the environment is stale (see the environment check)' });
    const tokens = isRecord(material.tokens) ? material.tokens[base] : undefined;
    const token = isRecord(tokens) ? tokens[name] : undefined;
    return typeof token === 'string' && token ? done({ token }) : done({ skip: POOL_KEY_MISSING });
  }

  function hasScope(token: string, scopes: readonly string[]): boolean {
    const decoded = decode(token);
    const granted =
      decoded && typeof decoded.payload.scope === 'string' ? decoded.payload.scope.split(' ') : [];
    return scopes.some((scope) => granted.indexOf(scope) !== -1);
  }

  function resolve(pm: Pm, clause: Clause, source: TokenSource, done: (result: Resolution) => void) {
    if (source.kind === 'live') {
      const token = setting(pm, LIVE[source.base]);
      if (!token) {
        if (source.base === 'access') {
          return done({
            skip: 'access_token is empty: sign in with the collection (username, password) or run npm run token',
          });
        }
        return done({
          fail: `${LIVE[source.base]} is empty: see the sign-in check above, or fill ${LIVE[source.base]}`,
        });
      }
      if (source.base === 'access' && clause.scopes && clause.scopes.length > 0) {
        // A scoped method is only ever tried with a token carrying one of its scopes: the client_credentials
        // token (./sign-in.ts), or the user's own access token where its app client grants one. Never the
        // wrong token, for the acceptance and the persistence clause alike.
        const scoped = [setting(pm, SCOPED_ACCESS_TOKEN), token].find(
          (candidate) => candidate !== '' && hasScope(candidate, clause.scopes ?? []),
        );
        if (scoped === undefined) {
          return done({
            skip: `no access token at hand carries one of ${clause.scopes.join(', ')}: set oauth_token_url, oauth_client_id and oauth_client_secret to a confidential app client allowed one of them (client_credentials), or sign in through an app client that grants one`,
          });
        }
        return done({ token: scoped });
      }
      return done({ token });
    }
    if (source.kind === 'scope-stripped') return fromPoolKey(pm, 'access', 'scope-stripped', done);
    if (source.built === 'pool-key') return fromPoolKey(pm, source.base, source.row, done);
    if (source.built === 'sign-in') {
      const token = setting(pm, 'access_token');
      return token
        ? done({ token })
        : done({
            skip: "needs the user's access token: sign in with the collection (username, password) or run npm run token",
          });
    }
    const c = context(pm, source.base);
    if ('error' in c) return done({ fail: c.error });
    const build = (): void => {
      let built = c.built[source.row];
      if (built === undefined) {
        try {
          const builder = builders[source.row];
          if (builder === undefined) throw new Error('no builder has that name: rebuild the collection');
          built = { token: builder(c) };
        } catch (error) {
          built = { skip: `the ${source.row} token cannot be built here: ${messageOf(error)}` };
        }
        c.built[source.row] = built;
      }
      done(built);
    };
    const needs = source.needs || [];
    if (needs.indexOf('pool-jwks') !== -1) {
      return withJwks(pm, c, () => {
        if (c.jwksError) return done({ skip: c.jwksError });
        build();
      });
    }
    if (needs.indexOf('other-token') !== -1 && !c.other) {
      return done({
        skip: "needs the user's other token (ID and access token): sign in with the collection or run npm run token",
      });
    }
    build();
  }

  function coverage(pm: Pm, route: string): void {
    const allowed = parseAllowList(setting(pm, 'allow_unprotected')).entries.has(route);
    pm.test(`${route} has an authorizer or is on the allow-list`, () => {
      if (!allowed) {
        throw new Error(
          `${route} has no authorizer: attach the Cognito authorizer and redeploy, or, if it is public on purpose, add "${route}" to allow_unprotected (CONTRACT_ALLOW_UNPROTECTED in .env).`,
        );
      }
    });
  }

  function environmentCheck(pm: Pm): void {
    const material = poolKeyTokens(pm);
    const stale = material ? staleness(pm, material) : undefined;
    pm.test('The pool-key tokens in the environment belong to this stack and are current', () => {
      if (stale) {
        throw new Error(
          `The environment is stale, not the API: ${stale}. Re-import environments/generated/local-stack.postman_environment.json from the running npm run stack (or run npm run contract, which makes its own).`,
        );
      }
    });
  }

  function prepare(pm: Pm): void {
    const clause = clauseFor(pm);
    pm.variables.set('contract_skipped', '');
    if (!clause) return;
    if (clause.expect.kind === 'coverage' || clause.expect.kind === 'environment') {
      if (clause.expect.kind === 'coverage') coverage(pm, clause.expect.route);
      else environmentCheck(pm);
      // These clauses are decided without a request: sending one to an unprotected method could change data.
      skipRequest(pm);
      return;
    }
    // The clause decides the header: drop whatever the app or a user added. The token travels in the
    // authorizer's identity header (Authorization unless the description names another).
    const identityHeader = clause.identityHeader || 'Authorization';
    pm.request.headers.remove('Authorization');
    if (identityHeader !== 'Authorization') pm.request.headers.remove(identityHeader);
    const send = clause.send;
    if (send.authorization === 'none') return;
    resolve(pm, clause, send.token, (result) => {
      if ('skip' in result) return skip(pm, result.skip);
      if ('fail' in result) {
        fail(pm, 'A token to send is at hand', result.fail);
        skipRequest(pm);
        return;
      }
      const value = send.form === 'bearer' ? `Bearer ${result.token}` : result.token;
      pm.request.headers.upsert({ key: identityHeader, value });
    });
  }

  // The collection-level pre-request: the sign-in settles the tokens (./sign-in.ts), then the request is
  // prepared from its clause.
  function beforeRequest(pm: Pm): void {
    config.signIn(pm, () => {
      prepare(pm);
    });
  }

  return { version: config.version, beforeRequest, prepare, check };
}

// The checks, each worded so a failing test says which part of the contract broke and what came back.

/** A test script's `pm` once an answer came back. */
type Answered = PmCheckScope & { readonly response: PmResponse };

function answered(pm: PmCheckScope): pm is Answered {
  return pm.response !== undefined && pm.response !== null && typeof pm.response.code === 'number';
}

function status(pm: Answered): number {
  return pm.response.code;
}
function header(pm: Answered, name: string): string | undefined {
  return pm.response.headers.get(name);
}
function expectStatus(pm: Answered, expected: number, why: string): void {
  pm.test(`Status is ${expected}: ${why}`, () => {
    pm.expect(status(pm), `expected ${expected}, the gateway answered ${status(pm)}`).to.equal(expected);
  });
}
function mediaType(pm: Answered): string {
  const [type = ''] = String(header(pm, 'Content-Type') || '').split(';');
  return type.trim().toLowerCase();
}
function expectJson(pm: Answered): void {
  pm.test('Content-Type is application/json', () => {
    const type = mediaType(pm);
    pm.expect(type, `the response is declared as "${type}", not JSON`).to.equal('application/json');
  });
}
function expectAbsent(pm: Answered, absent: string | undefined): void {
  if (!absent) return;
  pm.test("The authorized answer's body is absent (the request never reached the integration)", () => {
    pm.expect(
      pm.response.text(),
      'the authorized answer leaked: the integration ran for a refused request',
    ).to.not.include(absent);
  });
}
function expectNot5xx(pm: Answered): void {
  pm.test('Status is not a 5xx: the gateway did not fail', () => {
    pm.expect(status(pm), `the gateway answered ${status(pm)}, a server error`).to.be.below(500);
  });
}
function expectNotLetThrough(pm: Answered): void {
  pm.test('Status is not a 2xx or 3xx: the token was not let through', () => {
    pm.expect(status(pm) >= 200 && status(pm) < 400, `the gateway answered ${status(pm)}`).to.be.false;
  });
}
function expectResponseTime(pm: Answered): void {
  const raw = setting(pm, 'max_response_ms');
  const limit = Number(raw);
  pm.test(`Response time is at most max_response_ms (${raw} ms)`, () => {
    pm.expect(
      Number.isFinite(limit) && limit > 0,
      'max_response_ms must be a positive number of milliseconds',
    ).to.be.true;
    pm.expect(pm.response.responseTime, 'the response took longer than max_response_ms').to.be.at.most(limit);
  });
}
function expectGatewayError(
  pm: Answered,
  expect: {
    readonly status: number;
    readonly body: string | null;
    readonly errorType: string;
    readonly absent?: string | undefined;
  },
  method: string,
): void {
  expectStatus(
    pm,
    expect.status,
    expect.status === 401 ? 'the authorizer refused the token' : 'the gateway refused the request',
  );
  // A HEAD answer never has a body, whatever the clause was written with.
  if (expect.body === '' || method === 'HEAD') {
    pm.test('Body is empty (a HEAD answer)', () => {
      pm.expect(pm.response.text(), 'a HEAD answer carried a body').to.equal('');
    });
  } else if (expect.body !== null) {
    const body = expect.body;
    pm.test(`Body is exactly ${body}`, () => {
      pm.expect(pm.response.text(), "the error body differs from API Gateway's").to.equal(body);
    });
  }
  expectJson(pm);
  pm.test(`x-amzn-ErrorType is ${expect.errorType}`, () => {
    pm.expect(header(pm, 'x-amzn-ErrorType'), 'wrong or missing x-amzn-ErrorType').to.equal(expect.errorType);
  });
  expectAbsent(pm, expect.absent);
}
const GATEWAY_REFUSALS = [
  'UnauthorizedException',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
];
function expectAuthorized(pm: Answered, answer: AuthorizedAnswer | null, method: string): void {
  if (!answer) {
    pm.test('The authorizer let the request through (no 401 or 403 from the gateway)', () => {
      const refused =
        (status(pm) === 401 || status(pm) === 403) &&
        GATEWAY_REFUSALS.indexOf(header(pm, 'x-amzn-ErrorType') ?? '') !== -1;
      pm.expect(refused, `the gateway refused it: ${status(pm)} ${header(pm, 'x-amzn-ErrorType')}`).to.be
        .false;
    });
    return;
  }
  expectStatus(pm, answer.status, 'the authorizer accepted the token');
  const { body, contentType } = answer;
  if (method === 'HEAD') {
    pm.test('Body is empty (a HEAD answer)', () => {
      pm.expect(pm.response.text(), 'a HEAD answer carried a body').to.equal('');
    });
  } else if (body !== undefined) {
    pm.test(`Body is exactly ${body}`, () => {
      pm.expect(pm.response.text(), 'the body is not the authorized answer').to.equal(body);
    });
  }
  if (contentType !== undefined) {
    pm.test(`Content-Type is ${contentType}`, () => {
      const type = mediaType(pm);
      pm.expect(type, `the response is declared as "${type}"`).to.equal(contentType);
    });
  }
}

/** The collection-level test: judges the answer to the request against its clause. */
export function check(pm: PmCheckScope): void {
  const clause = clauseFor(pm);
  if (!clause || clause.expect.kind === 'coverage' || clause.expect.kind === 'environment') return;
  if (setting(pm, 'contract_skipped') === pm.info.requestId) return;
  const expect: Expectation = clause.expect;
  if (!answered(pm)) {
    fail(
      pm,
      'A response came back',
      'no response: the request failed before any answer (see its request error)',
    );
    return;
  }
  // A clause of a kind this build does not know (a collection edited by hand) is named in the failure.
  const kind: string = expect.kind;
  switch (expect.kind) {
    case 'gateway-error':
      expectGatewayError(pm, expect, clause.method);
      break;
    case 'authorized':
      expectAuthorized(pm, expect.answer, clause.method);
      break;
    case 'client-error':
      pm.test('Status is a 4xx: the gateway refused it', () => {
        pm.expect(status(pm), `expected a 4xx, the gateway answered ${status(pm)}`).to.be.within(400, 499);
      });
      expectNot5xx(pm);
      expectAbsent(pm, expect.absent);
      break;
    case 'open':
      expectNot5xx(pm);
      expectNotLetThrough(pm);
      if (setting(pm, 'open_points') === 'refuse') {
        expectGatewayError(
          pm,
          {
            status: 401,
            body: '{"message":"Unauthorized"}',
            errorType: 'UnauthorizedException',
            absent: expect.absent,
          },
          clause.method,
        );
      } else {
        expectAbsent(pm, expect.absent);
      }
      break;
    case 'not-integration': {
      const pinned = Number(setting(pm, 'path_variant_status'));
      if (pinned) expectStatus(pm, pinned, 'path_variant_status pins the answer');
      else {
        pm.test('Status is a 4xx: the path is not the resource', () => {
          pm.expect(status(pm), `expected a 4xx, the gateway answered ${status(pm)}`).to.be.within(400, 499);
        });
      }
      expectAbsent(pm, expect.absent);
      break;
    }
    case 'scope-refused': {
      const allowed = (setting(pm, 'scope_refusal_statuses') || '401,403').split(',').map(Number);
      pm.test(
        `Status is one of ${allowed.join(', ')}: the method wants an access token with its scope`,
        () => {
          pm.expect(allowed, `the gateway answered ${status(pm)}`).to.include(status(pm));
        },
      );
      expectAbsent(pm, expect.absent);
      break;
    }
    default:
      fail(
        pm,
        'The clause is one this collection knows',
        `unknown expectation "${kind}": rebuild the collection`,
      );
  }
  expectResponseTime(pm);
}
