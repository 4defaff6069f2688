/**
 * Secret hygiene: whole contract runs with the live secrets known to the test (tokens from
 * onToken, the password from the stack, a client secret we configure), then a scan of stdout, stderr
 * and every file the run wrote for each secret in every form a reporter could print it. Zero
 * occurrences, except in the generated environment file itself, which must be mode 0600. The run is
 * runContract in-process, inside a child process (support/hygiene-run.ts) whose real stdout and stderr
 * are what gets scanned. The three runs share that one child process (one Node start, one module load),
 * and each scans its own part of the output and the files there were once it was over.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, scratchRoot } from './support/contract-process.ts';
import { MARKER, MODES, type Mode } from './support/hygiene-modes.ts';

const run = promisify(execFile);

interface Captured {
  readonly stdout: string;
  readonly stderr: string;
}

interface HygieneRun {
  readonly output: Captured;
  readonly passed: boolean;
  readonly files: { readonly html?: string; readonly junit?: string };
  readonly secrets: Readonly<Record<string, string | undefined>>;
  /** Every file under the root once this run was over (later runs may add more). */
  readonly written: readonly string[];
}

/**
 * The three runs, one after the other in one child process (support/hygiene-run.ts) as they were one
 * after the other in three: each run's stdout and stderr are its part of the child's, from its marker on.
 */
async function hygieneRuns(
  root: string,
): Promise<{ readonly runs: Record<Mode, HygieneRun>; readonly whole: Captured }> {
  const secretsDir = await mkdtemp(join(tmpdir(), 'hardening-hygiene-secrets-'));
  try {
    const secretsFile = join(secretsDir, 'secrets.json');
    const script = join(repoRoot, 'tests', 'hardening', 'support', 'hygiene-run.ts');
    const loader = join(repoRoot, 'tests', 'support', 'load-typescript.mjs');
    const output = await run(process.execPath, ['--import', loader, script, root, secretsFile, ...MODES], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: root,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 180_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    const reported = JSON.parse(await readFile(secretsFile, 'utf8')) as Record<
      Mode,
      Omit<HygieneRun, 'output'>
    >;
    const partOf = (text: string, mode: Mode): string => {
      const parts = text.split(MARKER);
      assert.equal(parts[0], '', 'nothing printed before the first run');
      const part = parts.find((candidate) => candidate.startsWith(`${mode}\n`));
      assert.ok(part !== undefined, `the ${mode} run's output is marked`);
      return part.slice(mode.length + 1);
    };
    const runs = Object.fromEntries(
      MODES.map((mode) => [
        mode,
        {
          ...reported[mode],
          output: { stdout: partOf(output.stdout, mode), stderr: partOf(output.stderr, mode) },
        },
      ]),
    ) as Record<Mode, HygieneRun>;
    return { runs, whole: { stdout: output.stdout, stderr: output.stderr } };
  } finally {
    await rm(secretsDir, { recursive: true, force: true });
  }
}

/** The secret as it could appear raw, JSON-escaped, HTML-escaped or URL-encoded. */
function forms(secret: string): string[] {
  const html = secret.replace(/[&<>"'`=]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
  const htmlNamed = secret
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  return [
    ...new Set([secret, JSON.stringify(secret).slice(1, -1), html, htmlNamed, encodeURIComponent(secret)]),
  ];
}

/** Every place (stdout, stderr, file) where any form of any secret occurs. */
async function leaks(
  output: Captured,
  files: readonly string[],
  secrets: Readonly<Record<string, string | undefined>>,
): Promise<string[]> {
  const places: [string, string][] = [
    ['stdout', output.stdout],
    ['stderr', output.stderr],
    ...(await Promise.all(
      files.map(async (file) => [file, await readFile(file, 'utf8')] as [string, string]),
    )),
  ];
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (!secret) continue;
    for (const [place, text] of places) {
      if (forms(secret).some((form) => text.includes(form))) found.push(`${name} in ${place}`);
    }
  }
  return found;
}

describe('a whole contract run leaks no secret', () => {
  let root: string;
  let runs: Record<Mode, HygieneRun>;
  let whole: Captured;
  before(async () => {
    root = await scratchRoot('hardening-hygiene-');
    ({ runs, whole } = await hygieneRuns(root));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function assertKnown(result: HygieneRun, ...names: string[]): void {
    for (const name of names) assert.ok(result.secrets[name], `the test knows the live ${name}`);
  }

  test('target local: tokens and the stack password appear nowhere in stdout, stderr or the reports', async () => {
    const result = runs.local;
    assert.equal(result.passed, true, result.output.stdout.slice(-3_000) + result.output.stderr);
    assert.ok(result.files.html && result.files.junit, 'HTML and JUnit reports written');
    assert.match(
      result.output.stdout,
      /GET \/hello with the raw ID token/,
      'the cli reporter printed the run',
    );
    assertKnown(result, 'id token', 'access token', 'refresh token', 'password');
    const { written } = result;
    assert.ok(
      written.some((file) => file.endsWith('index.html')) &&
        written.some((file) => file.endsWith('summary.json')),
    );
    assert.deepEqual(await leaks(result.output, written, result.secrets), []);
  });

  test('a gateway that echoes the Authorization header into its bodies and failures still leaks nothing', async () => {
    const result = runs.echo;
    assert.equal(result.passed, false, 'the echoing gateway fails the contract');
    assertKnown(result, 'id token', 'password');
    // Chai shortens long strings in failure messages; the HTML report shows whole bodies.
    const html = await readFile(result.files.html ?? '', 'utf8');
    assert.match(html, /\[REDACTED\]/, 'the echoed token reached the report and was redacted');
    assert.deepEqual(await leaks(result.output, result.written, result.secrets), []);
  });

  test("the child's whole output holds no secret of any of its runs (a late line of one run lands in the next's part)", async () => {
    const secrets = Object.fromEntries(
      MODES.flatMap((mode) =>
        Object.entries(runs[mode].secrets).map(([name, value]) => [`${mode} ${name}`, value]),
      ),
    );
    assert.ok(Object.values(secrets).filter(Boolean).length >= 12, 'the secrets of all three runs are known');
    assert.deepEqual(await leaks(whole, [], secrets), []);
  });

  test('target aws with a client secret: no secret anywhere but the generated environment, which is 0600', async () => {
    const result = runs['aws-secret'];
    assert.equal(result.passed, true, result.output.stdout.slice(-3_000) + result.output.stderr);
    assertKnown(result, 'id token', 'access token', 'refresh token', 'password', 'client secret');
    const generated = join(root, 'environments', 'generated', 'aws.postman_environment.json');
    assert.equal((await stat(generated)).mode & 0o777, 0o600, 'the generated environment is private');
    const idToken = result.secrets['id token'] ?? '';
    assert.ok((await readFile(generated, 'utf8')).includes(idToken), 'the one place with the token');
    const written = result.written.filter((file) => file !== generated);
    const found = await leaks(result.output, written, result.secrets);
    assert.deepEqual(
      found.map((place) => place.replace(root, '<root>')),
      [],
      `files scanned: ${written.map((file) => relative(root, file)).join(', ')}`,
    );
  });
});

test('git ignores .env files, generated environments, reports and emulator data, but not their templates', () => {
  const ignored = (path: string): boolean => {
    try {
      execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: repoRoot, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (const path of [
    '.env',
    '.env.local',
    'environments/generated/aws.postman_environment.json',
    'environments/generated/local.stack.json',
    'reports/2026-01-01T00-00-00Z-local/report.html',
    'reports/2026-01-01T00-00-00Z-local/junit.xml',
    'reports/2026-01-01T00-00-00Z-local/summary.json',
    'reports/index.html',
    '.cognito/db/clients.json',
    'local-stack/.cognito/db/local_abc.json',
  ]) {
    assert.equal(ignored(path), true, `${path} is ignored`);
  }
  for (const path of ['.env.example', 'reports/.gitkeep', 'environments/aws.postman_environment.json']) {
    assert.equal(ignored(path), false, `${path} is tracked`);
  }
});
