/**
 * Faults: Cognito unreachable, silent or dying mid-run; the API unreachable, failing or too
 * slow. Each run ends in bounded time (the bound only catches hangs; it is not a speed claim) with a
 * non-zero exit, says which clause failed and why (console and JUnit), and leaves no stack running.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { helloApi } from '../../api/routes.ts';
import { routeKey } from '../../api/spec.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { composeContractRun, DEFAULT_CONTRACT_PARTS } from '../../contract-runner/run-contract.ts';
import type { LambdaHandler } from '../../local-stack/gateway/integration.ts';
import { type LocalStack, startStack } from '../../local-stack/stack.ts';
import { type FakeCognito, startFakeCognito } from '../support/fake-cognito.ts';
import { writeFewClauses } from '../support/few-clauses.ts';
import { closedPort } from '../support/http.ts';
import { dataDirectoriesOf, eventually, isListening, portOf } from '../support/lifecycle.ts';
import { idToken } from '../support/token-helper-fixtures.ts';
import { type GatewayParts, runContractWith } from '../support/weakened-stack.ts';
import { type ContractRun, runContractCli, STACK_TRACE, scratchRoot } from './support/contract-process.ts';

/**
 * A hang is a run that reaches the 60 s watchdog of runContractCli; this bound sits below it. It was
 * 30 s, which a whole contract run (about 3 s of CPU) overran on the shared 2-core machine at a load
 * average above 10 (31.7 s), with nothing hanging.
 */
const HANG_BOUND_MS = 45_000;
const POOL = 'us-east-1_AbCdEf123';
const CLIENT = '4gp8i9qbc1ebh2e3r0d5vnbu1k';
let root: string;

before(async () => {
  root = await scratchRoot('hardening-faults-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function awsEnv(cognitoEndpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONTRACT_TARGET: 'aws',
    API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
    AWS_REGION: 'us-east-1',
    COGNITO_USER_POOL_ID: POOL,
    COGNITO_CLIENT_ID: CLIENT,
    COGNITO_ENDPOINT: cognitoEndpoint,
    CONTRACT_USERNAME: 'contract-tester',
    CONTRACT_PASSWORD: 'Fault-Pa55word!',
    ...extra,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function assertFailedFast(run: ContractRun, expected: RegExp): void {
  assert.equal(run.code, 1, `exit code (stdout: ${run.stdout}, stderr: ${run.stderr})`);
  assert.ok(run.ms < HANG_BOUND_MS, `ended in bounded time (took ${run.ms} ms)`);
  assert.doesNotMatch(run.stderr, STACK_TRACE, 'no stack trace');
  assert.match(run.stderr, /^[^\n]+\n$/, `one line on stderr, got: ${run.stderr}`);
  assert.match(run.stderr, expected);
}

describe('Cognito faults (npm run contract --target aws)', () => {
  let fake: FakeCognito;
  before(async () => {
    fake = await startFakeCognito();
  });
  after(async () => {
    await fake.close();
  });

  test('Cognito unreachable (a closed port) is named with the endpoint and the fix', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await runContractCli([], { cwd: root, env: awsEnv(endpoint) });
    assertFailedFast(
      run,
      /^Cannot reach Cognito at http:\/\/127\.0\.0\.1:\d+ \(connection refused\): check COGNITO_ENDPOINT/,
    );
  });

  test('Cognito that never answers is given up on after the sign-in timeout', async () => {
    fake.answer('AdminInitiateAuth', { hang: true });
    const run = await runContractCli([], { cwd: root, env: awsEnv(fake.endpoint) });
    assertFailedFast(
      run,
      /^Cognito at http:\/\/127\.0\.0\.1:\d+ did not answer within 5 s: check COGNITO_ENDPOINT/,
    );
  });

  test('Cognito dropping the connection mid-answer is named as a reset connection', async () => {
    const dropping = createServer((request) => request.socket.destroy());
    const endpoint = await listen(dropping);
    try {
      const run = await runContractCli([], { cwd: root, env: awsEnv(endpoint) });
      assertFailedFast(run, /^Cannot reach Cognito at .* \(connection (reset|closed)\)/);
    } finally {
      await close(dropping);
    }
  });

  test('Cognito dying right after the sign-in (before its keys are fetched) names the keys URL and the settings to check', async () => {
    let endpoint = '';
    const dying = createServer(async (request, response) => {
      for await (const _chunk of request) {
        // drain
      }
      const token = idToken({ iss: `${endpoint}/${POOL}`, exp: Math.floor(Date.now() / 1000) + 3600 });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', connection: 'close' });
      response.end(JSON.stringify({ AuthenticationResult: { IdToken: token } }), () => void close(dying));
    });
    endpoint = await listen(dying);
    const run = await runContractCli(['--force'], { cwd: root, env: awsEnv(endpoint) });
    assertFailedFast(
      run,
      /^The user pool's public keys could not be fetched from http:\/\/127\.0\.0\.1:\d+\/us-east-1_AbCdEf123\/\.well-known\/jwks\.json \(.+\): check AWS_REGION, COGNITO_USER_POOL_ID and COGNITO_ENDPOINT\.$/m,
    );
  });
});

describe('API faults', () => {
  let cognitoStack: LocalStack;
  before(async () => {
    // Real Cognito answers (the emulator) for a --target aws run whose API is the fault under test.
    cognitoStack = await startStack();
  });
  after(async () => {
    await cognitoStack.stop();
  });

  function viaStackCognito(apiUrl: string): Record<string, string> {
    const { cognito } = cognitoStack;
    return awsEnv(cognito.endpoint, {
      API_URL: apiUrl,
      COGNITO_USER_POOL_ID: cognito.userPoolId,
      COGNITO_CLIENT_ID: cognito.clientId,
      CONTRACT_USERNAME: cognito.username,
      CONTRACT_PASSWORD: cognito.password,
    });
  }

  /**
   * The committed collection cut down to a few clauses (the environment check, the no-header clause and
   * the greetings): every request of the whole contract would wait out the same fault, and a few prove
   * what is reported just as well.
   */
  async function fewClauses(): Promise<string> {
    const path = join(root, 'few-clauses.postman_collection.json');
    await writeFewClauses(path, helloApi);
    return path;
  }

  async function junitOf(run: ContractRun): Promise<string> {
    const path = /^Reports: .*?(\S+junit\.xml)/m.exec(run.stdout)?.[1];
    assert.ok(path, `the summary names the JUnit file: ${run.stdout}`);
    return readFile(join(root, path), 'utf8');
  }

  test('an unreachable API fails every clause saying the connection was refused, in the summary and in JUnit', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/dev`;
    const run = await runContractCli(
      ['--force', '--reporters', 'cli,junit', '--collection', await fewClauses()],
      {
        cwd: root,
        env: viaStackCognito(apiUrl),
      },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.ms < HANG_BOUND_MS, `bounded (took ${run.ms} ms)`);
    assert.match(
      run.stdout,
      /FAILED {2}GET \/hello with the raw ID token as the Authorization header reaches the Lambda \[GET \/dev\/hello\]\n {10}no response: connection refused by 127\.0\.0\.1:\d+, nothing listens there \(ECONNREFUSED\): \d+ checks? could not be made/,
    );
    // The environment check sends no request: it alone passes.
    assert.match(run.stdout, /Clauses: (\d+): \1 run \(1 passed, \d+ failed\)/);
    assert.match(
      run.stdout,
      /\d+ clauses got no response \(no response: connection refused by 127\.0\.0\.1:\d+/,
    );
    assert.match(run.stdout, /Result: FAILED: \d+ of \d+ clauses failed/);
    const junit = await junitOf(run);
    assert.match(junit, /ECONNREFUSED/);
    assert.match(junit, /GET \/hello with the raw ID token as the Authorization header reaches the Lambda/);
  });

  test('an API that never answers within --timeout-request is reported as no response, never as an API failure', async () => {
    const silent = createServer(() => undefined);
    const apiUrl = `${await listen(silent)}/dev`;
    try {
      const run = await runContractCli(
        [
          '--force',
          '--reporters',
          'cli,junit,htmlextra',
          '--timeout-request',
          '300',
          '--collection',
          await fewClauses(),
        ],
        { cwd: root, env: viaStackCognito(apiUrl) },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.ms < HANG_BOUND_MS, `bounded (took ${run.ms} ms)`);
      assert.match(
        run.stdout,
        /FAILED {2}GET \/hello without an Authorization header is refused with 401 Unauthorized \[GET \/dev\/hello\]\n {10}no response within 300 ms, the --timeout-request limit \(ESOCKETTIMEDOUT\): \d+ checks? could not be made/,
      );
      const junit = await junitOf(run);
      assert.match(
        junit,
        /<error type="NoResponse" message="no response within 300 ms, the --timeout-request limit \(ESOCKETTIMEDOUT\)"\/>/,
      );
      const folder = dirname(/^Reports: .*?(\S+junit\.xml)/m.exec(run.stdout)?.[1] ?? '');
      const html = await readFile(join(root, folder, 'report.html'), 'utf8');
      const summary = await readFile(join(root, folder, 'summary.json'), 'utf8');
      // The checks' own words are written for a response; with none they used to blame the API.
      for (const [where, text] of Object.entries({ console: run.stdout, junit, html, summary })) {
        assert.doesNotMatch(
          text,
          /the greeting leaked|failed with a server error|gateway answered undefined/,
          where,
        );
        assert.match(text, /not checked, no response within 300 ms/, where);
      }
    } finally {
      await close(silent);
    }
  });
});

describe('a local gateway whose Lambda fails or stalls (in-process, a stack composed with a failing part)', () => {
  async function runAgainst(parts: GatewayParts, timeoutRequestMs?: number, collectionPath?: string) {
    let started: LocalStack | undefined;
    const began = Date.now();
    const result = await runContractWith(
      {
        target: 'local',
        rootDir: root,
        reporters: ['junit'],
        reportsDir: join(root, 'in-process-reports'),
        ...(timeoutRequestMs ? { timeoutRequestMs } : {}),
        ...(collectionPath ? { collectionPath } : {}),
      },
      {
        parts,
        onStack: (running) => {
          started = running;
        },
      },
    );
    assert.ok(started, 'the stack started');
    assert.equal(await isListening(portOf(started.apiUrl)), false, 'gateway stopped');
    assert.equal(await isListening(portOf(started.cognito.endpoint)), false, 'emulator stopped');
    return { result, ms: Date.now() - began };
  }

  const clauses = generateClauses(helloApi);
  /** The same handler for every method of the description. */
  const everyRoute = (handler: LambdaHandler): Record<string, LambdaHandler> =>
    Object.fromEntries(helloApi.routes.map((route) => [routeKey(route), handler]));
  /** The clauses that reach the Lambda: the genuine token's, however the request carries it. */
  const greetingClauses = clauses
    .filter(
      (clause) =>
        clause.expect.kind === 'answer' &&
        clause.expect.assertions.some(
          (assertion) =>
            assertion.check === 'let-through' ||
            (assertion.check === 'status' && assertion.equals >= 200 && assertion.equals < 300),
        ),
    )
    .map((clause) => clause.name);

  test('a Lambda that throws (502) fails exactly the clauses that reach it, saying the status was wrong', async () => {
    const { result } = await runAgainst({
      handlers: everyRoute(async () => {
        throw new Error('the Lambda crashed');
      }),
    });
    assert.equal(result.passed, false);
    const failed = result.clauses.filter((clause) => clause.outcome === 'failed');
    assert.deepEqual(failed.map((clause) => clause.name).sort(), [...greetingClauses].sort());
    for (const clause of failed) {
      assert.equal(clause.actualStatus, 502);
      assert.ok(clause.assertions.some((a) => a.outcome === 'failed' && /Status is 200/.test(a.name)));
    }
    const junit = await readFile(result.files.junit ?? '', 'utf8');
    assert.match(junit, /<failure [^>]*message="expected 200, the gateway answered 502/);
  });

  test('a gateway answering 500 everywhere fails every clause', async () => {
    const { result } = await runAgainst({
      server: { finish: (answer) => ({ ...answer, status: 500 }) },
    });
    assert.equal(result.passed, false);
    // Node's HTTP parser refuses the oversized header (431) before the gateway, and so before the
    // tampering; the environment check sends no request.
    const passed = result.clauses
      .filter((clause) => clause.outcome === 'passed')
      .map((clause) => clause.name);
    assert.deepEqual(
      passed,
      clauses
        .filter((clause) => clause.row === 'oversized-header' || clause.kind === 'environment')
        .map((clause) => clause.name),
    );
    const failed = result.clauses.filter((clause) => clause.outcome === 'failed');
    assert.equal(failed.length, clauses.length - passed.length, 'every other clause fails');
    assert.ok(failed.every((clause) => clause.actualStatus === 500));
  });

  test('a Lambda slower than the request timeout fails its clauses as timed out, and the stack still stops', async () => {
    // Which clauses reach the Lambda is decided over the whole contract by the 502 test above; here the
    // subject is how a timeout is reported: every greeting clause, and refusals of each kind that must not
    // time out (they never reach the Lambda), not the catalogue's 150 attacks.
    const kept = clauses.filter(
      (clause) =>
        greetingClauses.includes(clause.name) ||
        ['environment', 'no-header', 'undefined-method', 'path-variant', 'undefined-path'].includes(
          clause.kind,
        ),
    );
    const collectionPath = join(root, 'slow-lambda.postman_collection.json');
    await writeFile(collectionPath, renderCollection(helloApi, kept));
    const { result, ms } = await runAgainst(
      {
        handlers: everyRoute(async () => {
          await sleep(2_000);
          return { statusCode: 200, body: JSON.stringify('Hello from Lambda!') };
        }),
      },
      300,
      collectionPath,
    );
    assert.equal(result.passed, false);
    assert.equal(result.clauses.length, kept.length, 'every kept clause ran');
    const timedOut = result.clauses.filter(
      (clause) =>
        clause.requestError === 'no response within 300 ms, the --timeout-request limit (ESOCKETTIMEDOUT)',
    );
    assert.deepEqual(timedOut.map((clause) => clause.name).sort(), [...greetingClauses].sort());
    assert.ok(ms < HANG_BOUND_MS, `bounded (took ${ms} ms)`);
  });

  test('a stack that fails to start leaves no server of the run listening: the attacker server started beside it stops too', async () => {
    const listening = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const before = listening();
    await assert.rejects(
      composeContractRun(
        { target: 'local', rootDir: root, reporters: [] },
        {
          ...DEFAULT_CONTRACT_PARTS,
          startStack: async () => {
            await sleep(50); // the attacker server is up by now
            throw new Error('the stack could not start');
          },
        },
      ),
      /the stack could not start/,
    );
    assert.ok(
      await eventually(() => listening() === before, 2_000),
      'a server of the failed run is still listening',
    );
  });

  test('no emulator data directory of this process is left after the runs', async () => {
    // The API-faults stack was stopped by its suite's after hook; the runs above stopped theirs.
    assert.deepEqual(await dataDirectoriesOf(process.pid), []);
  });
});
