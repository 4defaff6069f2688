/**
 * The committed collection in bare Newman against the local stack, outside `npm run contract`: with
 * the environment `npm run token` writes, every clause whose token the sandbox can build runs (it
 * fetches the pool's JWKS itself and signs the attacker tokens itself), and only the clauses that need
 * the pool's private key, a redacting runner (a token in the query string) or an attacker server the API
 * can reach show as skipped, with that reason. An environment whose pool-key tokens
 * belong to another stack or have expired is reported as stale by one check, not as API failures.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { generateClauses } from '../../collections/generate.ts';
import { contractEnvironment } from '../../contract-runner/run-environment.ts';
import { emulatorSigningKey } from '../../local-stack/cognito/emulator-key.ts';
import { rowsBuiltBy } from '../../security/catalogue.ts';
import { mintPoolKeyTokens } from '../../security/pool-key-tokens.ts';
import { ATTACKER_SERVER_NEEDS, QUERY_TOKEN_NEEDS } from '../../security/request-catalogue.ts';
import { obtainToken, settingsFromLocalStack, type TokenResult } from '../../token-helper/index.ts';
import { adminSignIn, createOtherPool } from '../support/cognito.ts';
import { type CollectionRun, type EnvironmentEntry, runCollection } from '../support/run-collection.ts';
import { cognitoTarget, useStack } from '../support/stack.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const clauses = generateClauses(helloApi);
const poolKeyRows = new Set(rowsBuiltBy('pool-key').map((row) => row.id));
const needsPoolKey = new Set(
  clauses
    .filter((clause) => clause.row !== undefined && poolKeyRows.has(clause.row))
    .map((clause) => clause.name),
);
/**
 * Why a clause is skipped with `npm run token`'s environment: bare Newman's reports would show a token
 * in a URL, and no attacker server is at hand (the jku, x5u and issuer-discovery rows).
 */
const ATTACKER_ROWS = new Set(['jku-injection', 'x5u-injection']);
function skippedFor(clause: (typeof clauses)[number]): RegExp | undefined {
  if (clause.needs === QUERY_TOKEN_NEEDS) return /^SKIPPED: needs a runner that redacts tokens/;
  if (clause.needs === ATTACKER_SERVER_NEEDS || ATTACKER_ROWS.has(clause.row ?? ''))
    return /SKIPPED: .*no attacker server the API can reach/;
  return undefined;
}
const ENVIRONMENT_CHECK = clauses.find((clause) => clause.kind === 'environment')?.name ?? '';

/** Newman run on the committed collection with an environment file, as `newman run -c … -e FILE` does. */
async function newmanWith(environmentFile: string): Promise<CollectionRun> {
  const [collection, environment] = await Promise.all(
    [join(repoRoot, 'collections/hello-api.postman_collection.json'), environmentFile].map(async (path) =>
      JSON.parse(await readFile(path, 'utf8')),
    ),
  );
  return runCollection(collection as object, (environment as { values: EnvironmentEntry[] }).values);
}

describe('the committed collection in bare Newman', { timeout: 300_000 }, () => {
  const stack = useStack();
  let folder: string;
  let token: TokenResult;
  let tokenFile: string;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'collection-env-'));
    tokenFile = join(folder, 'local.postman_environment.json');
    // Exactly what `npm run token` does: sign in, fill the template, write the file (0600).
    token = await obtainToken(settingsFromLocalStack(stack.get()), {
      rootDir: repoRoot,
      outPath: tokenFile,
      force: true,
    });
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('with the environment npm run token writes, runs every clause but the pool-key, query-string and attacker-server ones, which are skipped with why', async () => {
    const outcomes = (await newmanWith(tokenFile)).clauses;
    assert.equal(outcomes.size, clauses.length, 'every clause ran');
    for (const clause of clauses) {
      const outcome = outcomes.get(clause.name);
      assert.ok(outcome, `${clause.name}: no result`);
      assert.deepEqual(outcome.failed, [], clause.name);
      if (needsPoolKey.has(clause.name)) {
        assert.deepEqual(outcome.passed, [], `${clause.name} passed without its token`);
        assert.match(
          outcome.skipped.join(' '),
          /^SKIPPED: needs the pool's private key: runs on the local target only/,
        );
      } else if (skippedFor(clause) !== undefined) {
        assert.deepEqual(outcome.passed, [], `${clause.name} passed without what it needs`);
        assert.match(outcome.skipped.join(' '), skippedFor(clause) as RegExp, clause.name);
      } else {
        assert.deepEqual(outcome.skipped, [], `${clause.name} was skipped`);
        assert.ok(outcome.passed.length > 0, `${clause.name} asserted nothing`);
      }
    }
  });

  it('with pool-key tokens of another stack, fails one check that names the stale environment, and skips what needs them', async () => {
    const other = await createOtherPool(cognitoTarget(stack.get()), 'stale-user', 'Stale-pool-pw-1!');
    const stale = await adminSignIn(other, 'stale-user', 'Stale-pool-pw-1!');
    const environment = contractEnvironment(token.environment, {
      poolKeyTokens: mintPoolKeyTokens({
        idToken: stale.idToken,
        poolPrivateKey: emulatorSigningKey().privateJwk,
        poolJwks: stack.get().jwks,
      }),
    });
    const file = join(folder, 'stale.postman_environment.json');
    await writeFile(file, JSON.stringify(environment), { mode: 0o600 });
    const outcomes = (await newmanWith(file)).clauses;
    const failedClauses = [...outcomes].filter(([, outcome]) => outcome.failed.length > 0);
    assert.deepEqual(
      failedClauses.map(([name]) => name),
      [ENVIRONMENT_CHECK],
    );
    assert.match(
      failedClauses[0]?.[1].failed[0]?.message ?? '',
      /^The environment is stale, not the API: its pool-key tokens were minted for .*: re-run npm run token and re-import its environment/,
    );
    for (const name of needsPoolKey) {
      assert.match(outcomes.get(name)?.skipped.join(' ') ?? '', /SKIPPED: the environment is stale/, name);
    }
  });

  it('saved before a stack restart (another pool, client, tokens and run id), fails ONE check naming what to re-import, and skips every clause that sends a token', async () => {
    // What the environment of a stack that has since stopped looks like: its pool, app client, tokens
    // and pool-key tokens, and its run id; the ports are the same, so only those tell it apart.
    const other = await createOtherPool(cognitoTarget(stack.get()), 'old-user', 'Old-stack-pw-1!');
    const old = await adminSignIn(other, 'old-user', 'Old-stack-pw-1!');
    const replaced: Record<string, string> = {
      cognito_user_pool_id: other.userPoolId,
      cognito_client_id: other.clientId,
      id_token: old.idToken,
      access_token: old.accessToken,
      id_token_exp: String(
        JSON.parse(Buffer.from(old.idToken.split('.')[1] ?? '', 'base64url').toString()).exp,
      ),
      refresh_token: '',
    };
    const base = {
      ...token.environment,
      values: token.environment.values.map((entry) =>
        entry.key in replaced ? { ...entry, value: replaced[entry.key] ?? '' } : entry,
      ),
    };
    const environment = contractEnvironment(base, {
      accessToken: old.accessToken,
      poolKeyTokens: mintPoolKeyTokens({
        idToken: old.idToken,
        accessToken: old.accessToken,
        poolPrivateKey: emulatorSigningKey().privateJwk,
        poolJwks: stack.get().jwks,
      }),
      stackRunId: 'a-stack-that-has-stopped',
    });
    const file = join(folder, 'before-restart.postman_environment.json');
    await writeFile(file, JSON.stringify(environment), { mode: 0o600 });

    const outcomes = (await newmanWith(file)).clauses;

    const failedClauses = [...outcomes].filter(([, outcome]) => outcome.failed.length > 0);
    assert.deepEqual(
      failedClauses.map(([name]) => name),
      [ENVIRONMENT_CHECK],
      'one failure: the environment, not the API',
    );
    const message = failedClauses[0]?.[1].failed[0]?.message ?? '';
    assert.match(message, /written by a local stack that has stopped \(run a-stack-that-has-stopped\)/);
    assert.match(message, /its cognito_user_pool_id is \S+, the running stack's is /);
    assert.match(message, /re-import environments\/generated\/local-stack\.postman_environment\.json/);
    for (const clause of clauses.filter((c) => c.send.authorization === 'token')) {
      const outcome = outcomes.get(clause.name);
      assert.deepEqual(outcome?.passed, [], `${clause.name} passed with a token that was never valid here`);
      assert.match(
        outcome?.skipped.join(' ') ?? '',
        /^SKIPPED: the environment is stale \(see the environment check\): /,
        clause.name,
      );
    }
  });
});
