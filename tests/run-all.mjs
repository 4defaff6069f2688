/**
 * `npm run test:all`: every `tests/**\/*.test.ts` under Node's test runner, several files at a time.
 *
 * - Concurrency: TEST_CONCURRENCY, by default the machine's parallelism but at least 2 (on the 2-core
 *   machine the suite is measured on, docs/benchmarks.md: about half of a test file's time is waiting
 *   on real processes and sockets, so 2 files keep both cores busy). Files that share a fixed path
 *   take turns through a lock (tests/support/stack-process.ts), not through the runner.
 * - Order: the folders whose files run longest first (the contract's gateway variants, the hardening
 *   runs), then the short ones, which fill in at the end; alphabetical within a folder. With files of
 *   very unequal length this shortens the run without a list of timings to keep up to date.
 * - TypeScript: tests/support/load-typescript.mjs, loader hooks (esbuild, cached) on Node 20 only.
 *
 * Arguments are passed to the runner (e.g. `npm run test:all -- --test-name-pattern=SIGINT`); file
 * arguments replace the full list.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIRST = ['tests/contract', 'tests/hardening', 'tests/audit', 'tests/integration', 'tests/infra'];

const rank = (file) => {
  const i = FIRST.findIndex((folder) => file.startsWith(`${folder}/`));
  return i === -1 ? FIRST.length : i;
};
const all = readdirSync(join(repoRoot, 'tests'), { recursive: true })
  .map((path) =>
    relative(repoRoot, join(repoRoot, 'tests', path))
      .split('\\')
      .join('/'),
  )
  .filter((path) => path.endsWith('.test.ts') && !path.includes('node_modules'))
  .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));

const args = process.argv.slice(2);
const files = args.filter((arg) => arg.endsWith('.ts'));
const raw = process.env.TEST_CONCURRENCY;
if (raw !== undefined && !/^[1-9]\d*$/.test(raw)) {
  process.stderr.write(`TEST_CONCURRENCY must be a whole number from 1 up, not ${JSON.stringify(raw)}.\n`);
  process.exit(2);
}
const concurrency = raw ?? String(Math.max(2, availableParallelism()));

const child = spawn(
  process.execPath,
  [
    '--import',
    './tests/support/load-typescript.mjs',
    '--test',
    `--test-concurrency=${concurrency}`,
    ...args.filter((arg) => !arg.endsWith('.ts')),
    ...(files.length > 0 ? files : all),
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
