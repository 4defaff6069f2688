/**
 * One real `runContract` on the embedded local stack, into a temporary reports folder that already
 * holds an interrupted run and a broken one; then what an auditor gets from it: summary.json against
 * the committed schema, counts that agree with the clauses, provenance that matches the repository,
 * pages that load nothing from the network, and no secret in any file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';
import type { RunSummary } from '../../contract-runner/run-summary.ts';
import type { TokenResult } from '../../token-helper/index.ts';
import { assertSelfContained } from './html-references.ts';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const schema: unknown = JSON.parse(await readFile(join(rootDir, 'schemas/run-summary.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema as object);

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function tally(outcomes: readonly string[]) {
  return {
    total: outcomes.length,
    passed: outcomes.filter((o) => o === 'passed').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    skipped: outcomes.filter((o) => o === 'skipped').length,
  };
}

describe('an audited run of the contract on the local stack', () => {
  let reports: string;
  let result: ContractResult;
  let token: TokenResult;
  let password: string;
  let summaryText: string;
  let summary: RunSummary;

  before(async () => {
    reports = await mkdtemp(join(tmpdir(), 'audit-run-'));
    await mkdir(join(reports, '2020-01-01T00-00-00Z-local'));
    await mkdir(join(reports, '2020-01-02T00-00-00Z-aws'));
    await writeFile(join(reports, '2020-01-02T00-00-00Z-aws', 'summary.json'), '{ truncated');

    result = await runContract({
      target: 'local',
      rootDir,
      reportsDir: reports,
      reporters: ['htmlextra', 'junit'],
      onStackStarted: (stack) => {
        password = stack.cognito.password;
      },
      onToken: (value) => {
        token = value;
      },
    });
    assert.ok(result.files.summary, 'no summary.json written');
    summaryText = await readFile(result.files.summary, 'utf8');
    summary = JSON.parse(summaryText) as RunSummary;
  });

  after(async () => {
    await rm(reports, { recursive: true, force: true });
  });

  it('passes, and writes report.html, junit.xml and summary.json into its own folder', async () => {
    assert.equal(result.passed, true, JSON.stringify(result.counts));
    assert.ok(result.runFolder);
    assert.deepEqual((await readdir(result.runFolder)).sort(), ['junit.xml', 'report.html', 'summary.json']);
  });

  it('writes a summary.json that validates against schemas/run-summary.schema.json', () => {
    const valid = validate(summary);
    assert.ok(valid, ajv.errorsText(validate.errors));
  });

  it('has a schema that rejects a summary carrying the token or missing a clause field', () => {
    const withToken = { ...summary, identity: { ...summary.identity, idToken: 'eyJ.x.y' } };
    const [first, ...rest] = summary.clauses;
    assert.ok(first);
    const { outcome: _dropped, ...withoutOutcome } = first;

    assert.equal(validate(withToken), false);
    assert.equal(validate({ ...summary, clauses: [withoutOutcome, ...rest] }), false);
    assert.equal(validate({ ...summary, collection: { ...summary.collection, sha256: 'abc' } }), false);
  });

  it('has counts equal to the run, and to its own clause list', () => {
    assert.deepEqual(summary.counts, result.counts);
    assert.deepEqual(summary.counts.clauses, tally(summary.clauses.map((c) => c.outcome)));
    const assertions = summary.clauses.flatMap((c) => c.assertions);
    assert.deepEqual(summary.counts.assertions, {
      total: assertions.length,
      failed: assertions.filter((a) => a.outcome === 'failed').length,
      skipped: assertions.filter((a) => a.outcome === 'skipped').length,
    });
    assert.equal(summary.clauses.length, 18);
    assert.deepEqual(
      summary.clauses.map((c) => [c.folder, c.name, c.requestLine, c.outcome]),
      result.clauses.map((c) => [c.folder, c.name, c.requestLine, c.outcome]),
    );
    assert.equal(summary.passed, result.passed);
  });

  it('records each clause with its request line, expected and actual status, and assertions', () => {
    const first = summary.clauses[0];
    assert.ok(first);
    assert.equal(first.iteration, 1);
    assert.match(first.requestLine, /^GET \/dev\/hello$/);
    assert.equal(first.expectedStatus, '401');
    assert.equal(first.actualStatus, 401);
    assert.ok(first.assertions.length >= 3);
    assert.ok(first.assertions.every((a) => a.outcome === 'passed' && a.message === null));
  });

  it('identifies the run, the target, the API, the times, the code and the tools', async () => {
    const collectionBytes = await readFile(join(rootDir, 'collections/hello-api.postman_collection.json'));
    const templateBytes = await readFile(join(rootDir, 'environments/local.postman_environment.json'));
    const head = execFileSync('git', ['-C', rootDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const collection = JSON.parse(collectionBytes.toString('utf8')) as {
      info: { name: string; version?: string };
    };

    assert.equal(summary.runFolder, result.runFolder?.split(/[\\/]/).pop());
    assert.equal(summary.target, 'local');
    assert.equal(summary.apiUrl, result.apiUrl);
    assert.equal(summary.startedAt, result.startedAt.toISOString());
    assert.equal(summary.finishedAt, result.finishedAt.toISOString());
    assert.deepEqual(summary.collection, {
      path: 'collections/hello-api.postman_collection.json',
      name: collection.info.name,
      version: collection.info.version ?? null,
      sha256: sha256(collectionBytes),
    });
    assert.deepEqual(summary.environmentTemplate, {
      path: 'environments/local.postman_environment.json',
      sha256: sha256(templateBytes),
    });
    assert.equal(summary.suite.git?.commit, head);
    assert.equal(typeof summary.suite.git?.dirty, 'boolean');
    assert.deepEqual(summary.tools, {
      node: process.version,
      newman: (require('newman/package.json') as { version: string }).version,
      newmanReporterHtmlextra: (require('newman-reporter-htmlextra/package.json') as { version: string })
        .version,
    });
    assert.equal(
      summary.suite.version,
      (require(resolve(rootDir, 'package.json')) as { version: string }).version,
    );
  });

  it('names whom the token identified, and never the token', () => {
    assert.deepEqual(summary.identity, {
      sub: token.claims.sub,
      cognitoUsername: token.claims.username,
      issuer: token.claims.iss,
      audience: token.claims.aud,
      expiresAt: new Date(token.claims.exp * 1000).toISOString(),
    });
    assert.ok(!summaryText.includes(token.idToken));
  });

  it('leaves no secret in any file of the reports folder', async () => {
    const secrets = [token.idToken, token.accessToken, token.refreshToken, password]
      .filter((s): s is string => typeof s === 'string' && s.length > 0)
      // A JWT's signature is what makes it usable: it must not appear even apart from the rest.
      .flatMap((s) => (s.split('.').length === 3 ? [s, s.split('.')[2] ?? s] : [s]));
    assert.ok(secrets.length >= 3);
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else files.push(path);
      }
    };
    await walk(reports);

    assert.ok(files.length >= 5, files.join('\n'));
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret`);
    }
  });

  it('writes an HTML report that loads nothing from the network', async () => {
    assert.ok(result.files.html);
    const html = await readFile(result.files.html, 'utf8');
    assert.match(
      html,
      new RegExp(`<h1>hello-api contract: target local \\(${result.apiUrl.replace(/[.]/g, '\\.')}\\)</h1>`),
    );
    assertSelfContained(html, [new URL(result.apiUrl).origin], 'report.html');
  });

  it('rebuilds reports/index.html with this run and the broken and interrupted ones, loading nothing', async () => {
    assert.equal(result.files.index, join(reports, 'index.html'));
    const html = await readFile(join(reports, 'index.html'), 'utf8');
    const folder = summary.runFolder;

    assert.match(
      html,
      /<td><span class="badge passed">passed<\/span><\/td><td>18 passed, 0 failed, 0 skipped of 18/,
    );
    assert.match(html, new RegExp(`href="\\./${folder}/report\\.html">report</a>`));
    assert.match(html, new RegExp(`href="\\./${folder}/summary\\.json">summary</a>`));
    assert.match(html, /2020-01-02T00-00-00Z-aws<\/td><td><\/td><td><span class="badge unknown">/);
    assert.match(html, /2020-01-01T00-00-00Z-local<\/td><td><\/td><td><span class="badge unknown">/);
    assert.ok(html.indexOf(folder) < html.indexOf('2020-01-02T00-00-00Z-aws'), 'newest run not first');
    assertSelfContained(html, [new URL(result.apiUrl).origin], 'index.html');
  });

  it('writes summary.json and the index readable by others, with no temporary file left behind', async () => {
    assert.ok(result.files.summary);
    assert.equal((await stat(result.files.summary)).mode & 0o777, 0o644);
    assert.equal((await stat(join(reports, 'index.html'))).mode & 0o777, 0o644);
    const leftovers = [...(await readdir(reports)), ...(await readdir(result.runFolder ?? reports))].filter(
      (name) => name.endsWith('.tmp'),
    );
    assert.deepEqual(leftovers, []);
  });
});
