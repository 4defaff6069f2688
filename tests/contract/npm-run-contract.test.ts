/**
 * `npm run contract` end to end: the real command, `node common/run-ts.mjs scripts/contract.ts`,
 * as a child process on the local target, its reports in a temporary folder. It must exit 0 with a
 * passing one-screen summary and one new run folder per run, and exit non-zero when a clause fails.
 * Each spawned run serves several tests: the second run (a collection one assertion of which cannot
 * hold) is also the run that must leave the first run's folder unchanged, and the `--reporters cli` run
 * is also the one on a `cdk synth` template with `--stage` and `--handler`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../../api/routes.ts';
import { CLAUSE_HEADER } from '../../collections/clause.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { fewClauses as fewOf } from '../support/few-clauses.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** A cold `npm run contract` takes seconds; one that never returns must fail, not hang. */
const RUN_TIMEOUT_MS = 180_000;
const clauses = generateClauses(helloApi);
const allClauses = clauses.map((clause) => clause.name);
const noHeader = clauses.find((clause) => clause.kind === 'no-header');
/** The second run's collection: the environment check, the no-header refusal (broken there), the greeting. */
const fewClauses = fewOf(helloApi);

interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function npmRunContract(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, CONTRACT_TARGET: 'local', ...extraEnv };
  // The child is a command, not a test file: node:test's context would change how it reports.
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['common/run-ts.mjs', 'scripts/contract.ts', ...args],
      { cwd: repoRoot, env, timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The summary the command prints after Newman's own output. */
function summaryOf(stdout: string): string {
  const start = stdout.lastIndexOf('\nhello-api contract: target ');
  assert.ok(start >= 0, `no summary on stdout:\n${stdout.slice(-2000)}`);
  return stdout.slice(start + 1);
}

/** Run folders only: the reports directory may also hold an index of the runs. */
async function runFolders(reportsDir: string): Promise<string[]> {
  const entries = await readdir(reportsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const RUN_FOLDER = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z-local(?:-\d+)?$/;
/** A compact JWS: any token (live or attack) in a report or on stdout is a leak. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

function folderTime(name: string): number {
  const match = RUN_FOLDER.exec(name);
  assert.ok(match, `run folder ${name} is not named <UTC time>-local`);
  return Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
}

/** A clause name as it may appear escaped in HTML (handlebars) or XML attributes (xmlbuilder). */
function appearsIn(text: string, name: string): boolean {
  const html = name
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
  return [name, html, html.replace(/&#x27;/g, "'"), html.replace(/&#x27;/g, '&#39;')].some((form) =>
    text.includes(form),
  );
}

async function fingerprint(folder: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) {
    const bytes = await readFile(join(folder, name));
    result[name] =
      `${(await stat(join(folder, name))).mtimeMs}:${createHash('sha256').update(bytes).digest('hex')}`;
  }
  return result;
}

describe('npm run contract on the local stack', () => {
  let reportsDir: string;
  let first: CommandResult;
  let startedAt: number;
  let finishedAt: number;

  before(
    async () => {
      reportsDir = await mkdtemp(join(tmpdir(), 'contract-e2e-'));
      startedAt = Date.now();
      first = await npmRunContract(['--reports-dir', reportsDir]);
      finishedAt = Date.now();
    },
    { timeout: RUN_TIMEOUT_MS },
  );
  after(async () => {
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it('exits 0 and ends with a passing summary that fits on one screen', () => {
    assert.equal(first.code, 0, `${first.stdout.slice(-3000)}\n${first.stderr}`);
    const summary = summaryOf(first.stdout);
    const lines = summary.trimEnd().split('\n');
    assert.ok(lines.length <= 24, `the summary takes ${lines.length} lines:\n${summary}`);
    assert.match(summary, /^hello-api contract: target local, http:\/\/127\.0\.0\.1:\d+\/dev$/m);
    const total = allClauses.length;
    assert.ok(
      summary.includes(`\nClauses: ${total}: ${total} run (${total} passed, 0 failed), 0 skipped`),
      summary,
    );
    assert.match(summary, /^Reports: .*report\.html.*junit\.xml/m);
    // The committed collection asserts nothing open, and the summary says so.
    assert.match(
      summary,
      /^Facts asserted: firm and likely ones of docs\/reference\.md; no open one \(--strict names those\)$/m,
    );
    assert.equal(lines.at(-1), `Result: PASSED: all ${total} clauses ran and passed`);
  });

  it('writes an HTML report and a JUnit file into one new folder named by UTC time and target', async () => {
    const folders = await runFolders(reportsDir);
    assert.equal(folders.length, 1, `expected one run folder, found ${folders.join(', ')}`);
    const [folder = ''] = folders;
    const time = folderTime(folder);
    assert.ok(
      time >= Math.floor(startedAt / 1000) * 1000 && time <= finishedAt,
      `${folder} is not this run's time`,
    );
    const files = await readdir(join(reportsDir, folder));
    assert.ok(files.includes('report.html') && files.includes('junit.xml'), files.join(', '));
    assert.ok(
      summaryOf(first.stdout).includes(join(folder, 'report.html')),
      'the summary does not say where',
    );
  });

  it('lists every clause in both reports, titles the HTML with the API and target, and leaks no token', async () => {
    const [folder = ''] = await runFolders(reportsDir);
    const html = await readFile(join(reportsDir, folder, 'report.html'), 'utf8');
    const junit = await readFile(join(reportsDir, folder, 'junit.xml'), 'utf8');
    assert.match(html, /hello-api contract: target local/);
    assert.match(junit, /<testsuites\b/);
    assert.doesNotMatch(junit, /<failure\b/);
    for (const name of allClauses) {
      assert.ok(appearsIn(html, name), `the HTML report does not list: ${name}`);
      assert.ok(appearsIn(junit, name), `the JUnit file does not list: ${name}`);
    }
    for (const [what, text] of Object.entries({ html, junit, stdout: first.stdout, stderr: first.stderr })) {
      assert.doesNotMatch(text, JWT, `a JWT appears in ${what}`);
    }
  });

  /**
   * The second run, into the same reports folder (junit only), of a collection one assertion of which
   * cannot hold: one run serves the two tests below (the first run's folder is kept as it was; the broken
   * clause is named, exit code 1). Made once, on first use, after the first folder's fingerprint is taken.
   */
  let second:
    | Promise<{ run: CommandResult; firstFolder: string; firstBefore: Record<string, string> }>
    | undefined;
  function secondRun(): NonNullable<typeof second> {
    second ??= (async () => {
      const [firstFolder = ''] = await runFolders(reportsDir);
      const firstBefore = await fingerprint(join(reportsDir, firstFolder));
      // A few clauses, the broken one among them: the CLI's verdict and JUnit are the subject here, and
      // the first run already ran the whole contract through the same command.
      const collection = JSON.parse(renderCollection(helloApi, fewClauses)) as {
        item: { item: { id: string; request: { header: { key: string; value: string }[] } }[] }[];
      };
      assert.ok(noHeader, 'the contract has a no-header clause');
      // The clause travels as data on its request: ask it for a status the gateway never answers.
      const header = collection.item
        .flatMap((folder) => folder.item)
        .find((item) => item.id === noHeader.id)
        ?.request.header.find((entry) => entry.key === CLAUSE_HEADER);
      assert.ok(header, 'the no-header clause carries no clause header');
      const data = JSON.parse(header.value) as {
        expect: { assertions: { check: string; equals?: unknown }[] };
      };
      const status = data.expect.assertions.find((assertion) => assertion.check === 'status');
      assert.equal(status?.equals, 401);
      status.equals = 418;
      header.value = JSON.stringify(data);
      const path = join(collectionDir, 'flipped.postman_collection.json');
      await writeFile(path, JSON.stringify(collection));
      const run = await npmRunContract([
        '--reports-dir',
        reportsDir,
        '--reporters',
        'junit',
        '--collection',
        path,
      ]);
      return { run, firstFolder, firstBefore };
    })();
    return second;
  }
  let collectionDir: string;
  before(async () => {
    collectionDir = await mkdtemp(join(tmpdir(), 'contract-e2e-failing-'));
  });
  after(async () => {
    if (collectionDir) await rm(collectionDir, { recursive: true, force: true });
  });

  it("writes a second folder on a second run and keeps the first one's reports unchanged", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const { run, firstFolder, firstBefore } = await secondRun();
    // The second run ran its whole collection: its one broken clause failed (the next test).
    assert.equal(run.code, 1, run.stdout.slice(-3000));
    const folders = await runFolders(reportsDir);
    assert.equal(folders.length, 2, folders.join(', '));
    assert.equal(folders[0], firstFolder);
    assert.deepEqual(await fingerprint(join(reportsDir, firstFolder)), firstBefore);
    assert.ok((await readdir(join(reportsDir, folders[1] ?? ''))).includes('junit.xml'));
  });

  describe('npm run contract with a collection one assertion of which cannot hold', () => {
    it('exits 1, names the broken clause and its check, and records the failure in JUnit', {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const { run, firstFolder } = await secondRun();
      assert.ok(noHeader, 'the contract has a no-header clause');
      assert.equal(run.code, 1, `${run.stdout.slice(-3000)}\n${run.stderr}`);
      const summary = summaryOf(run.stdout);
      const total = fewClauses.length;
      assert.ok(
        summary.includes(`\nClauses: ${total}: ${total} run (${total - 1} passed, 1 failed), 0 skipped`),
        summary,
      );
      assert.ok(
        summary.includes(`FAILED  ${noHeader.name} [${noHeader.method} /${helloApi.stage}${noHeader.path}]`),
        summary,
      );
      assert.match(
        summary,
        /- Status is 418: expected 418, the gateway answered 401 \(docs\/reference\.md, firm: no-header-refused\)/,
      );
      assert.equal(summary.trimEnd().split('\n').at(-1), `Result: FAILED: 1 of ${total} clauses failed`);
      const [runFolder = ''] = (await runFolders(reportsDir)).filter((name) => name !== firstFolder);
      const junit = await readFile(join(reportsDir, runFolder, 'junit.xml'), 'utf8');
      assert.equal(junit.match(/<failure\b/g)?.length, 1, 'JUnit does not record exactly one failure');
    });
  });
});

/**
 * One run serves both: `--reporters cli` (no report files), on a `cdk synth` template with `--stage` and
 * `--handler` (the description form whose Lambda has no source path of its own to read).
 */
describe('npm run contract --reporters cli, on a cdk synth template with --stage and --handler', () => {
  let cwd: string;
  let reportsDir: string;
  let run: CommandResult;
  /** The cdk synth template's contract, cli only, serving the Lambda `handler` names. */
  const synthRun = (handler: string) =>
    npmRunContract(
      [
        '--reporters',
        'cli',
        '--reports-dir',
        reportsDir,
        '--api-spec',
        'tests/fixtures/api/hello.cdk-synth.template.json',
        '--stage',
        'dev',
        '--handler',
        handler,
      ],
      // The flags alone choose the description: none from the environment.
      { CONTRACT_API_SPEC: '', CONTRACT_ALLOW_UNPROTECTED: '' },
    );
  before(
    async () => {
      cwd = await mkdtemp(join(tmpdir(), 'contract-e2e-cli-only-'));
      reportsDir = join(cwd, 'reports');
      run = await synthRun('lambda/hello.ts#handler');
    },
    { timeout: RUN_TIMEOUT_MS },
  );
  after(async () => {
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('writes no run folder, no summary.json and no index, and says so, as the README documents', async () => {
    assert.equal(run.code, 0, `${run.stdout.slice(-3000)}\n${run.stderr}`);
    const summary = summaryOf(run.stdout);
    assert.match(
      summary,
      /^Reports: none \(no file reporter chosen, so no run folder, summary\.json or index entry\)$/m,
    );
    assert.doesNotMatch(summary, /^All runs: /m);
    assert.match(summary, /^Result: PASSED: /m);
    // Newman's own console output is there: the cli reporter ran.
    assert.match(run.stdout, /↳ GET \/hello without an Authorization header/);
    await assert.rejects(readdir(reportsDir), { code: 'ENOENT' }, 'the reports folder was created');
  });

  it('passes every clause of the synthesized API, with --stage and --handler', () => {
    assert.equal(run.code, 0, `${run.stdout.slice(-3000)}\n${run.stderr}`);
    assert.match(run.stdout, /Authorizer coverage: 1 method, every one behind the Cognito authorizer/);
    assert.match(run.stdout, /PASSED/);
  });

  it('serves the Lambda --handler names: one that is no function stops the run before anything is sent', async () => {
    // Only the named export can fail this way: a --handler dropped on its way to the stack leaves the
    // stand-in answering, and this run would pass like the one above.
    const refused = await synthRun('lambda/hello.ts#GREETING');
    assert.equal(refused.code, 1, `${refused.stdout.slice(-3000)}\n${refused.stderr}`);
    assert.match(refused.stderr, /lambda\/hello\.ts does not export a function named GREETING/);
    assert.doesNotMatch(refused.stdout, /PASSED/);
  });
});
