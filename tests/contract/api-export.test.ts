/**
 * A console-built API, described only by API Gateway's OpenAPI export (tests/fixtures/api/shop.oas30.json:
 * several resources, a path parameter, a method without authorization, one with OAuth scopes, a CORS
 * preflight), end to end: the local stack serves it with stand-in handlers, the contract is
 * generated from it and run, the methods without authorizer fail the run until the allow-list names
 * them, and a gateway that leaves one method unprotected fails exactly that method's clauses. Two
 * Newman runs: the proof's (no allow-list), whose requests are replayed against the unprotecting
 * gateway, and runContract's own (allow-list, the product's pipeline).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readApiDescription } from '../../api/read-description.ts';
import { helloApi } from '../../api/routes.ts';
import type { ApiSpec } from '../../api/spec.ts';
import { assertsCheck as asserts, type Clause, readClauseTable } from '../../collections/clause.ts';
import { generateClauses } from '../../collections/generate.ts';
import { formatContractSummary } from '../../contract-runner/console-summary.ts';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';
import { ATTACKS } from '../../security/catalogue.ts';
import {
  assertCaughtExactlyBy,
  PROOF_TIMEOUT_MS,
  type Proof,
  startProof,
  unguardedRequestRow,
} from './support/proof.ts';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;
const FIXTURE = 'tests/fixtures/api/shop.oas30.json';
const shop = await readApiDescription(join(repoRoot, FIXTURE), FIXTURE);
const clauses = generateClauses(shop);
const ALLOW = 'GET /health, OPTIONS /items';
const TIMEOUT_MS = 300_000;

/** `npm run contract --api-spec` on the export, in-process: the product's whole pipeline. */
function contract(allowUnprotected: string): Promise<ContractResult> {
  return runContract({ target: 'local', rootDir: repoRoot, reporters: [], api: shop, allowUnprotected });
}

function failed(result: ContractResult): string[] {
  return result.clauses
    .filter((clause) => clause.outcome !== 'passed')
    .map((clause) => clause.clause?.key ?? clause.name);
}

function keys(keep: (clause: Clause) => boolean): string[] {
  return clauses.filter(keep).map((clause) => clause.key);
}

describe('the contract generated from an API Gateway export, against the local stack serving it', () => {
  // Newman runs the export's contract once without an allow-list here (the proof's recording), and once
  // with it through runContract; the gateway that forgets one method's authorizer is decided by
  // replaying the recording (support/replay.ts, held to Newman by mutation-proof.test.ts).
  let proof: Proof;
  before(
    async () => {
      proof = await startProof(shop);
    },
    { timeout: PROOF_TIMEOUT_MS },
  );
  after(() => proof?.stop());

  it('runs every clause in real Newman, and fails only the coverage checks of the methods without authorizer', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const run = await proof.run();
    assertCaughtExactlyBy(run, clauses, new Set(keys((clause) => clause.kind === 'coverage')));
    const coverage = run.results.find((clause) => clause.clause?.kind === 'coverage');
    assert.match(
      coverage?.assertions[0]?.message ?? '',
      /^GET \/health has no authorizer: attach the Cognito authorizer and redeploy, or, if it is public on purpose, add "GET \/health" to allow_unprotected/,
    );
  });

  it('passes once the allow-list names them, scoped method included', { timeout: TIMEOUT_MS }, async () => {
    const result = await contract(ALLOW);
    assert.deepEqual(failed(result), []);
    assert.equal(result.passed, true);
    // The scoped method took the access token and refused the ID token and one without its scope.
    const scoped = result.clauses.filter((clause) => clause.clause?.folder === 'DELETE /items/{itemId}');
    assert.ok(
      scoped.some((clause) => clause.clause?.kind === 'scope-id-token' && clause.actualStatus === 401),
    );
    assert.ok(
      scoped.some((clause) => clause.clause?.kind === 'scope-without-scope' && clause.actualStatus === 401),
    );
    assert.ok(scoped.some((clause) => clause.clause?.kind === 'accepted' && clause.actualStatus === 200));
    // The default plan: the catalogue once per authorizer configuration, a sample elsewhere, and the
    // summary says so.
    assert.deepEqual(
      result.plan?.methods.map((method) => `${method.route} ${method.coverage}`),
      [
        'GET /items catalogue',
        'POST /items sample',
        'GET /items/{itemId} sample',
        'DELETE /items/{itemId} catalogue',
      ],
    );
    assert.match(
      formatContractSummary(result, repoRoot),
      /^Attack matrix: planned \(the default\): the whole catalogue runs once per authorizer \(2\), 2 other methods get a sample/m,
    );
    assert.deepEqual(
      result.coverage
        ?.filter((entry) => entry.protection === 'none')
        .map((entry) => [entry.route, entry.allowListed]),
      [
        ['GET /health', true],
        ['OPTIONS /items', true],
      ],
    );
  });

  it('fails exactly the clauses of the one method a gateway leaves without its authorizer', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const served: ApiSpec = {
      ...shop,
      routes: shop.routes.map((route) =>
        route.method === 'GET' && route.path === '/items/{itemId}'
          ? { ...route, protection: { kind: 'none' as const } }
          : route,
      ),
    };
    const oversized = (row: string | undefined) =>
      ATTACKS.find((candidate) => candidate.id === row)?.defects.includes('oversized') === true;
    const caught = keys(
      (clause) =>
        (clause.folder === 'GET /items/{itemId}' &&
          (clause.kind === 'no-header' ||
            (clause.kind === 'attack' && !oversized(clause.row) && asserts(clause, 'refused')))) ||
        // The request rows on that method and its resource reach it unguarded too.
        unguardedRequestRow(clause, 'GET /items/{itemId}', shop) ||
        // Not allow-listed in the recorded run: decided without a request, as they were there.
        clause.kind === 'coverage',
    );
    assertCaughtExactlyBy(await proof.replay({ api: served }), clauses, new Set(caught));
  });

  it('refuses an allow-list entry the description does not have, naming it', async () => {
    await assert.rejects(
      contract('GET /healthz'),
      /CONTRACT_ALLOW_UNPROTECTED names GET \/healthz, which the API description does not have/,
    );
  });
});

describe('npm run collection with an export', () => {
  it('writes the collection of exactly the generated clauses, and names the methods without authorizer', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const folder = await mkdtemp(join(tmpdir(), 'collection-'));
    try {
      const out = join(folder, 'shop.postman_collection.json');
      const { stdout } = await run(
        process.execPath,
        ['common/run-ts.mjs', 'scripts/collection.ts', '--api-spec', FIXTURE, '--out', out],
        {
          cwd: repoRoot,
        },
      );
      assert.match(
        stdout,
        new RegExp(
          `: ${clauses.length} clauses for ${shop.routes.length} methods of shop-api \\(stage prod\\)`,
        ),
      );
      assert.match(stdout, /Not behind Cognito: GET \/health, OPTIONS \/items;/);
      const table = readClauseTable(JSON.parse(await readFile(out, 'utf8')));
      assert.deepEqual(
        [...(table?.values() ?? [])].map((clause) => clause.key),
        clauses.map((clause) => clause.key),
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('counts in words that agree with the number: one method of the route table is "1 method"', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const folder = await mkdtemp(join(tmpdir(), 'collection-'));
    try {
      const out = join(folder, 'hello.postman_collection.json');
      const { stdout } = await run(
        process.execPath,
        ['common/run-ts.mjs', 'scripts/collection.ts', '--out', out],
        { cwd: repoRoot },
      );
      assert.equal(helloApi.routes.length, 1, 'the route table still has one method');
      assert.match(stdout, /: \d+ clauses for 1 method of hello-api /);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses an unwritable --out with one sentence and exit code 2', async () => {
    await assert.rejects(
      run(process.execPath, ['common/run-ts.mjs', 'scripts/collection.ts', '--out', '/sys/x.json'], {
        cwd: repoRoot,
      }),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 2);
        assert.match(
          String(error.stderr),
          /^Cannot write the collection to \/sys\/x\.json \(\w+\): choose a writable path with --out\.\n$/,
        );
        return true;
      },
    );
  });

  it('refuses a file that is no API description with one sentence and exit code 2', async () => {
    await assert.rejects(
      run(
        process.execPath,
        ['common/run-ts.mjs', 'scripts/collection.ts', '--api-spec', 'package.json', '--out', '/tmp/x.json'],
        { cwd: repoRoot },
      ),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 2);
        assert.match(
          String(error.stderr).trim(),
          /^The API description package\.json is JSON but not a form this reader knows[^\n]*$/,
        );
        return true;
      },
    );
  });
});
