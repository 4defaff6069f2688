/**
 * Every form of API description the readers accept (tests/fixtures/api/), end to end: each file is read,
 * its contract generated and run in real Newman over real HTTP against a local gateway serving the same
 * file, in front of one shared local Cognito. Each run passes except exactly the coverage clauses of
 * the methods the file leaves outside Cognito, each named as what it is (IAM, Lambda authorizer, API
 * key only, no authorizer). A `cdk synth` template goes through `npm run contract` itself, --stage and
 * --handler included, in npm-run-contract.test.ts (whose `--reporters cli` run it is).
 *
 * What differs from one form to the next is the reading (which methods, authorizers, identity sources,
 * scopes and pools), so the attack catalogue runs whole on one form (mixed.oas30.json: two authorizers,
 * scopes, every kind of unprotected method) and one row of each kind on the others (tests/support/few-clauses.ts
 * `oneRowPerKind`, as api-shapes.test.ts does): 1,270 requests fewer, about 15 s of CPU.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readApiDescription } from '../../api/read-description.ts';
import type { ApiSpec } from '../../api/spec.ts';
import { generateClauses } from '../../collections/generate.ts';
import { runContract } from '../../contract-runner/run-contract.ts';
import { ATTACKS } from '../../security/catalogue.ts';
import { oneRowPerKind } from '../support/few-clauses.ts';
import { assertCaughtExactlyBy, assertWholeContractPassed, type Proof, startProof } from './support/proof.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const TIMEOUT_MS = 300_000;

interface Case {
  readonly file: string;
  readonly stage?: string;
  /** The form the reader must detect. */
  readonly kind: ApiSpec['source']['kind'];
  /** The coverage clauses that must fail, by allow-list key and what the clause calls the protection. */
  readonly flagged: readonly (readonly [string, string])[];
  /** Every row of the attack catalogue, not one of each kind. */
  readonly wholeCatalogue?: true;
}

const NONE = 'declared without an authorizer';
const CASES: readonly Case[] = [
  { file: 'sam-implicit-api.yaml', kind: 'sam', flagged: [['GET /health', NONE]] },
  {
    file: 'sam-definition-body.yaml',
    stage: 'dev',
    kind: 'sam',
    flagged: [
      ['OPTIONS /invoices', NONE],
      ['OPTIONS /invoices/{invoiceId}', NONE],
      ['GET /status', NONE],
      ['OPTIONS /status', NONE],
    ],
  },
  {
    file: 'catalog.swagger2.json',
    kind: 'swagger',
    flagged: [
      ['GET /feed', 'API key only: unprotected'],
      ['POST /internal/reindex', 'IAM: not tested by this contract'],
    ],
  },
  { file: 'reviews.swagger2.yaml', kind: 'swagger', flagged: [] },
  { file: 'inventory.oas30.yaml', kind: 'openapi', flagged: [['ANY /legacy/{proxy+}', NONE]] },
  {
    file: 'mixed.oas30.json',
    kind: 'openapi',
    wholeCatalogue: true,
    flagged: [
      ['ANY /ledger/{proxy+}', 'IAM: not tested by this contract'],
      ['GET /partners', 'Lambda authorizer: not tested by this contract'],
      ['GET /ping', NONE],
      ['GET /rates', 'API key only: unprotected'],
      ['ANY /webhooks', 'Lambda authorizer: not tested by this contract'],
    ],
  },
  {
    file: 'pets.cfn.yaml',
    kind: 'cloudformation',
    flagged: [
      ['ANY /admin/{proxy+}', 'IAM: not tested by this contract'],
      ['OPTIONS /pets', NONE],
    ],
  },
  // A SAM template whose REST API is plain CloudFormation, its identity source in lower case.
  { file: 'sam-plain-restapi.yaml', kind: 'cloudformation', flagged: [['OPTIONS /notes', NONE]] },
  // Methods from a state machine's Api events (an AWS integration), the API's ApiKeyRequired on
  // Cognito methods, and a body whose document-level IAM the default authorizer overrides.
  {
    file: 'sam-state-machine.yaml',
    kind: 'sam',
    flagged: [
      ['GET /health', NONE],
      ['OPTIONS /health', NONE],
      ['OPTIONS /orders', NONE],
      ['OPTIONS /orders/{orderId}', NONE],
      ['OPTIONS /orders/{orderId}/receipt', NONE],
    ],
  },
];

async function read(entry: { file: string; stage?: string }): Promise<ApiSpec> {
  const path = `tests/fixtures/api/${entry.file}`;
  return readApiDescription(
    join(repoRoot, path),
    path,
    entry.stage === undefined ? {} : { stage: entry.stage },
  );
}

describe('each form of API description, its generated contract against the local stack serving it', () => {
  let proof: Proof;
  before(async () => {
    proof = await startProof(await read(CASES[0] as Case));
  });
  after(() => proof?.stop());

  for (const entry of CASES) {
    it(`${entry.file}${entry.wholeCatalogue ? ' (the whole catalogue)' : ''}: passes every clause but the coverage of ${entry.flagged.length === 0 ? 'no method' : entry.flagged.map(([key]) => key).join(', ')}`, {
      timeout: TIMEOUT_MS,
    }, async () => {
      const api = await read(entry);
      assert.equal(api.source.kind, entry.kind);
      const clauses = generateClauses(api, entry.wholeCatalogue ? ATTACKS : oneRowPerKind());
      const coverage = clauses.filter((clause) => clause.kind === 'coverage');
      // One clause per declaration: an ANY method is one, named as what protects it.
      assert.deepEqual(
        coverage.map((clause) => (clause.expect.kind === 'coverage' ? clause.expect.route : '')),
        entry.flagged.map(([key]) => key),
      );
      coverage.forEach((clause, index) => {
        assert.ok(clause.name.includes(entry.flagged[index]?.[1] ?? '?'), clause.name);
      });
      const result = await proof.runDescription(api, clauses);
      // Every generated clause ran, and exactly the coverage clauses failed (nothing skipped).
      if (coverage.length === 0) assertWholeContractPassed(result, clauses);
      else assertCaughtExactlyBy(result, clauses, new Set(coverage.map((clause) => clause.key)));
    });
  }
});

describe('a description run against AWS', () => {
  const settings = {
    target: 'aws' as const,
    apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_SomeOther1',
    clientId: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
    username: 'contract-tester',
    password: 'not-used-here',
  };

  it('takes one allow-list entry for an ANY declaration, and refuses a method it stands for, naming the entry', async () => {
    const api = await read({ file: 'mixed.oas30.json' });
    await assert.rejects(
      runContract({
        target: 'local',
        rootDir: repoRoot,
        reporters: [],
        api,
        allowUnprotected: 'GET /webhooks',
      }),
      /^UsageError: CONTRACT_ALLOW_UNPROTECTED names GET \/webhooks \(declared as ANY \/webhooks: name that\): one ANY declaration is one entry\.$/,
    );
  });

  it('is refused before anything is sent when its pool ARNs do not name the pool signed in to', async () => {
    const api = await read({ file: 'catalog.swagger2.json' });
    await assert.rejects(
      runContract({
        target: 'aws',
        settings,
        rootDir: repoRoot,
        reporters: [],
        api,
        allowUnprotected: 'GET /feed, POST /internal/reindex',
      }),
      /^UsageError: The API description's pool arn:aws:cognito-idp:us-east-1:444455556666:userpool\/us-east-1_Cat4l0gXy \(the only pool the description names\) is not the pool signed in to, COGNITO_USER_POOL_ID us-east-1_SomeOther1: [^\n]+\.$/,
    );
  });

  it('compares the placeholder ARN of the pool a two-pool template tests with the pool signed in to, in one sentence', async () => {
    const file = 'tests/fixtures/api/sam-two-pools.yaml';
    const api = await readApiDescription(join(repoRoot, file), file, {});
    await assert.rejects(
      runContract({ target: 'aws', settings, rootDir: repoRoot, reporters: [], api }),
      /^UsageError: The API description's pool arn:aws:2 \(the pool that protects the most methods, 2 of 3; [^)]+\) is not the pool signed in to, COGNITO_USER_POOL_ID us-east-1_SomeOther1: sign in to that pool [^\n]+, choose another of the description's pools with --pool POOL or CONTRACT_POOL, [^\n]+\.$/,
    );
  });
});
