/**
 * The local authorizer remembers tokens it verified, to spare the RS256 check on repeated requests.
 * These tests prove the cache never changes an answer: a remembered token turns "expired" at exactly
 * the millisecond an uncached authorizer says so, and nothing but a verified token is remembered.
 * Time is faked (node:test mock timers replace Date for aws-jwt-verify and the cache alike).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { type Authorizer, createCognitoAuthorizer } from '../../../local-stack/gateway/authorizer.ts';
import { generateRsaKey, signRs256 } from '../../support/jwt.ts';

const issuer = 'http://127.0.0.1:9229/local_cache';
const kid = 'cache-test-key';
const { privateKey, publicKey } = generateRsaKey();
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] } as Jwks;
/** A whole second, so that exp * 1000 is an exact millisecond to step across. */
const start = Date.UTC(2030, 0, 1, 12, 0, 0);
const exp = start / 1000 + 600;

function idToken(claims: Record<string, unknown> = {}): string {
  return signRs256(
    { kid, alg: 'RS256' },
    { sub: 'u1', iss: issuer, token_use: 'id', iat: start / 1000, exp, ...claims },
    privateKey,
  );
}

function authorizer(cacheSize?: number): Authorizer {
  return createCognitoAuthorizer({
    issuer,
    // Never fetched: every token here names the pre-loaded kid.
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks,
    ...(cacheSize === undefined ? {} : { cacheSize }),
  });
}

describe('the local authorizer with its verification cache', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: start }));
  afterEach(() => mock.timers.reset());

  it('keeps allowing a remembered token up to and including the millisecond of exp, and says expired one millisecond later, like an uncached authorizer', async () => {
    const cached = authorizer();
    const uncached = authorizer(0);
    const token = idToken();
    assert.equal((await cached(token)).effect, 'allow');

    mock.timers.tick(exp * 1000 - start - 1);
    assert.deepEqual(await cached(token), await uncached(token));
    assert.equal((await cached(token)).effect, 'allow');

    mock.timers.tick(1);
    assert.equal(Date.now(), exp * 1000);
    assert.deepEqual(await cached(token), await uncached(token));
    assert.equal((await cached(token)).effect, 'allow');

    mock.timers.tick(1);
    assert.deepEqual(await uncached(token), { effect: 'deny', reason: 'expired' });
    assert.deepEqual(await cached(token), { effect: 'deny', reason: 'expired' });
    // Once expired, always expired: the entry is gone and the full check says so again.
    assert.deepEqual(await cached(`Bearer ${token}`), { effect: 'deny', reason: 'expired' });
  });

  it('answers a remembered token with the claims the full verification returned', async () => {
    const cached = authorizer();
    const token = idToken({ 'cognito:username': 'contract-tester' });
    const first = await cached(token);
    const second = await cached(`Bearer ${token}`);
    assert.deepEqual(second, first);
    assert.equal(second.effect === 'allow' && second.claims['cognito:username'], 'contract-tester');
  });

  it('still refuses a tampered copy of a remembered token: only the exact string is remembered', async () => {
    const cached = authorizer();
    const token = idToken();
    assert.equal((await cached(token)).effect, 'allow');
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'admin', iss: issuer, token_use: 'id', iat: start / 1000, exp }),
    ).toString('base64url');
    // The forgery ends in the remembered token's signature, so it lands on the same cache key: only
    // the whole-token comparison keeps it from being answered from the cache.
    assert.deepEqual(await cached(`${header}.${payload}.${signature}`), {
      effect: 'deny',
      reason: 'unauthorized',
    });
    assert.equal((await cached(token)).effect, 'allow');
  });

  it('never remembers a refusal: an access token is refused on every request', async () => {
    const cached = authorizer();
    const access = idToken({ token_use: 'access' });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await cached(access), { effect: 'deny', reason: 'unauthorized' });
    }
  });

  it('keeps giving right answers when more tokens arrive than it remembers', async () => {
    const cached = authorizer(2);
    const tokens = [1, 2, 3, 4].map((n) => idToken({ sub: `u${n}` }));
    for (const token of [...tokens, ...tokens]) assert.equal((await cached(token)).effect, 'allow');
    mock.timers.tick(exp * 1000 - start + 1);
    for (const token of tokens) assert.deepEqual(await cached(token), { effect: 'deny', reason: 'expired' });
  });
});
