// The contract's runtime in the Postman sandbox (app and Newman alike). The collection-level pre-request
// defines it once per run (it is kept in the sandbox's global scope, which persists across the scripts of
// a run) and calls `prepare(pm)` before each request; the collection-level test script calls
// `check(pm)` after it. Both read the request's clause (collections/generate.ts writes it into a disabled
// X-Contract-Clause header) and act on its data: which token to send in which form, and what must come
// back. Nothing here is specific to one route or one attack; the expensive tokens are built once per
// live token.
// It never logs a token, a password or a secret: Newman's --verbose and the app's console keep logs.
function createContract(config) {
  const crypto = config.crypto;
  const builders = config.builders;
  const contexts = {};
  const jwksByIssuer = {};

  function setting(pm, name) {
    const value = pm.variables.get(name);
    return value === undefined || value === null ? '' : String(value);
  }

  // The clause travels with its request as a disabled header (never sent): see collections/clause.ts.
  function clauseFor(pm) {
    const header = pm.request.headers.find((entry) => entry && entry.key === 'X-Contract-Clause');
    if (!header || typeof header.value !== 'string') return undefined;
    try {
      return JSON.parse(header.value);
    } catch (error) {
      return undefined;
    }
  }

  function decode(token) {
    const parts = String(token).split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(crypto.fromUtf8(crypto.fromBase64url(parts[0])));
      const payload = JSON.parse(crypto.fromUtf8(crypto.fromBase64url(parts[1])));
      if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) {
        return undefined;
      }
      return { parts: parts, header: header, payload: payload };
    } catch (error) {
      return undefined;
    }
  }

  const LIVE = { id: 'id_token', access: 'access_token' };

  function fail(pm, name, message) {
    pm.test(name, () => {
      throw new Error(message);
    });
  }

  function skip(pm, reason) {
    pm.test.skip(`SKIPPED: ${reason}`);
    // skipRequest arrived in postman-runtime 7.35: on older runtimes the request goes out and check()
    // finds the clause marked skipped, so nothing shows as passed that was not tried.
    pm.variables.set('contract_skipped', pm.info.requestId);
    if (pm.execution && typeof pm.execution.skipRequest === 'function') pm.execution.skipRequest();
  }

  function context(pm, base) {
    const token = setting(pm, LIVE[base]);
    if (!token)
      return { error: `${LIVE[base]} is empty: see the sign-in check above, or fill ${LIVE[base]}` };
    const cached = contexts[base];
    if (cached && cached.token === token) return cached;
    const decoded = decode(token);
    if (!decoded) return { error: `${LIVE[base]} is not a JWT: sign in again or fill it with a token` };
    const made = {
      token: token,
      parts: decoded.parts,
      header: decoded.header,
      payload: decoded.payload,
      other: setting(pm, LIVE[base === 'id' ? 'access' : 'id']),
      poolJwk: undefined,
      jwksError: undefined,
      attacker: config.attacker,
      urls: { jku: setting(pm, 'attacker_jwks_url'), x5u: setting(pm, 'attacker_x5u_url') },
      crypto: crypto,
      built: {},
    };
    contexts[base] = made;
    return made;
  }

  // The pool's public keys: handed over by the runner in `pool_jwks`, or fetched once per issuer from
  // the issuer's well-known URL (what every verifier does).
  function withJwks(pm, c, done) {
    if (c.poolJwk !== undefined || c.jwksError !== undefined) return done();
    const issuer = typeof c.payload.iss === 'string' ? c.payload.iss : '';
    const use = (jwks) => {
      const keys = jwks && Array.isArray(jwks.keys) ? jwks.keys : [];
      c.poolJwk = keys.find((key) => key && key.kid === c.header.kid);
      if (!c.poolJwk) c.jwksError = `the pool's JWKS has no key with the token's kid "${c.header.kid}"`;
      done();
    };
    const given = setting(pm, 'pool_jwks');
    if (given) {
      try {
        return use(JSON.parse(given));
      } catch (error) {
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
    pm.sendRequest({ url: url, method: 'GET' }, (error, response) => {
      if (error || !response || response.code !== 200) {
        c.jwksError = `the pool's public keys could not be fetched from ${url} (${error ? error.message || error : `HTTP ${response?.code}`})`;
        return done();
      }
      try {
        jwksByIssuer[issuer] = response.json();
      } catch (parseError) {
        c.jwksError = `${url} did not answer JSON`;
        return done();
      }
      use(jwksByIssuer[issuer]);
    });
  }

  function poolKeyTokens(pm) {
    const raw = setting(pm, 'pool_key_tokens');
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw);
      return parsed && typeof parsed === 'object' ? parsed : undefined;
    } catch (error) {
      return undefined;
    }
  }

  const POOL_KEY_MISSING =
    "needs the pool's private key: runs on the local target only (npm run contract, or the environment npm run stack writes)";

  // Why the environment's pool-key tokens cannot be used with the live token, or undefined.
  function staleness(pm, material) {
    const live = decode(setting(pm, 'id_token'));
    if (live && material.issuer && live.payload.iss !== material.issuer) {
      return `its pool-key tokens were minted for ${material.issuer}, but the signed-in ID token comes from ${live.payload.iss}`;
    }
    if (typeof material.expiresAt === 'number' && material.expiresAt * 1000 <= Date.now()) {
      return `its pool-key tokens expired at ${new Date(material.expiresAt * 1000).toISOString()}`;
    }
    return undefined;
  }

  function fromPoolKey(pm, base, name, done) {
    const material = poolKeyTokens(pm);
    if (!material) return done({ skip: POOL_KEY_MISSING });
    if (staleness(pm, material))
      return done({ skip: 'the environment is stale (see the environment check)' });
    const tokens = material.tokens?.[base] || {};
    const token = tokens[name];
    return token ? done({ token: token }) : done({ skip: POOL_KEY_MISSING });
  }

  function hasScope(token, scopes) {
    const decoded = decode(token);
    const granted =
      decoded && typeof decoded.payload.scope === 'string' ? decoded.payload.scope.split(' ') : [];
    return scopes.some((scope) => granted.indexOf(scope) !== -1);
  }

  function resolve(pm, clause, source, done) {
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
      if (
        source.base === 'access' &&
        clause.scopes &&
        clause.kind === 'accepted' &&
        !hasScope(token, clause.scopes)
      ) {
        return done({
          skip: `the signed-in user's access token carries none of ${clause.scopes.join(', ')}: sign in through an app client allowed one of them`,
        });
      }
      return done({ token: token });
    }
    if (source.kind === 'scope-stripped') return fromPoolKey(pm, 'access', 'scope-stripped', done);
    if (source.built === 'pool-key') return fromPoolKey(pm, source.base, source.row, done);
    if (source.built === 'sign-in') {
      const token = setting(pm, 'access_token');
      return token
        ? done({ token: token })
        : done({
            skip: "needs the user's access token: sign in with the collection (username, password) or run npm run token",
          });
    }
    const c = context(pm, source.base);
    if (c.error) return done({ fail: c.error });
    const build = () => {
      if (!(source.row in c.built)) {
        try {
          c.built[source.row] = { token: builders[source.row](c) };
        } catch (error) {
          c.built[source.row] = { skip: `the ${source.row} token cannot be built here: ${error.message}` };
        }
      }
      done(c.built[source.row]);
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

  function allowList(pm) {
    return setting(pm, 'allow_unprotected')
      .split(',')
      .map((entry) => {
        const parts = entry.trim().split(/\s+/);
        return parts.length === 2 ? `${parts[0].toUpperCase()} ${parts[1]}` : '';
      })
      .filter(Boolean);
  }

  function coverage(pm, clause) {
    const route = clause.expect.route;
    const allowed = allowList(pm).indexOf(route) !== -1;
    pm.test(`${route} has an authorizer or is on the allow-list`, () => {
      if (!allowed) {
        throw new Error(
          `${route} has no authorizer: attach the Cognito authorizer and redeploy, or, if it is public on purpose, add "${route}" to allow_unprotected (CONTRACT_ALLOW_UNPROTECTED in .env).`,
        );
      }
    });
  }

  function environmentCheck(pm) {
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

  function prepare(pm) {
    const clause = clauseFor(pm);
    pm.variables.set('contract_skipped', '');
    if (!clause) return;
    if (clause.expect.kind === 'coverage' || clause.expect.kind === 'environment') {
      if (clause.expect.kind === 'coverage') coverage(pm, clause);
      else environmentCheck(pm);
      // These clauses are decided without a request: sending one to an unprotected method could change data.
      pm.variables.set('contract_skipped', pm.info.requestId);
      if (pm.execution && typeof pm.execution.skipRequest === 'function') pm.execution.skipRequest();
      return;
    }
    // The clause decides the header: drop whatever the app or a user added.
    pm.request.headers.remove('Authorization');
    if (clause.send.authorization === 'none') return;
    resolve(pm, clause, clause.send.token, (result) => {
      if (result.skip) return skip(pm, result.skip);
      if (result.fail) {
        fail(pm, 'A token to send is at hand', result.fail);
        pm.variables.set('contract_skipped', pm.info.requestId);
        if (pm.execution && typeof pm.execution.skipRequest === 'function') pm.execution.skipRequest();
        return;
      }
      const value = clause.send.form === 'bearer' ? `Bearer ${result.token}` : result.token;
      pm.request.headers.upsert({ key: 'Authorization', value: value });
    });
  }

  // The checks, each worded so a failing test says which part of the contract broke and what came back.
  function status(pm) {
    return pm.response.code;
  }
  function header(pm, name) {
    return pm.response.headers.get(name);
  }
  function expectStatus(pm, expected, why) {
    pm.test(`Status is ${expected}: ${why}`, () => {
      pm.expect(status(pm), `expected ${expected}, the gateway answered ${status(pm)}`).to.equal(expected);
    });
  }
  function expectJson(pm) {
    pm.test('Content-Type is application/json', () => {
      const type = String(header(pm, 'Content-Type') || '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      pm.expect(type, `the response is declared as "${type}", not JSON`).to.equal('application/json');
    });
  }
  function expectAbsent(pm, absent) {
    if (!absent) return;
    pm.test("The authorized answer's body is absent (the request never reached the integration)", () => {
      pm.expect(
        pm.response.text(),
        'the authorized answer leaked: the integration ran for a refused request',
      ).to.not.include(absent);
    });
  }
  function expectNot5xx(pm) {
    pm.test('Status is not a 5xx: the gateway did not fail', () => {
      pm.expect(status(pm), `the gateway answered ${status(pm)}, a server error`).to.be.below(500);
    });
  }
  function expectNotLetThrough(pm) {
    pm.test('Status is not a 2xx or 3xx: the token was not let through', () => {
      pm.expect(status(pm) >= 200 && status(pm) < 400, `the gateway answered ${status(pm)}`).to.be.false;
    });
  }
  function expectResponseTime(pm) {
    const raw = setting(pm, 'max_response_ms');
    const limit = Number(raw);
    pm.test(`Response time is at most max_response_ms (${raw} ms)`, () => {
      pm.expect(
        Number.isFinite(limit) && limit > 0,
        'max_response_ms must be a positive number of milliseconds',
      ).to.be.true;
      pm.expect(pm.response.responseTime, 'the response took longer than max_response_ms').to.be.at.most(
        limit,
      );
    });
  }
  function expectGatewayError(pm, expect) {
    expectStatus(
      pm,
      expect.status,
      expect.status === 401 ? 'the authorizer refused the token' : 'the gateway refused the request',
    );
    if (expect.body === '') {
      pm.test('Body is empty (a HEAD answer)', () => {
        pm.expect(pm.response.text(), 'a HEAD answer carried a body').to.equal('');
      });
    } else if (expect.body !== null) {
      pm.test(`Body is exactly ${expect.body}`, () => {
        pm.expect(pm.response.text(), "the error body differs from API Gateway's").to.equal(expect.body);
      });
    }
    expectJson(pm);
    pm.test(`x-amzn-ErrorType is ${expect.errorType}`, () => {
      pm.expect(header(pm, 'x-amzn-ErrorType'), 'wrong or missing x-amzn-ErrorType').to.equal(
        expect.errorType,
      );
    });
    expectAbsent(pm, expect.absent);
  }
  const GATEWAY_REFUSALS = [
    'UnauthorizedException',
    'AccessDeniedException',
    'MissingAuthenticationTokenException',
    'IncompleteSignatureException',
  ];
  function expectAuthorized(pm, answer) {
    if (!answer) {
      pm.test('The authorizer let the request through (no 401 or 403 from the gateway)', () => {
        const refused =
          (status(pm) === 401 || status(pm) === 403) &&
          GATEWAY_REFUSALS.indexOf(header(pm, 'x-amzn-ErrorType')) !== -1;
        pm.expect(refused, `the gateway refused it: ${status(pm)} ${header(pm, 'x-amzn-ErrorType')}`).to.be
          .false;
      });
      return;
    }
    expectStatus(pm, answer.status, 'the authorizer accepted the token');
    if (answer.body !== undefined) {
      pm.test(`Body is exactly ${answer.body}`, () => {
        pm.expect(pm.response.text(), 'the body is not the authorized answer').to.equal(answer.body);
      });
    }
    if (answer.contentType !== undefined) {
      pm.test(`Content-Type is ${answer.contentType}`, () => {
        const type = String(header(pm, 'Content-Type') || '')
          .split(';')[0]
          .trim()
          .toLowerCase();
        pm.expect(type, `the response is declared as "${type}"`).to.equal(answer.contentType);
      });
    }
  }

  function check(pm) {
    const clause = clauseFor(pm);
    if (!clause || clause.expect.kind === 'coverage' || clause.expect.kind === 'environment') return;
    if (setting(pm, 'contract_skipped') === pm.info.requestId) return;
    const expect = clause.expect;
    if (!pm.response || typeof pm.response.code !== 'number') {
      fail(
        pm,
        'A response came back',
        'no response: the request failed before any answer (see its request error)',
      );
      return;
    }
    switch (expect.kind) {
      case 'gateway-error':
        expectGatewayError(pm, expect);
        break;
      case 'authorized':
        expectAuthorized(pm, expect.answer);
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
          expectGatewayError(pm, {
            status: 401,
            body: '{"message":"Unauthorized"}',
            errorType: 'UnauthorizedException',
            absent: expect.absent,
          });
        } else {
          expectAbsent(pm, expect.absent);
        }
        break;
      case 'not-integration': {
        const pinned = Number(setting(pm, 'path_variant_status'));
        if (pinned) expectStatus(pm, pinned, 'path_variant_status pins the answer');
        else {
          pm.test('Status is a 4xx: the path is not the resource', () => {
            pm.expect(status(pm), `expected a 4xx, the gateway answered ${status(pm)}`).to.be.within(
              400,
              499,
            );
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
          `unknown expectation "${expect.kind}": rebuild the collection`,
        );
    }
    expectResponseTime(pm);
  }

  // The collection-level pre-request: the sign-in settles the tokens (collections/src/sign-in.js), then
  // the request is prepared from its clause.
  function beforeRequest(pm) {
    config.signIn(pm, () => {
      prepare(pm);
    });
  }

  return { version: config.version, beforeRequest: beforeRequest, prepare: prepare, check: check };
}
