/**
 * Adding a route to api/routes.ts is the whole change: in a copy of the repository (its tracked files,
 * node_modules linked) with one more route in api/routes.ts and no other file touched, `npm run
 * contract` serves and tests the new route (its clauses run against the local gateway and pass, the
 * coverage names it, summary.json records its clauses), and the unit tests that read the description
 * still pass. A collection or test that assumed the one route would fail here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 600_000;

/** The route the copy gains: a path parameter, another method, the same Lambda behind the authorizer. */
const NEW_ROUTE = `    {
      method: 'POST',
      path: '/greetings/{name}',
      protection: { kind: 'cognito', authorizer: 'CognitoUserPoolAuthorizer', scopes: [] },
      integration: 'AWS_PROXY',
      handler: { file: 'lambda/hello.ts', exportName: 'handler' },
      authorized: { status: 200, body: JSON.stringify(GREETING), contentType: 'application/json' },
    },
`;
const NEW_KEY = 'POST /greetings/{name}';

/** Unit tests whose expectations are derived from the description. */
const DESCRIPTION_UNIT_TESTS = [
  'tests/unit/collections/generate.test.ts',
  'tests/unit/collections/collection.test.ts',
  'tests/unit/api/openapi-export.test.ts',
  'tests/unit/docs.test.ts',
  'tests/unit/common/config-table.test.ts',
];

interface Summary {
  readonly passed: boolean;
  readonly coverage: readonly { readonly route: string }[];
  readonly clauses: readonly {
    readonly name: string;
    readonly requestLine: string;
    readonly outcome: string;
  }[];
}

describe('a route added to api/routes.ts, and nothing else', () => {
  let copy: string;

  before(async () => {
    copy = await mkdtemp(join(tmpdir(), 'new-route-'));
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    for (const path of stdout.split('\0').filter((entry) => entry !== '')) {
      await mkdir(dirname(join(copy, path)), { recursive: true });
      // A file deleted in the working tree but not yet in the index is not part of the copy.
      await copyFile(join(repoRoot, path), join(copy, path)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await symlink(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // A repository of its own, so the tests that list tracked files (git ls-files) see the copy's.
    await run('git', ['init', '-q'], { cwd: copy });
    await run('git', ['add', '-A'], { cwd: copy });
    const routesFile = join(copy, 'api', 'routes.ts');
    const routes = await readFile(routesFile, 'utf8');
    const end = routes.indexOf('  ],\n  integrationTimeoutMs');
    assert.ok(end > 0, 'api/routes.ts no longer ends its route list where this test adds the route');
    await writeFile(routesFile, `${routes.slice(0, end)}${NEW_ROUTE}${routes.slice(end)}`);
    await run('git', ['add', 'api/routes.ts'], { cwd: copy });
  });
  after(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it('is served, tested, covered and reported by npm run contract, which passes', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const reports = join(copy, 'reports');
    const result = await run(
      process.execPath,
      ['common/run-ts.mjs', 'scripts/contract.ts', '--reports-dir', reports, '--reporters', 'junit'],
      {
        cwd: copy,
        env: { PATH: process.env.PATH ?? '', HOME: copy, LOCAL_API_PORT: '0', LOCAL_COGNITO_PORT: '0' },
        timeout: TIMEOUT_MS,
        maxBuffer: 32 * 1024 * 1024,
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code,
        stdout: String(error.stdout),
        stderr: String(error.stderr),
      }),
    );
    assert.equal(result.code, 0, `${result.stdout.slice(-4000)}\n${result.stderr}`);
    const [folder] = (await readdir(reports)).filter((name) => name.endsWith('-local'));
    assert.ok(folder, 'no run folder');
    const summary = JSON.parse(await readFile(join(reports, folder, 'summary.json'), 'utf8')) as Summary;
    assert.equal(summary.passed, true);
    assert.ok(
      summary.coverage.some((entry) => entry.route === NEW_KEY),
      `the coverage does not name ${NEW_KEY}`,
    );
    const ofNewRoute = summary.clauses.filter((clause) =>
      clause.requestLine.startsWith('POST /dev/greetings/'),
    );
    // Behind the same authorizer as the first route, the planned matrix sends it a sample of the rows.
    assert.ok(ofNewRoute.length > 5, `only ${ofNewRoute.length} clauses sent to the new route`);
    assert.ok(ofNewRoute.every((clause) => clause.outcome === 'passed'));
    assert.ok(
      ofNewRoute.some((clause) => /reaches/.test(clause.name)),
      'no clause of the new route reaches the Lambda with the genuine token',
    );
    assert.match(result.stdout, /PASSED/);
  });

  it('leaves the unit tests that read the description passing', { timeout: TIMEOUT_MS }, async () => {
    // TAP on every Node line (Node 24's runner prints its spec reporter by default, pipe or not).
    const result = await run(
      process.execPath,
      ['tests/run-all.mjs', '--test-reporter=tap', ...DESCRIPTION_UNIT_TESTS],
      {
        cwd: copy,
        env: { PATH: process.env.PATH ?? '', HOME: copy },
        timeout: TIMEOUT_MS,
        maxBuffer: 32 * 1024 * 1024,
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: String(error.stdout) }),
    );
    assert.equal(result.code, 0, result.stdout.slice(-6000));
    assert.match(result.stdout, /^# fail 0$/m);
  });
});
