/**
 * common/run-ts.mjs, the launcher of every npm script, on the path Node 20 takes (the compiled copy in
 * .build/, forced here with RUN_TS_BUILD=1 so that it is tested on every Node): in a scratch project of
 * three files, an edited source is rebuilt before it runs, never run stale; a path computed from
 * `import.meta.url` means what it means in the source tree; the entry point sees its own arguments; a
 * build that cannot be refreshed is refused with one sentence and exit 2. On a Node that strips types
 * natively the launcher imports the source itself, which the rest of the suite runs through.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const execFileAsync = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function launch(project: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(project, 'common', 'run-ts.mjs'), ...args],
      { cwd: project, env: { ...process.env, RUN_TS_BUILD: '1', ...env }, timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A project with the real launcher and build, a tsconfig, and one entry importing one module. */
async function scratchProject(withDependencies: boolean): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'run-ts-'));
  await mkdir(join(project, 'common'));
  await mkdir(join(project, 'scripts'));
  for (const file of ['common/run-ts.mjs', 'common/build-ts.mjs', 'tsconfig.json']) {
    await cp(join(repoRoot, file), join(project, file));
  }
  await writeFile(join(project, 'package.json'), '{ "type": "module" }\n');
  if (withDependencies) await symlink(join(repoRoot, 'node_modules'), join(project, 'node_modules'));
  await writeFile(join(project, 'common', 'greeting.ts'), "export const greeting: string = 'first';\n");
  await writeFile(
    join(project, 'scripts', 'probe.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { greeting } from '../common/greeting.ts';",
      'interface Probe { greeting: string; beside: string; args: string[] }',
      "const beside = readFileSync(new URL('./beside.txt', import.meta.url), 'utf8').trim();",
      'const probe: Probe = { greeting, beside, args: process.argv.slice(2) };',
      'process.stdout.write(JSON.stringify(probe));',
      '',
    ].join('\n'),
  );
  await writeFile(join(project, 'scripts', 'beside.txt'), 'next to the source\n');
  return project;
}

describe('common/run-ts.mjs on the compiled path (as on Node 20)', () => {
  let project = '';
  before(async () => {
    project = await scratchProject(true);
  });
  after(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('builds on first use and runs the entry with its own arguments and its source-relative paths', async () => {
    const run = await launch(project, ['scripts/probe.ts', '--flag', 'value']);

    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      greeting: 'first',
      beside: 'next to the source',
      args: ['--flag', 'value'],
    });
    const compiled = await readFile(join(project, '.build', 'scripts', 'probe.js'), 'utf8');
    assert.match(compiled, /from "\.\.\/common\/greeting\.js"/, 'imports point at the compiled neighbours');
    assert.doesNotMatch(compiled, /interface Probe/, 'the types are gone');
  });

  it('rebuilds an edited source before running it, never the stale copy', async () => {
    const source = join(project, 'common', 'greeting.ts');
    // Same size as before: the modification time alone must give the edit away.
    await writeFile(source, "export const greeting: string = 'fifth';\n");
    const first = await launch(project, ['scripts/probe.ts']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { greeting: string }).greeting, 'fifth');

    await writeFile(source, "export const greeting: string = 'a longer one';\n");
    const second = await launch(project, ['scripts/probe.ts']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { greeting: string }).greeting, 'a longer one');
  });

  it('rebuilds for an entry point the build has not seen', async () => {
    await writeFile(join(project, 'scripts', 'new-entry.ts'), "process.stdout.write('new' as string);\n");

    const run = await launch(project, ['scripts/new-entry.ts']);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'new');
  });

  it('names a module the entry point imports but nobody installed in one sentence, exit 2, no stack trace', async () => {
    await writeFile(
      join(project, 'scripts', 'needs-package.ts'),
      "import 'a-package-nobody-installed';\nprocess.stdout.write('ran');\n",
    );

    const run = await launch(project, ['scripts/needs-package.ts']);

    assert.equal(run.code, 2);
    assert.equal(run.stdout, '', 'the entry point did not run');
    assert.match(
      run.stderr,
      /^scripts\/needs-package\.ts cannot start: a-package-nobody-installed is missing: run `npm ci` in .+\.\n$/,
    );
  });

  it('refuses a file that is not TypeScript with one sentence and exit 2', async () => {
    const run = await launch(project, ['scripts/beside.txt']);

    assert.equal(run.code, 2);
    assert.match(run.stderr, /^Usage: node common\/run-ts\.mjs <file\.ts> [^\n]+\n$/);
  });
});

describe('common/run-ts.mjs when the build is stale and cannot be refreshed', () => {
  let project = '';
  before(async () => {
    project = await scratchProject(false);
  });
  after(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('says so in one sentence with the fix, exits 2, and runs nothing', async () => {
    const run = await launch(project, ['scripts/probe.ts']);

    assert.equal(run.code, 2);
    assert.equal(run.stdout, '', 'the entry point did not run');
    assert.match(
      run.stderr,
      /^The compiled copy in \.build\/ is out of date \(there is no build yet\) and could not be rebuilt \(.+\): run `npm ci`, or use Node 22\.18 or newer, which runs TypeScript itself\.\n$/,
    );
  });
});
