/**
 * The reporters as runNewman configures them, on a small collection against a loopback server: what
 * reaches the disk and the console, with junit.xml written from the clause results as runContract writes
 * it. Fast, no stack: the end-to-end run is in run-summary.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { insertRunBlock } from '../../contract-runner/html-report.ts';
import { writeJunitReport } from '../../contract-runner/junit-report.ts';
import { type NewmanRunResult, runNewman } from '../../contract-runner/newman-run.ts';
import { createRedactor, REDACTED, type Redactor } from '../../contract-runner/redaction.ts';
import { clauseResults } from '../../contract-runner/results.ts';
import { assertSelfContained } from './html-references.ts';
import { summaryOf } from './summary-fixture.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdWRpdC10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS1saXZlLXRva2Vu';
const PASSWORD = 'Correct-Horse-Battery-9';
const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

function clause(name: string, path: string, tests: string[], prerequest?: string[]) {
  return {
    name,
    request: {
      method: 'GET',
      header: [{ key: 'Authorization', value: '{{id_token}}' }],
      url: `{{baseUrl}}${path}`,
    },
    event: [
      ...(prerequest
        ? [{ listen: 'prerequest', script: { type: 'text/javascript', exec: prerequest } }]
        : []),
      { listen: 'test', script: { type: 'text/javascript', exec: tests } },
    ],
  };
}

/**
 * Five clauses: one passes, one is skipped before its request, one skips its checks, one fails quoting
 * the token, and one makes no assertion at all (it proves nothing, so it fails).
 */
const collection = {
  info: { name: 'audit fixture', schema: POSTMAN_SCHEMA },
  item: [
    {
      name: 'Audit folder',
      item: [
        clause('It answers 200', '/plain', [
          'pm.test("Status is 200", () => pm.response.to.have.status(200));',
        ]),
        clause(
          'It is skipped before its request',
          '/plain',
          ['pm.test("Status is 200", () => pm.response.to.have.status(200));'],
          ['pm.test.skip("SKIPPED: attack token empty on this target");', 'pm.execution.skipRequest();'],
        ),
        clause('Its checks are skipped', '/plain', ['pm.test.skip("SKIPPED: nothing to compare");']),
        clause('It fails and its message quotes the token', '/echo', [
          // chai truncates long values in its own words, so the token goes in as the custom message.
          'const token = pm.environment.get("id_token");',
          'pm.test("Token is empty", () => pm.expect(token.length, "token " + token).to.equal(0));',
        ]),
        clause('It makes no assertion', '/plain', []),
      ],
    },
  ],
};

let server: Server;
let baseUrl: string;
const dirs: string[] = [];

before(async () => {
  // /echo answers with the Authorization header in a response header and the body, as a careless
  // backend might; /plain answers nothing secret.
  server = createServer((request, response) => {
    const echo = request.url === '/echo' ? String(request.headers.authorization) : 'none';
    response.writeHead(200, { 'content-type': 'application/json', 'x-seen-authorization': echo });
    response.end(JSON.stringify({ seen: echo }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Run {
  readonly result: NewmanRunResult;
  readonly dir: string;
  readonly files: Readonly<Record<string, string>>;
  readonly console: string;
}

async function run(redact: Redactor, htmlextra?: Record<string, unknown>): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-reporters-'));
  dirs.push(dir);
  let printed = '';
  // Installed before runNewman wraps the streams, so it sees what the wrapper lets through.
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  let result: NewmanRunResult;
  try {
    result = await runNewman({
      collection,
      environment: {
        name: 'audit',
        values: [
          { key: 'baseUrl', value: baseUrl, type: 'default', enabled: true },
          { key: 'id_token', value: TOKEN, type: 'secret', enabled: true },
          { key: 'password', value: PASSWORD, type: 'secret', enabled: true },
        ],
      },
      iterations: 1,
      timeoutRequestMs: 5_000,
      runFolder: dir,
      reporters: ['cli', 'htmlextra', 'junit'],
      title: `audit fixture: target local (${baseUrl})`,
      secretKeys: ['id_token', 'password'],
      redact,
      ...(htmlextra ? { htmlextra } : {}),
    });
  } finally {
    process.stdout.write = write;
  }
  await writeJunitReport(summaryOf(clauseResults(result.summary)), 'audit fixture', dir, redact);
  const files: Record<string, string> = {};
  for (const name of await readdir(dir)) files[name] = await readFile(join(dir, name), 'utf8');
  return { result, dir, files, console: printed };
}

function assertNoSecret(text: string, where: string): void {
  const signature = TOKEN.split('.')[2] ?? TOKEN;
  for (const secret of [TOKEN, signature, PASSWORD]) {
    assert.ok(!text.includes(secret), `${where} contains ${secret.slice(0, 12)}…`);
  }
}

describe('redaction as the second line of defence', () => {
  it('replaces the token and password in files and console output even when htmlextra is told to show everything', async () => {
    const leaky = await run(createRedactor([TOKEN, PASSWORD]), {
      // htmlextra's own template with every guard off: what docs/reference.md §7 says leaks by default.
      template: undefined,
      skipHeaders: [],
      skipEnvironmentVars: [],
      showEnvironmentData: true,
      skipSensitiveData: false,
    });

    assert.deepEqual(Object.keys(leaky.files).sort(), ['junit.xml', 'report.html']);
    for (const [name, text] of Object.entries(leaky.files)) assertNoSecret(text, name);
    assertNoSecret(leaky.console, 'console output');
    // The markers prove the secrets were there to be caught, in each place.
    assert.ok(leaky.files['report.html']?.includes(REDACTED), 'no marker in report.html');
    assert.ok(leaky.files['junit.xml']?.includes(`token ${REDACTED}: expected`), 'no marker in junit.xml');
    assert.ok(leaky.console.includes(REDACTED), 'no marker in the console output');
  });
});

describe('the offline HTML report', () => {
  let offline: Run;
  before(async () => {
    // No redactor and no skipHeaders: the template itself must keep the Authorization header out.
    offline = await run((text) => text, { skipHeaders: [] });
  });

  it('never prints the Authorization header it sent, redactor or not', () => {
    const html = offline.files['report.html'] ?? '';
    const requestHeaders = [
      ...html.matchAll(/<tr class="request-headers"><th>Headers<\/th><td>([\s\S]*?)<\/td><\/tr>/g),
    ].map((m) => m[1] ?? '');
    // The /echo clause's response and the failing clause's message quote the token on purpose: the
    // rest of the page must not.
    const elsewhere = html
      .replace(/x-seen-authorization: [^<]*/g, '')
      .replace(/\{&quot;seen&quot;:&quot;[^&]*&quot;\}/g, '')
      .replace(/class="message">[^<]*/g, '');

    assert.equal(requestHeaders.length, 4, 'one request header list per request sent');
    for (const headers of requestHeaders) {
      assert.match(headers, /<code>User-Agent: PostmanRuntime/, 'the other request headers are shown');
      assert.doesNotMatch(headers, /<code>authorization:/i);
      assertNoSecret(headers, 'request headers');
    }
    assertNoSecret(elsewhere, 'report.html outside the echoed response and the failure message');
  });

  it('loads nothing from the network', () => {
    assertSelfContained(offline.files['report.html'] ?? '', [baseUrl], 'report.html');
  });

  it('links each row of "Clauses that did not pass" to the details of that very clause', async () => {
    const path = join(offline.dir, 'report.html');
    await insertRunBlock(path, summaryOf(clauseResults(offline.result.summary)), (text) => text);
    const html = await readFile(path, 'utf8');
    const table = html.slice(html.indexOf('<table class="run-not-passed">'));
    const rows = [
      ...table
        .slice(0, table.indexOf('</table>'))
        .matchAll(/<tr class="(?:failed|skipped)">.*?<a href="#([\w-]+)">([^<]*)<\/a>/g),
    ].map((m) => ({ anchor: m[1] ?? '', name: m[2] ?? '' }));

    assert.deepEqual(
      rows.map((row) => row.name),
      [
        'It is skipped before its request',
        'Its checks are skipped',
        'It fails and its message quotes the token',
        'It makes no assertion',
      ],
    );
    for (const { anchor, name } of rows) {
      const section = new RegExp(
        `<section class="clause \\w+" id="${anchor}">\\s*<header>[\\s\\S]*?<h3>([^<]*)</h3>`,
      ).exec(html);
      assert.ok(section, `no section with id ${anchor} for ${name}`);
      assert.equal(section[1], name, `#${anchor} shows another clause`);
    }
    assert.equal(new Set(rows.map((row) => row.anchor)).size, rows.length, 'one anchor per clause');
  });

  it('shows every clause with its result as results.ts decides it: skipped before its request as SKIPPED and not sent, no assertion as FAILED', () => {
    const html = offline.files['report.html'] ?? '';
    const rows = [
      ...html.matchAll(
        /<tr class="(passed|failed|skipped)">\s*<td><span class="badge \1">\1<\/span><\/td>\s*<td>([^<]*)<\/td>\s*<td><a [^>]*>([^<]*)<\/a>/g,
      ),
    ].map((m) => [m[3], m[1], m[2]]);

    assert.deepEqual(rows, [
      ['It answers 200', 'passed', 'Audit folder'],
      ['It is skipped before its request', 'skipped', 'Audit folder'],
      ['Its checks are skipped', 'skipped', 'Audit folder'],
      ['It fails and its message quotes the token', 'failed', 'Audit folder'],
      ['It makes no assertion', 'failed', 'Audit folder'],
    ]);
    assert.match(html, /<p class="message">it made no assertion: a request without tests proves nothing/);
    assert.match(
      html,
      /It is skipped before its request<\/a><\/td>\s*<td><span class="muted">not sent<\/span>/,
    );
    assert.match(
      html,
      /<span class="badge skipped">skipped<\/span><\/td>\s*<td>SKIPPED: attack token empty on this target<\/td>/,
    );
    assert.match(html, /<span class="message">token eyJ[^<]*: expected \d+ to equal \+?0<\/span>/);
  });
});

describe('skipped clauses in results and JUnit', () => {
  let plain: Run;
  before(async () => {
    plain = await run(createRedactor([TOKEN, PASSWORD]));
  });

  it('keeps a clause skipped before its request in the results, as skipped, with no status', () => {
    const clauses = clauseResults(plain.result.summary).map((c) => [c.name, c.outcome, c.actualStatus]);

    assert.deepEqual(clauses, [
      ['It answers 200', 'passed', 200],
      ['It is skipped before its request', 'skipped', undefined],
      ['Its checks are skipped', 'skipped', 200],
      ['It fails and its message quotes the token', 'failed', 200],
      ['It makes no assertion', 'failed', 200],
    ]);
  });

  it('writes <skipped> with the reason for both skipped clauses and root counts that add up', () => {
    const xml = plain.files['junit.xml'] ?? '';
    const skippedCases = [
      ...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<skipped message="([^"]*)"\/>\s*<\/testcase>/g),
    ].map((m) => [m[1], m[2]]);

    assert.deepEqual(skippedCases, [
      ['SKIPPED: attack token empty on this target', 'attack token empty on this target'],
      ['SKIPPED: nothing to compare', 'nothing to compare'],
    ]);
    // The Run suite's 2 checks, 4 assertions, and the no-assertion clause's "The clause checked something".
    assert.match(xml, /<testsuites name="audit fixture" tests="7" failures="2" errors="0" skipped="2"/);
    assert.match(
      xml,
      /<testsuite name="Audit folder \/ It is skipped before its request" [^>]*tests="1"[^>]*skipped="1">/,
    );
    assert.match(
      xml,
      /<testcase name="The clause checked something"[^>]*>\s*<failure type="NothingChecked" message="it made no assertion/,
    );
  });
});
