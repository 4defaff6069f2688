/**
 * One real `runContract` on the embedded local stack, into a temporary reports folder that already
 * holds an interrupted run and a broken one; then what an auditor gets from it: summary.json against
 * the committed schema, counts that agree with the clauses, provenance that matches the repository and
 * that report.html and the index show as summary.json records it, one timestamp,
 * pages that load nothing from the network, and no secret in any file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { helloApi } from '../../api/routes.ts';
import { routeKey, scopesOf } from '../../api/spec.ts';
import { describeCheck, expectedStatusOf } from '../../collections/assertions.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { displayTime, escapeHtml } from '../../contract-runner/html.ts';
import type { ContractResult } from '../../contract-runner/run-contract.ts';
import type { RunSummary } from '../../contract-runner/run-summary.ts';
import type { TokenResult } from '../../token-helper/index.ts';
import { writeFewClauses } from '../support/few-clauses.ts';
import { runContractWith } from '../support/weakened-stack.ts';
import { assertSelfContained } from './html-references.ts';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const schema: unknown = JSON.parse(await readFile(join(rootDir, 'schemas/run-summary.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema as object);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function tally(outcomes: readonly string[]) {
  return {
    total: outcomes.length,
    run: outcomes.filter((o) => o !== 'skipped').length,
    passed: outcomes.filter((o) => o === 'passed').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    skipped: outcomes.filter((o) => o === 'skipped').length,
  };
}

/** The collection's requests (its clauses), counted from the committed file rather than written down. */
async function requestsInCollection(): Promise<number> {
  interface Item {
    readonly item?: readonly Item[];
    readonly request?: unknown;
  }
  const count = (items: readonly Item[]): number =>
    items.reduce((sum, item) => sum + (item.item ? count(item.item) : item.request ? 1 : 0), 0);
  const collection = JSON.parse(renderCollection(helloApi)) as Item;
  return count(collection.item ?? []);
}

describe('an audited run of the contract on the local stack', () => {
  let reports: string;
  let result: ContractResult;
  let token: TokenResult;
  let password: string;
  let summaryText: string;
  let summary: RunSummary;
  let html: string;
  let index: string;

  before(async () => {
    reports = await mkdtemp(join(tmpdir(), 'audit-run-'));
    await mkdir(join(reports, '2020-01-01T00-00-00Z-local'));
    await mkdir(join(reports, '2020-01-02T00-00-00Z-aws'));
    await writeFile(join(reports, '2020-01-02T00-00-00Z-aws', 'summary.json'), '{ truncated');

    result = await runContractWith(
      {
        target: 'local',
        rootDir,
        reportsDir: reports,
        reporters: ['htmlextra', 'junit'],
      },
      {
        onStack: (stack) => {
          password = stack.cognito.password;
        },
        onToken: (value) => {
          token = value;
        },
      },
    );
    assert.ok(result.files.summary, 'no summary.json written');
    summaryText = await readFile(result.files.summary, 'utf8');
    summary = JSON.parse(summaryText) as RunSummary;
    assert.ok(result.files.html && result.files.index);
    html = await readFile(result.files.html, 'utf8');
    index = await readFile(result.files.index, 'utf8');
  });

  after(async () => {
    await rm(reports, { recursive: true, force: true });
  });

  it('passes, and writes report.html, junit.xml, summary.json and the collection it ran into its own folder', async () => {
    assert.equal(result.passed, true, JSON.stringify(result.counts));
    assert.ok(result.runFolder);
    assert.deepEqual((await readdir(result.runFolder)).sort(), [
      'collection.postman_collection.json',
      'junit.xml',
      'report.html',
      'summary.json',
    ]);
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
    const skippedWithoutReason = { ...first, outcome: 'skipped', reason: null };
    assert.equal(validate({ ...summary, clauses: [skippedWithoutReason, ...rest] }), false);
    assert.equal(validate({ ...summary, verdict: { ...summary.verdict, result: 'MAYBE' } }), false);
  });

  it('has counts equal to the run, and to its own clause list', async () => {
    assert.deepEqual(summary.counts, result.counts);
    assert.deepEqual(summary.counts.clauses, tally(summary.clauses.map((c) => c.outcome)));
    const assertions = summary.clauses.flatMap((c) => c.assertions);
    assert.deepEqual(summary.counts.assertions, {
      total: assertions.length,
      failed: assertions.filter((a) => a.outcome === 'failed').length,
      skipped: assertions.filter((a) => a.outcome === 'skipped').length,
    });
    assert.equal(summary.clauses.length, await requestsInCollection());
    const { clauses } = summary.counts;
    assert.equal(clauses.run + clauses.skipped, clauses.total, 'run + skipped = total');
    assert.equal(clauses.passed + clauses.failed, clauses.run);
    assert.deepEqual(
      summary.clauses.map((c) => [c.folder, c.name, c.requestLine, c.outcome]),
      result.clauses.map((c) => [c.folder, c.name, c.requestLine, c.outcome]),
    );
    assert.equal(summary.passed, result.passed);
  });

  it('records each clause with its request line, expected and actual status, and assertions', () => {
    // The first clause sent: the environment check before it is decided without a request.
    const first = summary.clauses.find((clause) => clause.clause?.kind === 'no-header');
    assert.ok(first);
    assert.equal(first.iteration, 1);
    const route = helloApi.routes[0];
    assert.ok(route);
    assert.equal(first.requestLine, `${route.method} /${helloApi.stage}${route.path}`);
    assert.equal(first.expectedStatus, '401');
    assert.equal(first.actualStatus, 401);
    assert.ok(first.assertions.length >= 3);
    assert.ok(first.assertions.every((a) => a.outcome === 'passed' && a.message === null));
  });

  it('states of every clause exactly what the sandbox asserted, with its facts and grades, in summary.json, JUnit and report.html', async () => {
    const clauses = generateClauses(helloApi);
    const junit = await readFile(join(result.runFolder ?? '', 'junit.xml'), 'utf8');
    for (const entry of summary.clauses) {
      const generated = clauses.find((candidate) => candidate.id === entry.clause?.id);
      assert.ok(generated, entry.name);
      if (generated.expect.kind !== 'answer' || entry.outcome === 'skipped') continue;
      const ran = entry.assertions
        .map((assertion) => assertion.name)
        .filter((name) => !name.startsWith('Response time'));
      const stated = (entry.clause?.assertions ?? []).map((assertion) => assertion.name);
      // What ran in Newman is what summary.json says was asserted, which is the generated data.
      assert.deepEqual(ran, stated, entry.name);
      assert.deepEqual(stated, generated.expect.assertions.map(describeCheck), entry.name);
      assert.equal(entry.expectedStatus, expectedStatusOf(generated.expect.assertions), entry.name);
      for (const assertion of entry.clause?.assertions ?? []) {
        assert.ok(assertion.facts.length > 0, `${entry.name}: ${assertion.name} names no fact`);
        assert.notEqual(assertion.grade, 'open', `${entry.name}: ${assertion.name} rests on an open fact`);
        const property = `${assertion.name} [${assertion.grade}: ${assertion.facts.join(', ')}]`;
        assert.ok(junit.includes(escapeXml(property)), `junit.xml lacks "${property}"`);
        assert.ok(html.includes(escapeHtml(assertion.name)), `report.html lacks "${assertion.name}"`);
      }
    }
    assert.deepEqual(summary.openFactsAsserted, [], 'the default run asserts no open fact');
    const expMissing = summary.clauses.find(
      (entry) => entry.clause?.key === 'GET /hello · exp-missing · raw',
    );
    assert.equal(expMissing?.expectedStatus, 'not 5xx');
    assert.ok(
      expMissing?.clause?.unasserted?.some((assertion) => assertion.facts.includes('pool-signed-odd-claims')),
    );
  });

  it('identifies the run, the target, the API, the times, the code and the tools', async () => {
    // The run generated its collection from the description and kept it in its folder.
    assert.ok(result.files.collection, 'the run kept no copy of the collection it generated');
    const collectionBytes = await readFile(result.files.collection);
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
      path: result.files.collection,
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
      signInFlow: token.flow,
    });
    assert.ok(!summaryText.includes(token.idToken));
  });

  it('names the API description it was generated from, and every method with its authorizer', () => {
    assert.deepEqual(summary.api, {
      name: 'hello-api',
      stage: 'dev',
      source: 'route-table',
      path: 'api/routes.ts',
      sha256: null,
    });
    // Every method of the description, in its order, each behind the Cognito authorizer.
    assert.deepEqual(
      summary.coverage,
      helloApi.routes.map((route) => ({
        route: routeKey(route),
        protection: route.protection.kind,
        scopes: [...scopesOf(route)],
        allowListed: false,
      })),
    );
    const first = helloApi.routes[0];
    assert.ok(first, 'the description has no route');
    assert.ok(
      html.includes(`<code>${first.method} ${first.path}</code></td><td>Cognito authorizer`),
      'the HTML report has no coverage row for the first method',
    );
    assert.match(html, /<h2>Authorizer coverage<\/h2>/);
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

  it('writes an HTML report that loads nothing from the network', () => {
    assert.match(
      html,
      new RegExp(`<h1>hello-api contract: target local \\(${result.apiUrl.replace(/[.]/g, '\\.')}\\)</h1>`),
    );
    // The provenance names the system under test: the API and the token's issuer.
    assertSelfContained(
      html,
      [new URL(result.apiUrl).origin, new URL(summary.identity.issuer).origin],
      'report.html',
    );
  });

  it('shows in report.html each clause with the outcome summary.json gives it, the unsent environment check included', () => {
    const body = html.slice(html.indexOf('<body>'));
    const sections = [...body.matchAll(/<section class="clause (\w+)" id="clause-/g)].map(
      (match) => match[1],
    );
    assert.deepEqual(
      sections,
      summary.clauses.map((clause) => clause.outcome),
    );
    assert.ok(
      summary.clauses.some((clause) => clause.clause?.kind === 'environment' && clause.outcome === 'passed'),
      'the run has an environment check, decided without a request, that passed',
    );
  });

  it('opens report.html with the verdict banner, worded as summary.json and the console word it', () => {
    const body = html.slice(html.indexOf('<body>'));
    const banner =
      /<div class="run-verdict (passed|failed)" id="verdict"><span class="run-result">(\w+)<\/span><strong>([^<]*)<\/strong>/.exec(
        body,
      );
    assert.ok(banner, 'no verdict banner');
    assert.deepEqual(banner.slice(1), ['passed', 'PASSED', summary.verdict.summary]);
    assert.equal(summary.verdict.result, 'PASSED');
    assert.deepEqual(summary.verdict, {
      result: result.verdict.result,
      summary: result.verdict.summary,
      reasons: result.verdict.reasons,
    });
    assert.ok(body.indexOf('id="verdict"') < body.indexOf('<h2>'), 'the banner is above every section');
  });

  it('shows in report.html the provenance summary.json records: commit, hashes, tools, target URL, token subject', () => {
    const block = html.slice(html.indexOf('<section class="run-block"'), html.indexOf('</section>'));
    const facts = [
      summary.suite.git?.commit,
      summary.collection.sha256,
      summary.environmentTemplate.sha256,
      summary.collection.path,
      summary.environmentTemplate.path,
      summary.tools.node,
      summary.tools.newman,
      summary.tools.newmanReporterHtmlextra,
      summary.apiUrl,
      summary.identity.sub,
      summary.identity.cognitoUsername,
      summary.identity.issuer,
      summary.runId,
    ];
    for (const fact of facts) {
      assert.ok(typeof fact === 'string' && fact.length > 0, 'a fact summary.json must record');
      assert.ok(block.includes(fact), `report.html does not show ${fact}`);
    }
  });

  it('shows one timestamp, the start, in the folder name, summary.json, report.html and the index', () => {
    const start = displayTime(summary.startedAt);
    const folderTime = summary.runFolder.replace(
      /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z.*$/,
      '$1 $2:$3:$4 UTC',
    );
    assert.equal(folderTime, start);
    assert.ok(html.includes(start), `report.html does not show ${start}`);
    // Every time of day report.html shows is the start or, labelled, the token's expiry: htmlextra's
    // own render time (seconds later than the start) is gone.
    const expiry = displayTime(summary.identity.expiresAt);
    // (Response headers quote the server's Date header: what came back, not a time of the report.)
    const page = html.replace(/<tr class="response-headers">[\s\S]*?<\/tr>/g, '');
    const times = [...page.matchAll(/\b\d{2}:\d{2}:\d{2}\b/g)].map((m) => m[0]);
    assert.ok(times.length > 0);
    for (const time of times) assert.ok(start.includes(time) || expiry.includes(time), `stray time ${time}`);
    const row = index.split('\n').find((line) => line.includes(`./${summary.runFolder}/`)) ?? '';
    assert.ok(row.startsWith(`<tr class="passed"><td>${start}</td>`), row);
  });

  it('shows in the index the same verdict and provenance, from the same summary.json', () => {
    const row = index.split('\n').find((line) => line.includes(`./${summary.runFolder}/`)) ?? '';
    assert.ok(row.includes(`<span class="badge passed">PASSED</span> ${summary.verdict.summary}</td>`), row);
    for (const hash of [
      summary.suite.git?.commit,
      summary.collection.sha256,
      summary.environmentTemplate.sha256,
    ]) {
      assert.ok(hash && row.includes(`title="${hash}"`), `index row lacks ${hash}`);
    }
    assert.ok(row.includes(summary.identity.sub), 'index row lacks the token subject');
    assert.ok(row.includes(`newman ${summary.tools.newman}`), 'index row lacks the tool versions');
  });

  it('rebuilds reports/index.html with this run and the broken and interrupted ones, loading nothing', async () => {
    assert.equal(result.files.index, join(reports, 'index.html'));
    const html = index;
    const folder = summary.runFolder;

    const { total } = summary.counts.clauses;
    assert.ok(
      html.includes(
        `<td><span class="badge passed">PASSED</span> ${summary.verdict.summary}</td><td>${total} passed, 0 failed, 0 skipped of ${total}`,
      ),
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

describe('the environment template summary.json names', () => {
  it('is the one the run filled, as it was read, even when the file changes during the run', async () => {
    // A project root of its own: the template is saved twice while the run goes on, as an editor would:
    // after the stack started (before the token helper fills it) and after it was filled (while Newman
    // runs, before summary.json is written).
    const root = await mkdtemp(join(tmpdir(), 'audit-template-'));
    try {
      const templatePath = join(root, 'environments', 'local.postman_environment.json');
      await mkdir(join(root, 'environments'));
      const read = await readFile(join(rootDir, 'environments', 'local.postman_environment.json'));
      await writeFile(templatePath, read);
      await writeFewClauses(join(root, 'few.postman_collection.json'), helloApi);
      const edited = JSON.parse(read.toString('utf8')) as { values: Record<string, unknown>[] };
      edited.values.push({ key: 'added_mid_run', value: 'x', type: 'default', enabled: true });
      let filled: readonly string[] = [];
      const ran = await runContractWith(
        {
          target: 'local',
          rootDir: root,
          collectionPath: join(root, 'few.postman_collection.json'),
          reportsDir: join(root, 'reports'),
          reporters: ['junit'],
        },
        {
          onStack: () => {
            writeFileSync(templatePath, JSON.stringify(edited));
          },
          onToken: (value) => {
            filled = value.environment.values.map((variable) => variable.key);
            writeFileSync(templatePath, `${JSON.stringify(edited, null, 2)}\n`);
          },
        },
      );
      assert.equal(ran.passed, true, JSON.stringify(ran.counts));
      assert.ok(ran.files.summary);
      const recorded = (JSON.parse(await readFile(ran.files.summary, 'utf8')) as RunSummary)
        .environmentTemplate;
      // Recorded: the bytes read at the start; filled: the same, without what was added after them.
      assert.deepEqual(recorded, {
        path: 'environments/local.postman_environment.json',
        sha256: sha256(read),
      });
      assert.notEqual(sha256(await readFile(templatePath)), sha256(read), 'the file did change');
      assert.ok(filled.length > 0 && !filled.includes('added_mid_run'), filled.join(', '));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
