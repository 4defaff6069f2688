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
import { COVERAGE_WORDS, parseAllowList } from '../../api/surface.ts';
import type { JsonObject } from '../../common/jwt-parts.ts';
import { isRecord } from '../../common/records.ts';
import type { Assertion } from '../assertions.ts';
import { describeCheck } from '../checks.ts';
import type { CLAUSE_HEADER, Clause, Expectation, TokenBase, TokenSource } from '../clause.ts';
import type { AttackBuilder, AttackContext, SandboxAttacker } from './attack-builders.ts';
import { SCOPED_ACCESS_TOKEN } from './client-credentials.ts';
import { readJwt as decode } from './jwt.ts';
import type { Pm, PmCheckScope, PmResponse } from './postman.ts';
import { addHeaders, placeToken, requestBuilders } from './request-shape.ts';
import { idTokenProblems, signInSetting } from './sign-in.ts';

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

/** Run-local (pm.variables, never saved): why the environment check found the environment stale. */
const ENVIRONMENT_STALE = 'contract_environment_stale';

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
    const stale = setting(pm, ENVIRONMENT_STALE);
    if (stale) return done({ skip: `the environment is stale (see the environment check): ${stale}` });
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
    if (source.kind === 'scope-stripped' || source.kind === 'scope-superstring')
      return fromPoolKey(pm, 'access', source.kind, done);
    if (source.kind === 'request-built') {
      const c = context(pm, source.base);
      if ('error' in c) return done({ fail: c.error });
      try {
        return done({ token: requestBuilders[source.name](c) });
      } catch (error) {
        return done({ skip: `the ${source.name} token cannot be built here: ${messageOf(error)}` });
      }
    }
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

  function coverage(pm: Pm, route: string, protection: keyof typeof COVERAGE_WORDS = 'none'): void {
    const allowed = parseAllowList(setting(pm, 'allow_unprotected')).entries.has(route);
    pm.test(`${route} has an authorizer or is on the allow-list`, () => {
      if (allowed) return;
      if (protection === 'none') {
        throw new Error(
          `${route} has no authorizer: attach the Cognito authorizer and redeploy, or, if it is public on purpose, add "${route}" to allow_unprotected (CONTRACT_ALLOW_UNPROTECTED in .env).`,
        );
      }
      throw new Error(
        `${route} is ${COVERAGE_WORDS[protection]}: put it behind the Cognito authorizer, or, if that is on purpose, add "${route}" to allow_unprotected (CONTRACT_ALLOW_UNPROTECTED in .env).`,
      );
    });
  }

  /**
   * The environment check: does the environment belong to the system under test, and is its ID token
   * one that could be valid? It compares what it can: the ID token's issuer with the pool the
   * environment names (its pool id, whatever the endpoint), its audience with the app client, its expiry; on the local target the stack's
   * run id, pool, app client and API URL with what the running stack says it is; and the pool-key
   * tokens' issuer and expiry. Every problem goes into ONE failure naming what to re-import or re-run;
   * the clauses that send a token are then skipped with the same reason (resolve, above), since a
   * token that was never valid here makes their answers meaningless: a 401 would blame the API, and an
   * attack token refused for being of another pool would pass for the wrong reason.
   */
  function environmentCheck(pm: Pm, done: () => void) {
    pm.variables.set(ENVIRONMENT_STALE, '');
    const name = 'The environment belongs to the system under test and its tokens are current';
    const runId = setting(pm, 'stack_run_id');
    const endpoint = setting(pm, 'cognito_endpoint').replace(/\/+$/, '');
    const reasons: string[] = [];
    const finish = () => {
      const live = decode(setting(pm, 'id_token'));
      if (!live && reasons.length === 0) {
        pm.test.skip(`SKIPPED: ${name}: nothing to compare, id_token is empty (see the sign-in check)`);
        return done();
      }
      if (live) reasons.push(...tokenProblems(pm, live.payload));
      const material = poolKeyTokens(pm);
      const stale = material ? staleness(pm, material) : undefined;
      if (stale) reasons.push(stale);
      const fix = runId
        ? 'start npm run stack if it is not running, then re-import environments/generated/local-stack.postman_environment.json (or run npm run contract, which makes its own)'
        : 're-run npm run token and re-import its environment, or empty id_token so that the collection signs in again';
      const message =
        reasons.length === 0 ? '' : `The environment is stale, not the API: ${reasons.join('; ')}: ${fix}.`;
      pm.variables.set(ENVIRONMENT_STALE, reasons.join('; '));
      pm.test(name, () => {
        if (message) throw new Error(message);
      });
      done();
    };
    if (!runId || !/^https?:\/\//.test(endpoint)) return finish();
    // Which start of the local stack answers now (local-stack/cognito/emulator.ts, STACK_IDENTITY_PATH).
    const url = `${endpoint}/_local-stack/identity.json`;
    pm.sendRequest({ url, method: 'GET' }, (error, response) => {
      let identity: unknown;
      try {
        identity = !error && response && response.code === 200 ? response.json() : undefined;
      } catch {
        identity = undefined;
      }
      if (!isRecord(identity)) {
        reasons.push(
          `no local stack answers at ${endpoint} (${error ? messageOf(error) : `HTTP ${response ? response.code : 'no response'}`})`,
        );
        return finish();
      }
      if (identity.runId !== runId) {
        reasons.push(
          `it was written by a local stack that has stopped (run ${runId}), not by the one running now (run ${String(identity.runId)})`,
        );
      }
      const compare = (what: string, mine: string, theirs: unknown) => {
        if (mine && typeof theirs === 'string' && mine !== theirs) {
          reasons.push(`its ${what} is ${mine}, the running stack's is ${theirs}`);
        }
      };
      compare('cognito_user_pool_id', setting(pm, 'cognito_user_pool_id'), identity.userPoolId);
      compare('cognito_client_id', setting(pm, 'cognito_client_id'), identity.clientId);
      compare('baseUrl', setting(pm, 'baseUrl').replace(/\/+$/, ''), identity.apiUrl);
      finish();
    });
  }

  /**
   * What is wrong with the live ID token for this environment (pool, app client, expiry): the sign-in's
   * own rule (./sign-in.ts), so that a token the sign-in keeps is never one this check calls stale.
   */
  function tokenProblems(pm: Pm, payload: JsonObject): string[] {
    const owner = {
      poolId: signInSetting(pm, 'cognito_user_pool_id'),
      clientId: signInSetting(pm, 'cognito_client_id'),
    };
    return idTokenProblems(payload, owner, Math.floor(Date.now() / 1000)).map(
      (problem) => `${problem} and the sign-in did not replace it`,
    );
  }

  function prepare(pm: Pm): void {
    const clause = clauseFor(pm);
    pm.variables.set('contract_skipped', '');
    if (!clause) return;
    // A method of another user pool than the one signed in to: nothing is sent (its authorizer would
    // refuse this user's token, which proves nothing about it), and the report says which pool tests it.
    if (typeof clause.skip === 'string' && clause.skip !== '') {
      skip(pm, clause.skip);
      return;
    }
    if (clause.expect.kind === 'coverage') {
      coverage(pm, clause.expect.route, clause.expect.protection);
      // Decided without a request: sending one to an unprotected method could change data.
      skipRequest(pm);
      return;
    }
    if (clause.expect.kind === 'environment') {
      // Decided without a request to the API (it may ask the local stack which start it is).
      environmentCheck(pm, () => skipRequest(pm));
      return;
    }
    // The clause decides the header: drop whatever the app or a user added. The token travels in the
    // authorizer's identity header (Authorization unless the description names another).
    const identityHeader = clause.identityHeader || 'Authorization';
    pm.request.headers.remove('Authorization');
    if (identityHeader !== 'Authorization') pm.request.headers.remove(identityHeader);
    const send = clause.send;
    const shape = clause.shape;
    if (shape) addHeaders(pm, shape);
    if (send.authorization === 'none') {
      if (shape?.token) placed(pm, clause, shape.token);
      return;
    }
    resolve(pm, clause, send.token, (result) => {
      if ('skip' in result) return skip(pm, result.skip);
      if ('fail' in result) {
        fail(pm, 'A token to send is at hand', result.fail);
        skipRequest(pm);
        return;
      }
      const value = send.form === 'bearer' ? `Bearer ${result.token}` : result.token;
      // A request row may spell the identity header in lower case (HTTP field names are case-insensitive).
      const key = shape?.identityHeaderCase === 'lower' ? identityHeader.toLowerCase() : identityHeader;
      pm.request.headers.upsert({ key, value });
    });
  }

  // The live token somewhere other than the identity header (a request row's placement).
  function placed(
    pm: Pm,
    clause: Clause,
    placement: NonNullable<NonNullable<Clause['shape']>['token']>,
  ): void {
    // A token in the URL would be printed by every reporter that shows URLs: only a runner that
    // redacts them (npm run contract sets query_tokens) sends one.
    if (placement.in === 'query' && setting(pm, 'query_tokens') !== 'redacted') {
      skip(pm, `needs ${clause.needs ?? 'a runner that redacts tokens from URLs'}`);
      return;
    }
    const base: TokenBase = clause.scopes && clause.scopes.length > 0 ? 'access' : 'id';
    resolve(pm, clause, { kind: 'live', base }, (result) => {
      if ('skip' in result) return skip(pm, result.skip);
      if ('fail' in result) {
        fail(pm, 'A token to send is at hand', result.fail);
        skipRequest(pm);
        return;
      }
      const decoded = decode(result.token);
      placeToken(pm, placement, result.token, { payload: decoded ? decoded.payload : {} });
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
function mediaType(pm: Answered): string {
  const [type = ''] = String(header(pm, 'Content-Type') || '').split(';');
  return type.trim().toLowerCase();
}
/** The variable holding the slowest accepted answer so far in this run, in milliseconds (a measurement). */
const GENUINE_MS = 'contract_genuine_ms';

function recordGenuineTime(pm: Answered): void {
  const before = Number(setting(pm, GENUINE_MS)) || 0;
  pm.variables.set(GENUINE_MS, String(Math.max(before, pm.response.responseTime)));
}

/** Headers the answer carries that the allow-list (made before generation, lower-cased) does not name. */
function unlistedHeaders(pm: Answered, allowed: readonly string[]): string[] {
  const listed = allowed.map((name) => name.toLowerCase());
  return pm.response.headers
    .all()
    .map((entry) => entry.key)
    .filter((key) => listed.indexOf(key.toLowerCase()) === -1);
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
const GATEWAY_REFUSALS = [
  'UnauthorizedException',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
];

/** Where an assertion comes from, for its failure message: the facts and how sure they are. */
function basis(assertion: Assertion): string {
  const facts = assertion.facts.join(', ');
  switch (assertion.grade) {
    case 'firm':
      return `(docs/reference.md, firm: ${facts})`;
    case 'likely':
      return `(docs/reference.md, likely: ${facts}; the first suspect if a real API Gateway answers otherwise)`;
    case 'open':
      return `(docs/reference.md, open, asserted because --strict named it: ${facts})`;
  }
}

/** Checks one assertion, exactly as the clause's data states it. */
function expectOne(pm: Answered, assertion: Assertion): void {
  // No accepted answer timed before it in this run (a run of one folder): nothing to compare with, so
  // the check is skipped, never shown as passed.
  if (assertion.check === 'no-slowdown' && !(Number(setting(pm, GENUINE_MS)) > 0)) {
    pm.test.skip(describeCheck(assertion));
    return;
  }
  const why = basis(assertion);
  const code = status(pm);
  pm.test(describeCheck(assertion), () => {
    switch (assertion.check) {
      case 'status':
        pm.expect(code, `expected ${assertion.equals}, the gateway answered ${code} ${why}`).to.equal(
          assertion.equals,
        );
        return;
      case 'status-range':
        pm.expect(
          code,
          `expected ${assertion.min}-${assertion.max}, the gateway answered ${code} ${why}`,
        ).to.be.within(assertion.min, assertion.max);
        return;
      case 'not-5xx':
        pm.expect(code, `the gateway answered ${code}, a server error ${why}`).to.be.below(500);
        return;
      case 'refused':
        pm.expect(
          code >= 200 && code < 400,
          `the gateway answered ${code}: it let the request through ${why}`,
        ).to.be.false;
        return;
      case 'body':
        pm.expect(
          pm.response.text(),
          assertion.equals === '' ? `a HEAD answer carried a body ${why}` : `the body differs ${why}`,
        ).to.equal(assertion.equals);
        return;
      case 'json':
        pm.expect(mediaType(pm), `the response is declared as "${mediaType(pm)}", not JSON ${why}`).to.equal(
          'application/json',
        );
        return;
      case 'error-type':
        pm.expect(header(pm, 'x-amzn-ErrorType'), `wrong or missing x-amzn-ErrorType ${why}`).to.equal(
          assertion.equals,
        );
        return;
      case 'absent':
        pm.expect(
          pm.response.text(),
          `the authorized answer leaked: the integration ran for a refused request ${why}`,
        ).to.not.include(assertion.text);
        return;
      case 'let-through': {
        const refused =
          (code === 401 || code === 403) &&
          GATEWAY_REFUSALS.indexOf(header(pm, 'x-amzn-ErrorType') ?? '') !== -1;
        pm.expect(refused, `the gateway refused it: ${code} ${header(pm, 'x-amzn-ErrorType')} ${why}`).to.be
          .false;
        return;
      }
      case 'content-type':
        pm.expect(mediaType(pm), `the response is declared as "${mediaType(pm)}" ${why}`).to.equal(
          assertion.equals,
        );
        return;
      case 'refusal-headers': {
        const extra = unlistedHeaders(pm, assertion.allowed);
        pm.expect(
          extra.length,
          `headers API Gateway's refusals do not have: ${extra.join(', ')} (name a deployment's own in refusal headers) ${why}`,
        ).to.equal(0);
        return;
      }
      case 'no-slowdown': {
        const genuine = Number(setting(pm, GENUINE_MS));
        const bound = Math.round(assertion.factor * genuine + assertion.marginMs);
        pm.expect(
          pm.response.responseTime,
          `the refusal took ${Math.round(pm.response.responseTime)} ms, over ${assertion.factor} × the slowest accepted answer (${Math.round(genuine)} ms) + ${assertion.marginMs} ms: something ran for this request that the accepted one did not ${why}`,
        ).to.be.at.most(bound);
        return;
      }
      default: {
        // A check this build does not know (a collection edited by hand) is named in the failure.
        const unknown: string = (assertion as { check: string }).check;
        throw new Error(`unknown check "${unknown}": rebuild the collection`);
      }
    }
  });
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
  if (expect.kind !== 'answer' || !Array.isArray(expect.assertions)) {
    // An expectation of a kind this build does not know (a collection edited by hand or an old one).
    const kind: string = expect.kind;
    fail(
      pm,
      'The clause is one this collection knows',
      `unknown expectation "${kind}": rebuild the collection`,
    );
    return;
  }
  for (const assertion of expect.assertions) expectOne(pm, assertion);
  expectResponseTime(pm);
  // The accepted answer's time is what the no-slowdown check of later refusals measures against.
  if (clause.kind === 'accepted') recordGenuineTime(pm);
}
