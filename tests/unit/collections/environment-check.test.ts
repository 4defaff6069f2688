/**
 * The collection's environment check and its sign-in judge the live ID token by one rule
 * (idTokenProblems in collections/sandbox/sign-in.ts): a token the sign-in keeps is never one the
 * environment check calls stale, which would skip every clause that sends a token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SandboxAttacker } from '../../../collections/sandbox/attack-builders.ts';
import { createContract } from '../../../collections/sandbox/contract-lib.ts';
import type { Pm } from '../../../collections/sandbox/postman.ts';
import { idTokenProblems } from '../../../collections/sandbox/sign-in.ts';
import { encodeJsonPart } from '../../../common/jwt.ts';

const POOL = 'eu-west-1_Abc123';
const CLIENT = 'client-1';
const now = () => Math.floor(Date.now() / 1000);

/** An ID token with a placeholder signature: the check reads its claims only. */
function jwt(payload: Record<string, unknown>): string {
  return `${encodeJsonPart({ alg: 'RS256', kid: 'k' })}.${encodeJsonPart(payload)}.c2ln`;
}

interface Outcome {
  readonly failures: string[];
  readonly passed: string[];
  readonly skipped: string[];
}

/** Runs the environment clause's pre-request with these variables, as the sandbox would. */
function environmentCheck(variables: Record<string, string>): Outcome {
  const values = new Map(Object.entries(variables));
  const outcome: Outcome = { failures: [], passed: [], skipped: [] };
  const clause = JSON.stringify({ expect: { kind: 'environment' }, send: { authorization: 'none' } });
  const test = Object.assign(
    (name: string, run: () => void) => {
      try {
        run();
        outcome.passed.push(name);
      } catch (error) {
        outcome.failures.push(error instanceof Error ? error.message : String(error));
      }
    },
    { skip: (name: string) => outcome.skipped.push(name) },
  );
  const pm = {
    info: { requestId: 'r1' },
    variables: {
      get: (name: string) => values.get(name),
      set: (name: string, value: string) => values.set(name, value),
      replaceIn: (text: string) => text,
    },
    environment: { set: (name: string, value: string) => values.set(name, value) },
    request: {
      headers: {
        find: (match: (header: { key: string; value: string }) => boolean) =>
          [{ key: 'X-Contract-Clause', value: clause }].find(match),
        remove: () => {},
        upsert: () => {},
      },
      url: { query: { add: () => {} } },
    },
    execution: { skipRequest: () => {} },
    test,
    expect: () => {
      throw new Error('not used');
    },
    sendRequest: () => {
      throw new Error('the environment check sends nothing without stack_run_id');
    },
  } as unknown as Pm;
  const contract = createContract({
    version: 'test',
    builders: {},
    signIn: (_pm, done) => done(),
    attacker: {} as SandboxAttacker,
  });
  contract.prepare(pm);
  return outcome;
}

const settings = { cognito_user_pool_id: POOL, cognito_client_id: CLIENT, aws_region: 'eu-west-1' };

describe('the environment check judges the ID token by the sign-in rule', () => {
  it('passes a token the sign-in keeps, though id_token_exp is old and the issuer is another endpoint of the same pool', () => {
    const payload = { iss: `http://127.0.0.1:9229/${POOL}`, aud: CLIENT, exp: now() + 3600 };
    assert.deepEqual(idTokenProblems(payload, { poolId: POOL, clientId: CLIENT }, now()), []);
    const outcome = environmentCheck({ ...settings, id_token: jwt(payload), id_token_exp: '1' });
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.passed.length, 1);
  });

  it('reads the pool and app client as the sign-in does, spaces around them trimmed', () => {
    const payload = {
      iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`,
      aud: CLIENT,
      exp: now() + 3600,
    };
    const outcome = environmentCheck({
      ...settings,
      cognito_user_pool_id: ` ${POOL} `,
      cognito_client_id: `${CLIENT} `,
      id_token: jwt(payload),
    });
    assert.deepEqual(outcome.failures, []);
  });

  it('reports a token the sign-in would replace: expired, of another pool, of another app client', () => {
    const payload = {
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
      aud: 'other',
      exp: now() - 60,
    };
    const problems = idTokenProblems(payload, { poolId: POOL, clientId: CLIENT }, now());
    assert.equal(problems.length, 3);
    const outcome = environmentCheck({
      ...settings,
      id_token: jwt(payload),
      id_token_exp: String(now() + 3600),
    });
    assert.equal(outcome.failures.length, 1);
    const [failure = ''] = outcome.failures;
    assert.match(failure, /^The environment is stale, not the API: /);
    assert.match(failure, /not by the pool eu-west-1_Abc123 and the sign-in did not replace it/);
    assert.match(failure, /is for app client other, not client-1/);
    assert.match(failure, /its ID token expired at .* and the sign-in did not replace it/);
  });

  it('calls a token with less than five minutes left not fresh, and one without exp unusable', () => {
    const owner = { poolId: POOL, clientId: CLIENT };
    const iss = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
    assert.match(
      idTokenProblems({ iss, aud: CLIENT, exp: now() + 60 }, owner, now()).join(),
      /within 5 minutes/,
    );
    assert.deepEqual(idTokenProblems({ iss, aud: CLIENT }, owner, now()), [
      'its ID token has no expiry (exp)',
    ]);
  });
});
