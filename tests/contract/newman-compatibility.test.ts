/**
 * Newman still works with package.json's `overrides` in place (docs/reference.md §7): the
 * overridden versions are the ones installed, every reporter runs, and the code paths the overridden
 * packages serve (postman-request for HTTP, node-forge and jose for signing) do their job. And the
 * committed collection with either environment template loads with the postman-collection SDK and
 * runs in Newman with no script error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sdk from 'postman-collection';
import { helloApi } from '../../api/routes.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { rowsBuiltBy } from '../../security/catalogue.ts';
import { runCollection } from '../support/run-collection.ts';
import { useStack } from '../support/stack.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** A run of the whole contract takes seconds; one that never returns must fail, not hang. */
const RUN_TIMEOUT_MS = 180_000;
const clauses = generateClauses(helloApi);

/** The installed version of `dependency` as Node resolves it from inside package `from`. */
function installedVersion(dependency: string, from: string): string {
  let dir = join(repoRoot, 'node_modules', from);
  for (;;) {
    const manifest = join(dir, 'node_modules', dependency, 'package.json');
    if (existsSync(manifest))
      return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version);
    const parent = dirname(dir);
    assert.notEqual(parent, dir, `${dependency} is not installed for ${from}`);
    dir = parent;
  }
}

function atLeast(version: string, minimum: string): boolean {
  const parse = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < 3; i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

describe("newman's vulnerable transitive dependencies", () => {
  it('are overridden in package.json and installed at the overridden versions', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      overrides?: unknown;
    };
    assert.deepEqual(manifest.overrides, {
      'node-forge': '^1.3.3',
      'postman-runtime': { jose: '^5.9.5', 'postman-request': '2.88.1-postman.48' },
    });
    const forge = installedVersion('node-forge', 'postman-runtime');
    assert.ok(atLeast(forge, '1.3.3'), `node-forge ${forge}`);
    const jose = installedVersion('jose', 'postman-runtime');
    assert.ok(jose.startsWith('5.') && atLeast(jose, '5.9.5'), `jose ${jose}`);
    assert.equal(installedVersion('postman-request', 'postman-runtime'), '2.88.1-postman.48');
    assert.equal(installedVersion('postman-request', 'newman'), '2.88.1-postman.48');
  });
});

const KID = 'reporter-check/key-1';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PLAIN = 'A plain GET goes out through postman-request and answers 200';
const SIGNED = 'A request signed by the ASAP helper (node-forge, jose) carries a verifiable RS256 token';

/** Answers 200 to /plain, and to /asap only with a Bearer JWT that verifies against our public key. */
function answer(url: string, authorization: string | undefined): number {
  if (url === '/plain') return 200;
  const [header = '', payload = '', signature = ''] = (authorization ?? '')
    .replace(/^Bearer /, '')
    .split('.');
  const signed = Buffer.from(`${header}.${payload}`);
  return verify('sha256', signed, keys.publicKey, Buffer.from(signature, 'base64url')) ? 200 : 401;
}

function reporterCollection() {
  const der = keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  const status200 = "pm.test('Status is 200', () => pm.response.to.have.status(200));";
  return {
    info: {
      name: 'reporter check',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: [
      {
        name: PLAIN,
        event: [
          {
            listen: 'test',
            script: {
              exec: [
                status200,
                "pm.test('The sandbox still offers crypto-js', () => pm.expect(require('crypto-js').SHA256('x').toString()).to.have.length(64));",
              ],
            },
          },
        ],
        request: { method: 'GET', url: '{{base}}/plain' },
      },
      {
        name: SIGNED,
        event: [{ listen: 'test', script: { exec: [status200] } }],
        request: {
          method: 'GET',
          url: '{{base}}/asap',
          auth: {
            type: 'asap',
            asap: [
              { key: 'kid', value: KID },
              { key: 'iss', value: 'reporter-check' },
              { key: 'aud', value: 'local' },
              { key: 'alg', value: 'RS256' },
              { key: 'privateKey', value: `data:application/pkcs8;kid=${KID};base64,${der}` },
            ],
          },
        },
      },
    ],
  };
}

const VERDICT = '\n@@verdict ';

type Reporter = 'cli' | 'htmlextra' | 'junit';

interface RunVerdict {
  readonly runError: string | null;
  readonly failures: string[];
  readonly assertions: { total: number; pending: number; failed: number };
  readonly requests: { total: number; pending: number; failed: number };
}

/**
 * argv: collection file, base URL, export folder. One run with every reporter (each HTML and JUnit
 * report exported into the folder); prints the cli reporter's output, then the run's verdict.
 */
const RUN_ONE = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import newman from 'newman';
const [collectionFile, base, exportFolder] = process.argv.slice(1);
newman.run(
  {
    collection: JSON.parse(readFileSync(collectionFile, 'utf8')),
    environment: { values: [{ key: 'base', value: base }] },
    reporters: ['cli', 'htmlextra', 'junit'],
    reporter: {
      cli: { noBanner: true },
      htmlextra: { export: join(exportFolder, 'htmlextra.out') },
      junit: { export: join(exportFolder, 'junit.out') },
    },
    timeoutRequest: 10000,
  },
  (error, summary) => {
    const run = summary?.run;
    process.stdout.write(${JSON.stringify(VERDICT)} + JSON.stringify({
      runError: error?.message ?? run?.error?.message ?? null,
      failures: (run?.failures ?? []).map((f) => (f.source?.name ?? '?') + ': ' + f.error.message),
      assertions: run?.stats.assertions,
      requests: run?.stats.requests,
    }));
  },
);
`;

describe('a programmatic Newman run with the overrides in place', () => {
  let server: Server;
  let base: string;
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'contract-reporters-'));
    server = createServer((request, response) => {
      response.writeHead(answer(request.url ?? '', request.headers.authorization), {
        'Content-Type': 'text/plain',
      });
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /**
   * One programmatic `newman.run` in a child process, so the cli reporter's stdout is captured there and
   * cannot mix with the test runner's own stdout (which carries the test results). One run with the
   * three reporters serves the three tests: each reporter's output is its own (stdout, or its export).
   */
  let once: Promise<{ verdict: RunVerdict; outputs: Record<Reporter, string> }> | undefined;
  function runAll(): Promise<{ verdict: RunVerdict; outputs: Record<Reporter, string> }> {
    once ??= (async () => {
      const collectionFile = join(folder, 'reporter-check.postman_collection.json');
      await writeFile(collectionFile, JSON.stringify(reporterCollection()));
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', RUN_ONE, collectionFile, base, folder],
          { cwd: repoRoot, timeout: RUN_TIMEOUT_MS },
          (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve(out)),
        );
      });
      const marker = stdout.lastIndexOf(VERDICT);
      assert.ok(marker >= 0, `no verdict from the child:\n${stdout}`);
      const verdict = JSON.parse(stdout.slice(marker + VERDICT.length)) as RunVerdict;
      return {
        verdict,
        outputs: {
          cli: stdout.slice(0, marker),
          htmlextra: await readFile(join(folder, 'htmlextra.out'), 'utf8'),
          junit: await readFile(join(folder, 'junit.out'), 'utf8'),
        },
      };
    })();
    return once;
  }

  for (const reporter of ['cli', 'htmlextra', 'junit'] as const) {
    it(`runs with the ${reporter} reporter, every request and test passing, and the report names both requests`, {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const { verdict, outputs } = await runAll();
      const output = outputs[reporter];
      // One run serves the three reporters: the error names which one failed, if one did.
      assert.equal(verdict.runError, null, `Newman reported a run error: ${verdict.runError}`);
      assert.deepEqual(verdict.failures, []);
      assert.deepEqual(verdict.assertions, { total: 3, pending: 0, failed: 0 });
      assert.deepEqual(verdict.requests, { total: 2, pending: 0, failed: 0 });
      for (const name of [PLAIN, SIGNED])
        assert.ok(output.includes(name), `the ${reporter} output lacks: ${name}`);
    });
  }
});

describe('the committed collection with each environment template', () => {
  const stack = useStack();
  // Without the pool's private key these tokens cannot exist; their clauses must be skipped, never passed.
  const poolKeyRows = new Set(rowsBuiltBy('pool-key').map((row) => row.id));
  const minted = clauses
    .filter((clause) => clause.row !== undefined && poolKeyRows.has(clause.row))
    .map((clause) => clause.name);

  for (const target of ['local', 'aws'] as const) {
    it(`${target}: loads with the SDK and runs in Newman, filled in as a user would, with no script error`, {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const template: unknown = JSON.parse(
        await readFile(join(repoRoot, `environments/${target}.postman_environment.json`), 'utf8'),
      );
      const scope = new sdk.VariableScope(template as sdk.VariableScopeDefinition);
      const collectionJson: unknown = JSON.parse(renderCollection(helloApi));
      const collection = new sdk.Collection(collectionJson as sdk.CollectionDefinition);
      let requests = 0;
      collection.forEachItem(() => {
        requests += 1;
      });
      assert.equal(requests, clauses.length);

      const { apiUrl, cognito } = stack.get();
      const filled: Record<string, string> = {
        baseUrl: apiUrl,
        cognito_endpoint: `${cognito.endpoint}/`,
        aws_region: cognito.region,
        // The collection signs in with SRP by default, which needs the pool id (its name is hashed in).
        cognito_user_pool_id: cognito.userPoolId,
        cognito_client_id: cognito.clientId,
        username: cognito.username,
        password: cognito.password,
      };
      // At run time `values` is a VariableList (the typings say a plain array).
      const variables = (scope.values as unknown as sdk.VariableList).all();
      assert.equal(
        variables.length,
        (template as { values: unknown[] }).values.length,
        'the SDK dropped variables',
      );
      const keysInTemplate = variables.map((v) => String(v.key));
      for (const key of Object.keys(filled))
        assert.ok(keysInTemplate.includes(key), `${target} lacks ${key}`);
      const environment = variables.map((v) => ({
        key: String(v.key),
        value: filled[String(v.key)] ?? String(v.get() ?? ''),
        type: v.type === 'secret' ? ('secret' as const) : ('default' as const),
      }));

      const run = await runCollection(collection.toJSON(), environment);

      const stats = run.summary.run.stats;
      assert.equal(stats.prerequestScripts.failed, 0, 'a pre-request script failed');
      assert.equal(stats.testScripts.failed, 0, 'a test script failed');
      assert.deepEqual(run.errors, []);
      assert.deepEqual(
        run.summary.run.failures.map((f) => `${f.source?.name}: ${f.error.message}`),
        [],
      );
      for (const name of minted) {
        const outcome = run.clauses.get(name);
        assert.equal(outcome?.passed.length, 0, `${name} passed without its token`);
        assert.ok((outcome?.skipped.length ?? 0) > 0, `${name} is not shown as skipped`);
      }
    });
  }
});
