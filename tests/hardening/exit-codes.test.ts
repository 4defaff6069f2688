/**
 * The exit codes are what the README's "Exit codes" table says, row by row. The table
 * is read from README.md; each row has one case below, keyed by the row's text, and a row without a
 * case (or a case without a row) fails, so the table and the code cannot drift apart. Each case runs the
 * real command as a child process in a scratch project root, so no developer file is touched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { helloApi } from '../../api/routes.ts';
import { writeFewClauses } from '../support/few-clauses.ts';
import { closedPort } from '../support/http.ts';
import { dataDirectoriesOf, eventually } from '../support/lifecycle.ts';
import {
  type ContractProcess,
  repoRoot,
  runContractCli,
  STACK_TRACE,
  scratchRoot,
  spawnContract,
} from './support/contract-process.ts';

interface Row {
  readonly command: string;
  readonly codes: readonly number[];
  readonly when: string;
}

function readTable(): Row[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const table: string[] = [];
  for (const line of readme.slice(readme.indexOf('### Exit codes')).split('\n').slice(1)) {
    if (line.startsWith('|')) table.push(line);
    else if (table.length > 0) break;
  }
  return table
    .slice(2)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .map(([command = '', codes = '', when = '']) => ({
      command: command.replace(/`/g, ''),
      codes: codes.split(',').map((code) => Number(code.trim())),
      when,
    }));
}

const key = (row: Row) => `${row.command} ${row.codes.join(', ')}: ${row.when}`;

let root: string;
let stackRoot: string;
const servers: Server[] = [];

before(async () => {
  root = await scratchRoot('hardening-exit-codes-');
  stackRoot = await scratchRoot('hardening-exit-codes-stack-');
  await writeFile(
    join(root, 'empty.postman_collection.json'),
    JSON.stringify({
      info: { name: 'empty', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/' },
      item: [],
    }),
  );
  await writeFewClauses(join(root, 'few.postman_collection.json'), helloApi);
  await writeFile(join(root, 'a-file'), 'in the way');
  await writeFile(
    join(root, 'broken-api.yaml'),
    'openapi: 3.0.1\ninfo: {title: broken}\npaths:\n  /items:\n    x-amazon-apigateway-any-method:\n      security: [{Nope: []}]\n',
  );
  await writeFile(join(stackRoot, 'broken-api.yaml'), 'swagger: "2.0"\npaths: [unclosed\n');
});
after(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
  await rm(stackRoot, { recursive: true, force: true });
});

/** A loopback port held by a plain server for the rest of the file: "taken" by another program. */
async function takenPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const AWS = {
  CONTRACT_TARGET: 'aws',
  API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
  AWS_REGION: 'us-east-1',
  COGNITO_USER_POOL_ID: 'us-east-1_AbCdEf123',
  COGNITO_CLIENT_ID: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
  CONTRACT_USERNAME: 'contract-tester',
  CONTRACT_PASSWORD: 'Exit-Codes-Pa55word!',
};

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type Ended = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

async function code(run: Ended | Promise<Ended>) {
  const ended = await run;
  assert.equal(ended.signal, null, `ended by ${ended.signal}, not with a code; stderr: ${ended.stderr}`);
  return ended.code;
}

/** The process's code after `signal`, sent once `ready` says it is doing its work. */
async function afterSignal(
  run: ContractProcess,
  ready: (run: ContractProcess) => Promise<void>,
  signal: NodeJS.Signals,
): Promise<number | null> {
  await ready(run);
  run.child.kill(signal);
  return code(run.done);
}

async function stackStarting(run: ContractProcess): Promise<void> {
  const seen = await eventually(async () => (await dataDirectoriesOf(run.pid)).length > 0, 20_000);
  assert.ok(seen, `the stack never started: ${run.stdout()}`);
}

const stack = (env: Record<string, string> = {}) =>
  spawnContract([], { script: 'scripts/stack.ts', cwd: stackRoot, env, killAfterMs: 60_000 });

/** What each row of the table means, as a run: the exit codes it ends with, one per code in the row. */
const cases: Record<string, () => Promise<(number | null)[]>> = {
  'npm run contract 0: the run passed: at least one clause ran, every clause that ran passed, and Newman completed the run':
    // The code is the subject: a few clauses (no header, the greeting) pass as the whole contract would.
    async () => [
      await code(
        runContractCli(['--reporters', 'cli', '--collection', 'few.postman_collection.json'], { cwd: root }),
      ),
    ],
  'npm run contract 1: the run failed: a clause failed a check, got no response or checked nothing, no clause ran, or Newman did not complete it':
    async () => [
      await code(
        runContractCli(['--collection', 'empty.postman_collection.json', '--reporters', 'cli'], {
          cwd: root,
        }),
      ),
    ],
  "npm run contract 1: the sign-in was refused, or Cognito or the user pool's keys could not be reached":
    async () => [
      await code(
        runContractCli([], {
          cwd: root,
          env: { ...AWS, COGNITO_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
        }),
      ),
    ],
  // Both flags end the same way, so the one code the row names (a differing one shows as a second code).
  'npm run contract 2: a flag is wrong: unknown, without its value, or out of range': async () => [
    ...new Set([
      await code(runContractCli(['--iterations', '-1'], { cwd: root })),
      await code(runContractCli(['--matrix', 'everything'], { cwd: root })),
    ]),
  ],
  'npm run contract 2: the configuration is wrong: `CONTRACT_TARGET`, or the `.env` settings of `--target aws`':
    async () => [await code(runContractCli(['--target', 'aws'], { cwd: root }))],
  'npm run contract 2: `--strict` (or `CONTRACT_STRICT`) names something other than open fact ids or `all`, or is given with `--collection`':
    async () => [
      ...new Set([
        await code(runContractCli(['--strict', 'nonsense'], { cwd: root })),
        await code(runContractCli(['--strict', 'all', '--collection', 'missing.json'], { cwd: root })),
      ]),
    ],
  'npm run contract 2: `--collection` names a file that is missing, not JSON, not a Postman v2.1 collection, or made for another API than the one served':
    async () => [await code(runContractCli(['--collection', 'missing.json'], { cwd: root }))],
  'npm run contract 2: `--reports-dir` cannot be written: a file is in the way, or the folder is read-only or forbidden':
    async () => [await code(runContractCli(['--reports-dir', 'a-file'], { cwd: root }))],
  'npm run contract 2: `--api-spec` names a file that is missing, not JSON or YAML, not an API description, or one with problems; or `--stage` is not a stage name':
    async () => {
      const ends = await Promise.all([
        runContractCli(['--api-spec', 'missing.yaml'], { cwd: root }),
        runContractCli(['--api-spec', 'package.json'], { cwd: root }),
        runContractCli(['--api-spec', 'broken-api.yaml'], { cwd: root }),
        runContractCli(['--api-spec', 'broken-api.yaml', '--stage', 'not a stage'], { cwd: root }),
      ]);
      for (const ended of ends) assert.doesNotMatch(ended.stderr, STACK_TRACE);
      // The ANY method and both problems of the file, each once: no stage, and the undefined scheme.
      assert.match(
        ends[2]?.stderr ?? '',
        /^The API description broken-api\.yaml has 2 problems:\s+broken-api\.yaml paths\.\/items\.x-amazon-apigateway-any-method\.security\[0\]\.Nope: names the scheme "Nope"/,
      );
      assert.equal((ends[2]?.stderr.match(/Nope/g) ?? []).length, 2);
      const codes = new Set(ends.map((ended) => ended.code));
      assert.equal(codes.size, 1, `every case ends the same way: ${[...codes].join(', ')}`);
      return [...codes];
    },
  "npm run contract 1: the reports could not be written (disk full, file-size limit, read-only or failing disk): one sentence with the verdict says so, and the run's folder is removed":
    async () => {
      // RLIMIT_FSIZE: a few clauses' report.html (about 20 KiB) outgrows 16 KiB and its write fails with
      // EFBIG; everything written before it (the local Cognito's files, JUnit, summary.json) stays below.
      const ended = await runContractCli(
        ['--reports-dir', 'limited-reports', '--collection', 'few.postman_collection.json'],
        { cwd: root, fileSizeLimitBlocks: 32, killAfterMs: 120_000 },
      );
      // The code could have other causes: the one sentence says it was the reports.
      assert.match(
        ended.stderr,
        /^The run's reports could not be written to \S+ \(EFBIG: a file outgrew the file-size limit\), so none of them was kept; the run itself was PASSED/m,
      );
      return [await code(ended)];
    },
  "npm run contract 130, 143, 129: interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP (or its parent died): one line says so, and no report is kept (the run's folder is removed)":
    async () => {
      const codes: (number | null)[] = [];
      for (const signal of SIGNALS) {
        const run = spawnContract(['--reporters', 'cli'], { cwd: root, killAfterMs: 60_000 });
        codes.push(await afterSignal(run, stackStarting, signal));
      }
      return codes;
    },
  'npm run collection 1: `--check`: the collection file is missing or is not what the API description generates now: run `npm run collection`':
    async () => {
      const out = join(root, 'export.postman_collection.json');
      const collection = (args: string[]) =>
        spawnContract(args, { script: 'scripts/collection.ts', cwd: root, killAfterMs: 60_000 }).done;
      const written = await collection(['--out', out]);
      assert.equal(written.code, 0, written.stderr);
      assert.equal((await collection(['--check', '--out', out])).code, 0, 'a current export passes --check');
      await writeFile(out, '{}');
      const stale = await collection(['--check', '--out', out]);
      assert.match(
        stale.stderr,
        /^\S+export\.postman_collection\.json is stale: run `npm run collection -- --out [^`]+` to write it\.\n$/,
      );
      return [stale.code];
    },
  'npm run stack 2: another stack of this checkout is running: the message names its pid and ports':
    async () => {
      const first = stack();
      try {
        await first.waitFor(/^# Local stack ready/m, 30_000);
        return [await code(stack().done)];
      } finally {
        first.child.kill('SIGINT');
        await first.done;
      }
    },
  'npm run stack 2: `LOCAL_API_PORT` or `LOCAL_COGNITO_PORT` is not a port number, or the port is taken':
    async () => {
      const notAPort = await code(stack({ LOCAL_API_PORT: 'three thousand' }).done);
      const taken = await code(stack({ LOCAL_COGNITO_PORT: String(await takenPort()) }).done);
      assert.equal(notAPort, taken, 'both halves of the row end the same way');
      return [taken];
    },
  'npm run stack 2: `--api-spec` names a file that is missing, not JSON or YAML, not an API description, or one with problems':
    async () => {
      const ended = await spawnContract(['--api-spec', 'broken-api.yaml'], {
        script: 'scripts/stack.ts',
        cwd: stackRoot,
        killAfterMs: 30_000,
      }).done;
      assert.match(ended.stderr, /^The API description broken-api\.yaml is not valid YAML/);
      assert.doesNotMatch(ended.stderr, STACK_TRACE);
      return [ended.code];
    },
  "npm run stack 1: the stack's files in `environments/generated/` cannot be written, or something unexpected failed":
    async () => {
      const blocked = await scratchRoot('hardening-exit-codes-blocked-');
      try {
        // A file where the folder of generated files must be.
        await writeFile(join(blocked, 'environments', 'generated'), 'not a folder');
        const run = spawnContract([], { script: 'scripts/stack.ts', cwd: blocked, killAfterMs: 30_000 });
        const ended = await run.done;
        assert.match(
          ended.stderr,
          /^Cannot write the local stack's files in environments\/generated \(EEXIST\)/,
        );
        return [ended.code];
      } finally {
        await rm(blocked, { recursive: true, force: true });
      }
    },
  'npm run stack 130, 143, 129: stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP (or its parent died): its normal end, leaving nothing behind':
    async () => {
      const codes: (number | null)[] = [];
      for (const signal of SIGNALS) {
        const ready = async (run: ContractProcess) => run.waitFor(/^# Local stack ready/m, 30_000);
        codes.push(await afterSignal(stack(), ready, signal));
      }
      return codes;
    },
};

const rows = readTable();

describe("the README's exit-code table", () => {
  test('has rows, and every row has a case here and every case a row', () => {
    assert.ok(rows.length >= 8, `only ${rows.length} rows read from the README`);
    assert.deepEqual(rows.map(key).sort(), Object.keys(cases).sort());
  });

  for (const row of rows) {
    test(`${row.command} exits ${row.codes.join(' / ')} when ${row.when}`, { timeout: 180_000 }, async () => {
      const run = cases[key(row)];
      assert.ok(run, `no case for the row: ${key(row)}`);
      assert.deepEqual(await run(), row.codes);
    });
  }
});
