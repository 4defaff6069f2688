import assert from 'node:assert/strict';
import type { JsonWebKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  buildHelloApiCollection,
  refusedTokenClauses,
  tutorialClauses,
} from '../../collections/hello-api-collection.ts';
import { emulatorSigningKey, type LocalStack, startStack } from '../../local-stack/stack.ts';
import { attackTokenEnvironmentValues, mintAttackTokens } from '../../security/attack-tokens.ts';
import { decodeJwt, numericClaim } from '../../security/jwt-shape.ts';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy.ts';
import { type CollectionRun, type EnvironmentEntry, runCollection } from '../support/run-collection.ts';

const INITIATE_AUTH = 'AWSCognitoIdentityProviderService.InitiateAuth';
const collection = buildHelloApiCollection();
const allClauses = [...tutorialClauses, ...refusedTokenClauses].map((clause) => clause.name);
const MINTED = [
  'attack_expired_id_token',
  'attack_rs256_pool_kid',
  'attack_rs256_own_kid',
  'attack_other_issuer',
  'attack_hs256_pool_public_key',
];
const clauseReading = (variable: string): string => {
  const clause = refusedTokenClauses.find((candidate) =>
    candidate.prerequest?.call.includes(`"${variable}"`),
  );
  assert.ok(clause, `no clause reads ${variable}`);
  return clause.name;
};

async function cognitoCall(
  endpoint: string,
  operation: string,
  body: object,
): Promise<Record<string, unknown>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      'Content-Type': 'application/x-amz-json-1.1',
    },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  assert.ok(response.ok && typeof answer === 'object' && answer !== null, `${operation} failed`);
  return answer as Record<string, unknown>;
}

async function signIn(
  stack: LocalStack,
  username = stack.cognito.username,
  password = stack.cognito.password,
) {
  const answer = await cognitoCall(stack.cognito.endpoint, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: stack.cognito.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  const result = answer.AuthenticationResult as { IdToken?: unknown; AccessToken?: unknown } | undefined;
  assert.ok(typeof result?.IdToken === 'string' && typeof result.AccessToken === 'string', 'no tokens');
  return { idToken: result.IdToken, accessToken: result.AccessToken };
}

function signInSettings(stack: LocalStack, cognitoEndpoint: string): EnvironmentEntry[] {
  return [
    { key: 'baseUrl', value: stack.apiUrl },
    { key: 'cognito_endpoint', value: cognitoEndpoint },
    { key: 'aws_region', value: stack.cognito.region },
    // The collection signs in with SRP by default, which hashes the pool's name in.
    { key: 'cognito_user_pool_id', value: stack.cognito.userPoolId },
    { key: 'cognito_client_id', value: stack.cognito.clientId },
    { key: 'username', value: stack.cognito.username },
    { key: 'password', value: stack.cognito.password, type: 'secret' },
  ];
}

/** What `npm run contract` hands the collection on the local target: a live token and every attack token. */
async function fullEnvironment(stack: LocalStack, cognitoEndpoint: string): Promise<EnvironmentEntry[]> {
  const { idToken, accessToken } = await signIn(stack);
  const tokens = mintAttackTokens({
    idToken,
    accessToken,
    poolJwks: stack.jwks,
    poolPrivateKey: emulatorSigningKey().privateJwk as JsonWebKey,
  });
  return [
    ...signInSettings(stack, cognitoEndpoint),
    { key: 'id_token', value: idToken, type: 'secret' },
    { key: 'id_token_exp', value: String(numericClaim(decodeJwt(idToken).payload, 'exp')) },
    // The token helper saves the access token beside the ID token; a sign-in without it would not be done.
    { key: 'access_token', value: accessToken, type: 'secret' },
    ...attackTokenEnvironmentValues(tokens),
  ];
}

function assertPassed(run: CollectionRun, names: readonly string[]): void {
  assert.deepEqual(run.errors, [], 'script or request errors');
  for (const name of names) {
    const clause = run.clauses.get(name);
    assert.ok(clause, `${name}: no result at all`);
    assert.deepEqual(clause.failed, [], `${name}: failed`);
    assert.deepEqual(clause.skipped, [], `${name}: skipped`);
    assert.ok(clause.passed.length >= 3, `${name}: too few checks passed`);
  }
}

function failedTests(run: CollectionRun): string[] {
  return [...run.clauses].flatMap(([name, clause]) =>
    clause.failed.map((failure) => `${name} :: ${failure.test}`),
  );
}

describe('the collection against the local stack', { timeout: 300_000 }, () => {
  let stack: LocalStack;
  let proxy: CountingProxy;

  before(async () => {
    stack = await startStack();
    proxy = await startCountingProxy(`${stack.cognito.endpoint}/`);
  });
  after(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  it('passes every one of the 18 clauses with a live token and the minted attack tokens, signing in never', async () => {
    const environment = await fullEnvironment(stack, proxy.url);
    proxy.reset();
    const run = await runCollection(collection, environment);
    assert.equal(proxy.count(INITIATE_AUTH), 0, 'a sign-in was made although id_token was valid');
    assertPassed(run, allClauses);
    assert.equal(run.summary.run.failures.length, 0);
    assert.equal(run.sent.length, 18);
  });

  it('signs in exactly once from only username, password and client settings, and every runnable clause passes', async () => {
    proxy.reset();
    const run = await runCollection(collection, signInSettings(stack, proxy.url));
    assert.equal(proxy.count(INITIATE_AUTH), 1);
    assert.equal(run.summary.run.failures.length, 0, failedTests(run).join('\n'));
    const minted = MINTED.map(clauseReading);
    assertPassed(
      run,
      allClauses.filter((name) => !minted.includes(name)),
    );
    // The access token came from the collection's own sign-in, so only the minted ones are skipped.
    for (const name of minted) assert.equal(run.clauses.get(name)?.skipped.length, 1, `${name} not skipped`);
  });

  it('signs in again, once, when the token expires within 60 seconds', async () => {
    const environment = (await fullEnvironment(stack, proxy.url)).map((entry) =>
      entry.key === 'id_token_exp' ? { ...entry, value: String(Math.floor(Date.now() / 1000) + 30) } : entry,
    );
    proxy.reset();
    const run = await runCollection(collection, environment);
    assert.equal(proxy.count(INITIATE_AUTH), 1);
    assert.equal(run.summary.run.failures.length, 0, failedTests(run).join('\n'));
  });

  it("fails with Cognito's error type and message on a wrong password, without printing the password", async () => {
    const wrong = 'Wrong-password-1!';
    const environment = signInSettings(stack, proxy.url).map((entry) =>
      entry.key === 'password' ? { ...entry, value: wrong } : entry,
    );
    const run = await runCollection(collection, environment);
    const failures = [...run.clauses.values()].flatMap((clause) =>
      clause.failed.filter((failure) => failure.test === 'Sign-in to Cognito succeeded'),
    );
    assert.ok(failures.length > 0, 'no failed sign-in test');
    for (const failure of failures) {
      // cognito-local answers InvalidPasswordException where AWS says NotAuthorizedException (docs/reference.md §6).
      assert.match(
        failure.message,
        /^Cognito refused the (srp|password) sign-in: (InvalidPassword|NotAuthorized)Exception: .*\[diagnosis: wrong-credentials\]$/,
      );
      assert.ok(!failure.message.includes(wrong), 'the password leaked into a test message');
    }
  });

  it('explains the NEW_PASSWORD_REQUIRED challenge of an administrator-created user', async () => {
    const username = 'new-user@example.com';
    await cognitoCall(stack.cognito.endpoint, 'AdminCreateUser', {
      UserPoolId: stack.cognito.userPoolId,
      Username: username,
      TemporaryPassword: 'Temporary-password-1!',
      MessageAction: 'SUPPRESS',
    });
    const environment = signInSettings(stack, proxy.url).map((entry) =>
      entry.key === 'username'
        ? { ...entry, value: username }
        : entry.key === 'password'
          ? { ...entry, value: 'Temporary-password-1!' }
          : entry,
    );
    const run = await runCollection(collection, environment);
    const messages = [...run.clauses.values()].flatMap((clause) =>
      clause.failed.map((failure) => failure.message),
    );
    assert.ok(
      messages.some((message) => /NEW_PASSWORD_REQUIRED.*admin-set-user-password --permanent/.test(message)),
      messages.join('\n'),
    );
  });

  it('shows a clause whose token is missing as skipped, never passed, in the summary, JUnit and htmlextra', async () => {
    const environment = (await fullEnvironment(stack, proxy.url)).map((entry) =>
      entry.key === 'attack_expired_id_token' ? { ...entry, value: '' } : entry,
    );
    const folder = await mkdtemp(join(tmpdir(), 'contract-skip-'));
    try {
      const run = await runCollection(collection, environment, {
        reporters: ['junit', 'htmlextra'],
        reporter: {
          junit: { export: join(folder, 'junit.xml') },
          htmlextra: {
            export: join(folder, 'report.html'),
            skipHeaders: 'Authorization',
            skipSensitiveData: true,
          },
        },
      });
      const expired = clauseReading('attack_expired_id_token');
      const clause = run.clauses.get(expired);
      assert.deepEqual(clause?.passed, []);
      assert.deepEqual(clause?.failed, []);
      assert.equal(clause?.skipped.length, 1);
      assert.match(String(clause?.skipped[0]), /^SKIPPED: attack_expired_id_token is empty on this target/);
      assert.ok(!run.sent.includes(expired), 'the skipped clause still sent its request');
      assert.equal(run.summary.run.failures.length, 0);

      const junit = await readFile(join(folder, 'junit.xml'), 'utf8');
      // Newman's JUnit reporter has no <skipped/>: the clause must be absent rather than a passing case.
      assert.ok(!junit.includes('expired'), 'JUnit lists the skipped clause, i.e. as passed');
      const html = await readFile(join(folder, 'report.html'), 'utf8');
      assert.match(html, /Skipped Tests <span class="badge badge-light">1<\/span>/);
      assert.match(html, /SKIPPED: attack_expired_id_token is empty on this target/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('the collection against a local gateway that is wrong in one way', { timeout: 120_000 }, () => {
  it('fails exactly the expired-token clause when the authorizer ignores exp', async () => {
    const stack = await startStack({
      authorizer: (real) => async (header) => {
        const decision = await real(header);
        return decision.effect === 'deny' && decision.reason === 'expired'
          ? { effect: 'allow', claims: {} }
          : decision;
      },
    });
    try {
      const run = await runCollection(collection, await fullEnvironment(stack, `${stack.cognito.endpoint}/`));
      const failedClauses = [...run.clauses]
        .filter(([, clause]) => clause.failed.length > 0)
        .map(([name]) => name);
      assert.deepEqual(failedClauses, [clauseReading('attack_expired_id_token')]);
    } finally {
      await stack.stop();
    }
  });

  it('fails every token clause but the oversized header when the authorizer accepts anything', async () => {
    const stack = await startStack({ authorizer: () => async () => ({ effect: 'allow', claims: {} }) });
    try {
      const run = await runCollection(collection, await fullEnvironment(stack, `${stack.cognito.endpoint}/`));
      const failedClauses = new Set(
        [...run.clauses].filter(([, clause]) => clause.failed.length > 0).map(([name]) => name),
      );
      const expected = [
        tutorialClauses[0]?.name,
        ...refusedTokenClauses.map((clause) => clause.name).filter((name) => !name.includes('oversized')),
      ];
      assert.deepEqual([...failedClauses].sort(), expected.sort());
    } finally {
      await stack.stop();
    }
  });
});
