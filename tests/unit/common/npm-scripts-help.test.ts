/**
 * Every npm script starts: each one that runs a TypeScript entry point through common/run-ts.mjs
 * answers `--help` and `-h` with its usage and exit 0, on the compiled path Node 20 takes (forced with
 * RUN_TS_BUILD=1, so it is tested on every Node) and, where this Node strips types, on the native path.
 * The scripts are read from package.json, so a new one is covered without touching this file. `.ci/run`
 * runs the same commands through npm on each Node line it tests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const execFileAsync = promisify(execFile);

function entryPoints(): { name: string; entry: string }[] {
  const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  assert.ok(typeof pkg === 'object' && pkg !== null && 'scripts' in pkg);
  const scripts = pkg.scripts as Record<string, string>; // package.json's scripts: names to command lines
  return Object.entries(scripts).flatMap(([name, command]) => {
    const entry = /^node common\/run-ts\.mjs (\S+\.ts)$/.exec(command)?.[1];
    return entry === undefined ? [] : [{ name, entry }];
  });
}

// Node 22.18+ strips types itself; @types/node 20 does not know the flag yet.
const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);
const paths = [
  { path: 'compiled (.build/, as on Node 20)', env: { RUN_TS_BUILD: '1' } },
  ...(stripsTypes ? [{ path: 'native type stripping', env: { RUN_TS_BUILD: '' } }] : []),
];

describe('every npm script answers --help and -h', () => {
  const scripts = entryPoints();

  it('finds the entry points in package.json', () => {
    for (const expected of ['contract', 'stack', 'token', 'deploy', 'destroy', 'user']) {
      assert.ok(
        scripts.some(({ name }) => name === expected),
        `npm run ${expected} runs no .ts entry point`,
      );
    }
  });

  for (const { path, env } of paths) {
    for (const { name, entry } of scripts) {
      for (const flag of ['--help', '-h']) {
        it(`npm run ${name} -- ${flag} prints its usage and exits 0 (${path})`, async () => {
          let stdout = '';
          let stderr = '';
          let code = 0;
          try {
            ({ stdout, stderr } = await execFileAsync(process.execPath, ['common/run-ts.mjs', entry, flag], {
              cwd: repoRoot,
              env: { ...process.env, ...env },
              timeout: 60_000,
            }));
          } catch (error) {
            const failed = error as { code?: number; stdout?: string; stderr?: string }; // execFile's error
            code = failed.code ?? -1;
            stdout = failed.stdout ?? '';
            stderr = failed.stderr ?? '';
          }
          assert.equal(code, 0, `exit ${code}: ${stderr}`);
          assert.match(stdout, /^Usage: /, stdout);
          assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
        });
      }
    }
  }
});
